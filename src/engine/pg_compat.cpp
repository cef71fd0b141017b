// PostgreSQL's catalog, as clients (psql, pgjdbc, SQLAlchemy, pandas, BI tools) query it,
// over DuckDB's. DuckDB ships a pg_catalog schema in its system catalog; this replaces the
// parts clients read wrong and adds what they need and it lacks, in one place for every
// client and every session:
//   types      regclass, regtype, regnamespace, regrole, regproc (names that convert to and
//              from OIDs through casts), int2vector, oidvector, name, "char", jsonb, ...
//   casts      those conversions, and PostgreSQL's '{a,b}' array text to DuckDB lists
//   functions  C++: OID and typmod of a DuckDB type, format_type, version; macros for the
//              rest (pg_get_constraintdef, pg_get_indexdef, array_upper, quote_ident, ...);
//              DuckDB's own functions under pg_catalog as well, for clients that qualify them
//   views      pg_class, pg_attribute, pg_type, pg_index, pg_constraint, pg_namespace,
//              pg_roles, ... with PostgreSQL's columns and type OIDs
//   settings   server_version, server_version_num, standard_conforming_strings, ...
// What the parser itself rejects is rewritten before parsing (pg_dialect.cpp).
#include "common/sql_lexer.hpp"
#include "engine/duckdb_internal.hpp"
#include "engine/pg_dialect.hpp"
#include "engine/pg_types.hpp"

#include "duckdb/catalog/catalog_entry/aggregate_function_catalog_entry.hpp"
#include "duckdb/catalog/catalog_entry/index_catalog_entry.hpp"
#include "duckdb/catalog/catalog_entry/macro_catalog_entry.hpp"
#include "duckdb/catalog/catalog_entry/table_catalog_entry.hpp"
#include "duckdb/parser/constraints/check_constraint.hpp"
#include "duckdb/parser/constraints/foreign_key_constraint.hpp"
#include "duckdb/parser/constraints/unique_constraint.hpp"
#include "duckdb/parser/expression/columnref_expression.hpp"
#include "duckdb/parser/parsed_data/create_index_info.hpp"
#include "duckdb/parser/parsed_expression_iterator.hpp"
#include "duckdb/catalog/catalog_entry/scalar_function_catalog_entry.hpp"
#include "duckdb/catalog/catalog_entry/table_function_catalog_entry.hpp"
#include "duckdb/common/operator/cast_operators.hpp"
#include "duckdb/function/cast/cast_function_set.hpp"
#include "duckdb/main/database_manager.hpp"
#include "duckdb/parser/parsed_data/create_aggregate_function_info.hpp"
#include "duckdb/parser/parsed_data/create_macro_info.hpp"
#include "duckdb/parser/parsed_data/create_scalar_function_info.hpp"
#include "duckdb/parser/parsed_data/create_table_function_info.hpp"
#include "duckdb/parser/parsed_data/create_type_info.hpp"
#include "duckdb/parser/parsed_data/create_view_info.hpp"
#include "duckdb/parser/parser.hpp"
#include "duckdb/planner/expression/bound_function_expression.hpp"
#include "duckdb/execution/expression_executor.hpp"
#include "duckdb/parser/qualified_name.hpp"
#include "duckdb/parser/statement/create_statement.hpp"
#include "duckdb/planner/binder.hpp"

#include <fmt/format.h>

#include <cctype>
#include <unordered_map>

namespace akko::engine {

namespace {

using duckdb::CastLocalStateParameters;
using duckdb::CastParameters;
using duckdb::ClientContext;
using duckdb::FunctionLocalState;
using duckdb::idx_t;
using duckdb::LogicalType;
using duckdb::string_t;
using duckdb::Vector;

// One role, OID 10, owns everything: AKKO's own authorization lives above the engine. Its
// name is the session's user: current_user (pg_session.cpp).
constexpr int64_t kOwnerOid = 10;

std::string QuoteIdent(const std::string &name) {
	bool plain = !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
	for (char c : name) {
		plain = plain && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
		                  c == '_' || c == '$');
	}
	auto keyword = duckdb::Parser::IsKeyword(name);
	if (plain && (keyword == duckdb::KeywordCategory::KEYWORD_NONE || keyword == duckdb::KeywordCategory::KEYWORD_UNRESERVED)) {
		return name;
	}
	std::string quoted = "\"";
	for (char c : name) {
		quoted += c;
		if (c == '"') {
			quoted += '"';
		}
	}
	return quoted + "\"";
}

bool IsDigits(const std::string &text) {
	return !text.empty() && text.size() < 19 &&
	       std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// ---------------------------------------------------------------------------------------
// OID <-> name directory behind the reg* types, built once per query and thread.

// The session's user, as current_user reports it.
std::string CurrentUser(ClientContext &context) {
	try {
		auto &entry = duckdb::Catalog::GetEntry<duckdb::ScalarFunctionCatalogEntry>(context, SYSTEM_CATALOG, DEFAULT_SCHEMA,
		                                                                            "current_user");
		duckdb::BoundFunctionExpression call(LogicalType::VARCHAR, entry.functions.GetFunctionByOffset(0), {}, nullptr);
		return duckdb::ExpressionExecutor::EvaluateScalar(context, call).ToString();
	} catch (std::exception &) {
		return "akko";
	}
}

struct NameDirectory : public FunctionLocalState {
	std::unordered_map<int64_t, std::string> relation_names;      // oid -> regclass text
	std::unordered_map<std::string, int64_t> relations_qualified; // "schema.name" -> oid
	std::unordered_map<std::string, int64_t> relations_visible;   // "name" -> oid
	std::unordered_map<int64_t, std::string> namespace_names;
	std::unordered_map<std::string, int64_t> namespaces;
	std::string owner = "akko";

	void Load(ClientContext &context) {
		owner = CurrentUser(context);
		auto current = duckdb::DatabaseManager::GetDefaultDatabase(context);
		// Temporary tables first: they hide permanent ones of the same name, as in PostgreSQL.
		for (const auto &catalog_name : {std::string(TEMP_CATALOG), current, std::string(SYSTEM_CATALOG)}) {
			auto &catalog = duckdb::Catalog::GetCatalog(context, catalog_name);
			bool system = catalog_name == SYSTEM_CATALOG;
			catalog.ScanSchemas(context, [&](duckdb::SchemaCatalogEntry &schema) {
				if (system && schema.name != "pg_catalog" && schema.name != "information_schema" && schema.name != "main") {
					return;
				}
				bool visible = system ? schema.name != "information_schema" : schema.name == DEFAULT_SCHEMA;
				auto schema_name = catalog_name == TEMP_CATALOG ? std::string("pg_temp") : schema.name;
				if (!system || schema.name != "main") {
					namespace_names.emplace(schema.oid, QuoteIdent(schema_name));
					namespaces.emplace(ToLower(schema_name), schema.oid);
				}
				for (auto type : {duckdb::CatalogType::TABLE_ENTRY, duckdb::CatalogType::INDEX_ENTRY,
				                  duckdb::CatalogType::SEQUENCE_ENTRY}) {
					auto add = [&](duckdb::CatalogEntry &entry) {
						auto name = ToLower(entry.name);
						relations_qualified.emplace(ToLower(schema_name) + "." + name, entry.oid);
						if (visible && relations_visible.emplace(name, entry.oid).second) {
							relation_names.emplace(entry.oid, QuoteIdent(entry.name));
						} else {
							relation_names.emplace(entry.oid, QuoteIdent(schema_name) + "." + QuoteIdent(entry.name));
						}
					};
					if (system) {
						// Without the context, Scan lists what exists and creates none of DuckDB's
						// default views (creating them here would re-enter the catalog lock).
						schema.Scan(type, add);
					} else {
						schema.Scan(context, type, add); // sees this transaction's own changes
					}
				}
			});
		}
	}

	// The relation `text` names (a regclass value or user input), or -1.
	int64_t FindRelation(const std::string &text) const {
		if (IsDigits(text)) {
			return std::stoll(text);
		}
		auto name = duckdb::QualifiedName::Parse(text);
		if (!name.schema.empty() && name.schema != INVALID_SCHEMA) {
			auto found = relations_qualified.find(ToLower(name.schema) + "." + ToLower(name.name));
			return found == relations_qualified.end() ? -1 : found->second;
		}
		auto found = relations_visible.find(ToLower(name.name));
		return found == relations_visible.end() ? -1 : found->second;
	}

	int64_t FindNamespace(const std::string &text) const {
		if (IsDigits(text)) {
			return std::stoll(text);
		}
		auto name = duckdb::QualifiedName::Parse(text);
		auto found = namespaces.find(ToLower(name.name));
		return found == namespaces.end() ? -1 : found->second;
	}
};

duckdb::unique_ptr<FunctionLocalState> InitNameDirectory(CastLocalStateParameters &parameters) {
	auto directory = duckdb::make_uniq<NameDirectory>();
	if (parameters.context) {
		directory->Load(*parameters.context);
	}
	return directory;
}

const NameDirectory &Directory(CastParameters &parameters) {
	if (!parameters.local_state) {
		throw duckdb::InternalException("reg* cast without its name directory");
	}
	return parameters.local_state->Cast<NameDirectory>();
}

enum class RegKind { Class, Type, Namespace, Role, Proc };

// The canonical text of an OID as the reg* type prints it (PostgreSQL prints unknown OIDs
// as numbers and 0 as '-').
std::string RegText(RegKind kind, const NameDirectory *directory, int64_t oid) {
	if (oid == 0) {
		return "-";
	}
	switch (kind) {
	case RegKind::Class: {
		auto found = directory->relation_names.find(oid);
		return found == directory->relation_names.end() ? std::to_string(oid) : found->second;
	}
	case RegKind::Namespace: {
		auto found = directory->namespace_names.find(oid);
		return found == directory->namespace_names.end() ? std::to_string(oid) : found->second;
	}
	case RegKind::Type: {
		auto type = FindPgType(static_cast<int32_t>(oid));
		return type ? std::string(type->display) : std::to_string(oid);
	}
	case RegKind::Role:
		return oid == kOwnerOid ? QuoteIdent(directory->owner) : std::to_string(oid);
	case RegKind::Proc:
		return std::to_string(oid);
	}
	return std::to_string(oid);
}

// The OID `text` names, or -1 with `error` set.
int64_t RegOid(RegKind kind, const NameDirectory *directory, const std::string &text, std::string &error) {
	if (text == "-") {
		return 0;
	}
	int64_t oid = -1;
	switch (kind) {
	case RegKind::Class:
		oid = directory->FindRelation(text);
		if (oid < 0) {
			error = fmt::format("relation \"{}\" does not exist", text);
		}
		break;
	case RegKind::Namespace:
		oid = directory->FindNamespace(text);
		if (oid < 0) {
			error = fmt::format("schema \"{}\" does not exist", text);
		}
		break;
	case RegKind::Type: {
		if (IsDigits(text)) {
			return std::stoll(text);
		}
		auto name = text.rfind("pg_catalog.", 0) == 0 ? text.substr(11) : text;
		auto type = FindPgTypeByName(name);
		if (!type) {
			error = fmt::format("type \"{}\" does not exist", text);
			return -1;
		}
		oid = type->oid;
		break;
	}
	case RegKind::Role:
		if (IsDigits(text)) {
			return std::stoll(text);
		}
		if (ToLower(text) != ToLower(directory->owner)) {
			error = fmt::format("role \"{}\" does not exist", text);
			return -1;
		}
		oid = kOwnerOid;
		break;
	case RegKind::Proc:
		return IsDigits(text) ? std::stoll(text) : 0;
	}
	return oid;
}

// Applies `convert` to every row; a row it fails on is NULL and reported as a cast error.
template <class IN, class OUT, class F>
bool MapRows(Vector &source, Vector &result, idx_t count, CastParameters &parameters, F &&convert) {
	duckdb::UnifiedVectorFormat input;
	source.ToUnifiedFormat(count, input);
	auto values = duckdb::UnifiedVectorFormat::GetData<IN>(input);
	result.SetVectorType(duckdb::VectorType::FLAT_VECTOR);
	auto outputs = duckdb::FlatVector::GetData<OUT>(result);
	auto &validity = duckdb::FlatVector::Validity(result);
	bool all_converted = true;
	for (idx_t row = 0; row < count; row++) {
		auto index = input.sel->get_index(row);
		if (!input.validity.RowIsValid(index)) {
			validity.SetInvalid(row);
			continue;
		}
		std::string error;
		if (!convert(values[index], outputs[row], error)) {
			duckdb::HandleCastError::AssignError(error, parameters);
			validity.SetInvalid(row);
			all_converted = false;
		}
	}
	if (source.GetVectorType() == duckdb::VectorType::CONSTANT_VECTOR) {
		result.SetVectorType(duckdb::VectorType::CONSTANT_VECTOR);
	}
	return all_converted;
}

template <RegKind KIND>
bool TextToReg(Vector &source, Vector &result, idx_t count, CastParameters &parameters) {
	auto &directory = Directory(parameters);
	return MapRows<string_t, string_t>(source, result, count, parameters,
	                                     [&](string_t in, string_t &out, std::string &error) {
		                                     auto text = in.GetString();
		                                     if (KIND == RegKind::Proc) {
			                                     out = duckdb::StringVector::AddString(
			                                         result, text.rfind("pg_catalog.", 0) == 0 ? text.substr(11) : text);
			                                     return true;
		                                     }
		                                     auto oid = RegOid(KIND, &directory, text, error);
		                                     if (oid < 0) {
			                                     return false;
		                                     }
		                                     out = duckdb::StringVector::AddString(result, RegText(KIND, &directory, oid));
		                                     return true;
	                                     });
}

template <RegKind KIND, class INT>
bool IntegerToReg(Vector &source, Vector &result, idx_t count, CastParameters &parameters) {
	auto &directory = Directory(parameters);
	return MapRows<INT, string_t>(source, result, count, parameters, [&](INT in, string_t &out, std::string &) {
		out = duckdb::StringVector::AddString(result, RegText(KIND, &directory, static_cast<int64_t>(in)));
		return true;
	});
}

template <RegKind KIND, class INT>
bool RegToInteger(Vector &source, Vector &result, idx_t count, CastParameters &parameters) {
	auto &directory = Directory(parameters);
	return MapRows<string_t, INT>(source, result, count, parameters, [&](string_t in, INT &out, std::string &error) {
		auto oid = RegOid(KIND, &directory, in.GetString(), error);
		out = static_cast<INT>(oid);
		return oid >= 0;
	});
}

// int2vector and oidvector print as PostgreSQL does: "1 2 3".
bool VectorToText(Vector &source, Vector &result, idx_t count, CastParameters &parameters) {
	source.Flatten(count);
	auto &child = duckdb::ListVector::GetEntry(source);
	auto entries = duckdb::FlatVector::GetData<duckdb::list_entry_t>(source);
	auto &source_validity = duckdb::FlatVector::Validity(source);
	auto outputs = duckdb::FlatVector::GetData<string_t>(result);
	for (idx_t row = 0; row < count; row++) {
		if (!source_validity.RowIsValid(row)) {
			duckdb::FlatVector::SetNull(result, row, true);
			continue;
		}
		std::string text;
		for (idx_t k = 0; k < entries[row].length; k++) {
			if (k > 0) {
				text += ' ';
			}
			text += child.GetValue(entries[row].offset + k).ToString();
		}
		outputs[row] = duckdb::StringVector::AddString(result, text);
	}
	return true;
}

// PostgreSQL's array text '{a,"b c",{1,2}}' becomes DuckDB's '[a,"b c",[1,2]]' (same
// quoting rules otherwise), then DuckDB's own cast to the list type runs.
struct ArrayTextCastData : public duckdb::BoundCastData {
	explicit ArrayTextCastData(duckdb::BoundCastInfo inner_p) : inner(std::move(inner_p)) {
	}
	duckdb::BoundCastInfo inner;
	duckdb::unique_ptr<duckdb::BoundCastData> Copy() const override {
		return duckdb::make_uniq<ArrayTextCastData>(inner.Copy());
	}
};

std::string ArrayTextToList(const std::string &text) {
	size_t start = text.find_first_not_of(" \t\n");
	if (start == std::string::npos || text[start] != '{') {
		return text;
	}
	std::string out = text;
	bool quoted = false;
	for (size_t i = start; i < out.size(); i++) {
		char c = out[i];
		if (quoted && c == '\\') {
			i++;
		} else if (c == '"') {
			quoted = !quoted;
		} else if (!quoted && c == '{') {
			out[i] = '[';
		} else if (!quoted && c == '}') {
			out[i] = ']';
		}
	}
	return out;
}

bool ArrayTextCast(Vector &source, Vector &result, idx_t count, CastParameters &parameters) {
	auto &data = parameters.cast_data->Cast<ArrayTextCastData>();
	Vector converted(LogicalType::VARCHAR, count);
	MapRows<string_t, string_t>(source, converted, count, parameters, [&](string_t in, string_t &out, std::string &) {
		out = duckdb::StringVector::AddString(converted, ArrayTextToList(in.GetString()));
		return true;
	});
	CastParameters inner(parameters, data.inner.cast_data, parameters.local_state);
	return data.inner.function(converted, result, count, inner);
}

duckdb::unique_ptr<FunctionLocalState> InitArrayTextCast(CastLocalStateParameters &parameters) {
	auto &data = parameters.cast_data->Cast<ArrayTextCastData>();
	if (!data.inner.init_local_state) {
		return nullptr;
	}
	CastLocalStateParameters inner(parameters, data.inner.cast_data);
	return data.inner.init_local_state(inner);
}

duckdb::BoundCastInfo BindArrayTextCast(duckdb::BindCastInput &input, const LogicalType &source, const LogicalType &target) {
	auto inner = duckdb::DefaultCasts::GetDefaultCastFunction(input, source, target);
	return duckdb::BoundCastInfo(ArrayTextCast, duckdb::make_uniq<ArrayTextCastData>(std::move(inner)), InitArrayTextCast);
}

LogicalType Aliased(LogicalType type, const char *alias) {
	type.SetAlias(alias);
	return type;
}

template <RegKind KIND>
void RegisterRegCasts(duckdb::CastFunctionSet &casts, const LogicalType &reg) {
	casts.RegisterCastFunction(LogicalType::VARCHAR, reg, duckdb::BoundCastInfo(TextToReg<KIND>, nullptr, InitNameDirectory), 200);
	casts.RegisterCastFunction(LogicalType::SMALLINT, reg,
	                           duckdb::BoundCastInfo(IntegerToReg<KIND, int16_t>, nullptr, InitNameDirectory), 200);
	casts.RegisterCastFunction(LogicalType::INTEGER, reg,
	                           duckdb::BoundCastInfo(IntegerToReg<KIND, int32_t>, nullptr, InitNameDirectory), 200);
	casts.RegisterCastFunction(LogicalType::BIGINT, reg,
	                           duckdb::BoundCastInfo(IntegerToReg<KIND, int64_t>, nullptr, InitNameDirectory), 200);
	casts.RegisterCastFunction(LogicalType::UINTEGER, reg,
	                           duckdb::BoundCastInfo(IntegerToReg<KIND, uint32_t>, nullptr, InitNameDirectory), 200);
	casts.RegisterCastFunction(reg, LogicalType::INTEGER,
	                           duckdb::BoundCastInfo(RegToInteger<KIND, int32_t>, nullptr, InitNameDirectory), 200);
	casts.RegisterCastFunction(reg, LogicalType::BIGINT,
	                           duckdb::BoundCastInfo(RegToInteger<KIND, int64_t>, nullptr, InitNameDirectory), 200);
	casts.RegisterCastFunction(reg, LogicalType::UINTEGER,
	                           duckdb::BoundCastInfo(RegToInteger<KIND, uint32_t>, nullptr, InitNameDirectory), 200);
}

// ---------------------------------------------------------------------------------------
// Scalar functions.

// Column types arrive as DuckDB's spelling (duckdb_columns().data_type); each distinct
// spelling is parsed once per query and thread.
struct TypeCache : public FunctionLocalState {
	std::unordered_map<std::string, ColumnType> types;
};

duckdb::unique_ptr<FunctionLocalState> InitTypeCache(duckdb::ExpressionState &, const duckdb::BoundFunctionExpression &,
                                                    duckdb::FunctionData *) {
	return duckdb::make_uniq<TypeCache>();
}

const ColumnType &CachedType(duckdb::ExpressionState &state, const string_t &spelling) {
	auto &cache = duckdb::ExecuteFunctionState::GetFunctionState(state)->Cast<TypeCache>();
	auto text = spelling.GetString();
	auto found = cache.types.find(text);
	if (found == cache.types.end()) {
		ColumnType type;
		try {
			type = DescribeType(duckdb::TransformStringToLogicalType(text, state.GetContext()));
		} catch (std::exception &) {
			type.kind = TypeKind::Other;
		}
		found = cache.types.emplace(text, std::move(type)).first;
	}
	return found->second;
}

void TypeOidFunction(duckdb::DataChunk &args, duckdb::ExpressionState &state, Vector &result) {
	duckdb::UnaryExecutor::Execute<string_t, int64_t>(
	    args.data[0], result, args.size(), [&](string_t spelling) { return int64_t(PgTypeOid(CachedType(state, spelling))); });
}

void TypeModifierFunction(duckdb::DataChunk &args, duckdb::ExpressionState &state, Vector &result) {
	duckdb::UnaryExecutor::Execute<string_t, int32_t>(args.data[0], result, args.size(), [&](string_t spelling) {
		return PgTypeModifier(CachedType(state, spelling));
	});
}

std::string FormatType(int64_t oid, int32_t typmod) {
	if (oid == 0) {
		return "-";
	}
	auto type = FindPgType(static_cast<int32_t>(oid));
	if (!type) {
		return "???";
	}
	std::string display(type->display);
	auto base = type->element && type->category == 'A' ? FindPgType(type->element) : type;
	std::string suffix = base != type ? "[]" : "";
	if (base != type) {
		display = std::string(base->display);
	}
	if (typmod >= 4 && base->oid == pg_oid::kNumeric) {
		display += fmt::format("({},{})", (typmod - 4) >> 16, (typmod - 4) & 0xffff);
	} else if (typmod >= 4 && (base->oid == pg_oid::kVarchar || base->oid == 1042)) {
		display += fmt::format("({})", typmod - 4);
	}
	return display + suffix;
}

void FormatTypeFunction(duckdb::DataChunk &args, duckdb::ExpressionState &state, Vector &result) {
	duckdb::BinaryExecutor::ExecuteWithNulls<int64_t, int32_t, string_t>(
	    args.data[0], args.data[1], result, args.size(),
	    [&](int64_t oid, int32_t typmod, duckdb::ValidityMask &, idx_t) {
		    return duckdb::StringVector::AddString(result, FormatType(oid, typmod));
	    });
}

std::string PgVersion() {
	return fmt::format("PostgreSQL 15.0 on x86_64-pc-linux-gnu (akko, DuckDB {}), 64-bit",
	                   duckdb::DuckDB::LibraryVersion());
}

void QuoteIdentFunction(duckdb::DataChunk &args, duckdb::ExpressionState &state, Vector &result) {
	duckdb::UnaryExecutor::Execute<string_t, string_t>(args.data[0], result, args.size(), [&](string_t name) {
		return duckdb::StringVector::AddString(result, QuoteIdent(name.GetString()));
	});
}

void VersionFunction(duckdb::DataChunk &args, duckdb::ExpressionState &state, Vector &result) {
	result.Reference(duckdb::Value(PgVersion()));
}


// ---------------------------------------------------------------------------------------
// Constraints and indexes as PostgreSQL sees them. DuckDB keeps primary keys and unique
// constraints without catalog indexes and names constraints its own way; PostgreSQL
// clients expect <table>_pkey, <table>_<columns>_fkey and an index behind every primary
// key and unique constraint. Read straight from the catalog: the same in SQL over
// duckdb_constraints() takes a dozen joins per query.

struct TableKeys {
	int64_t oid;
	std::string name;
	std::string schema;
	int64_t schema_oid;
	std::vector<std::string> columns; // by attnum - 1
	struct Key {
		int64_t oid;
		char type; // p u f c
		std::vector<int16_t> attnums;
		const duckdb::Constraint *constraint;
	};
	std::vector<Key> keys;
};

std::vector<TableKeys> ReadTableKeys(ClientContext &context) {
	std::vector<TableKeys> tables;
	auto &catalog = duckdb::Catalog::GetCatalog(context, duckdb::DatabaseManager::GetDefaultDatabase(context));
	catalog.ScanSchemas(context, [&](duckdb::SchemaCatalogEntry &schema) {
		schema.Scan(context, duckdb::CatalogType::TABLE_ENTRY, [&](duckdb::CatalogEntry &entry) {
			if (entry.type != duckdb::CatalogType::TABLE_ENTRY) {
				return;
			}
			auto &table = entry.Cast<duckdb::TableCatalogEntry>();
			TableKeys keys {static_cast<int64_t>(table.oid), table.name, schema.name, static_cast<int64_t>(schema.oid), {}, {}};
			for (auto &column : table.GetColumns().Logical()) {
				keys.columns.push_back(column.Name());
			}
			auto attnum = [&](const std::string &name) -> int16_t {
				for (size_t k = 0; k < keys.columns.size(); k++) {
					if (duckdb::StringUtil::CIEquals(keys.columns[k], name)) {
						return static_cast<int16_t>(k + 1);
					}
				}
				return 0;
			};
			for (auto &constraint : table.GetConstraints()) {
				TableKeys::Key key {0, 0, {}, constraint.get()};
				switch (constraint->type) {
				case duckdb::ConstraintType::UNIQUE: {
					auto &unique = constraint->Cast<duckdb::UniqueConstraint>();
					key.type = unique.IsPrimaryKey() ? 'p' : 'u';
					if (unique.HasIndex()) {
						key.attnums.push_back(static_cast<int16_t>(unique.GetIndex().index + 1));
					} else {
						for (auto &name : unique.GetColumnNames()) {
							key.attnums.push_back(attnum(name));
						}
					}
					break;
				}
				case duckdb::ConstraintType::FOREIGN_KEY: {
					auto &foreign = constraint->Cast<duckdb::ForeignKeyConstraint>();
					if (foreign.info.type == duckdb::ForeignKeyType::FK_TYPE_PRIMARY_KEY_TABLE) {
						continue; // the referenced table's copy of another table's key
					}
					key.type = 'f';
					for (auto &name : foreign.fk_columns) {
						key.attnums.push_back(attnum(name));
					}
					break;
				}
				case duckdb::ConstraintType::CHECK: {
					key.type = 'c';
					std::function<void(const duckdb::ParsedExpression &)> walk = [&](const duckdb::ParsedExpression &node) {
						if (node.GetExpressionClass() == duckdb::ExpressionClass::COLUMN_REF) {
							key.attnums.push_back(attnum(node.Cast<duckdb::ColumnRefExpression>().GetColumnName()));
						}
						duckdb::ParsedExpressionIterator::EnumerateChildren(node, walk);
					};
					walk(*constraint->Cast<duckdb::CheckConstraint>().expression);
					break;
				}
				default:
					continue;
				}
				key.oid = keys.oid * 1000 + static_cast<int64_t>(keys.keys.size()) + 1;
				keys.keys.push_back(std::move(key));
			}
			tables.push_back(std::move(keys));
		});
	});
	return tables;
}

duckdb::Value SmallIntList(const std::vector<int16_t> &values) {
	duckdb::vector<duckdb::Value> list;
	for (auto value : values) {
		list.push_back(duckdb::Value::SMALLINT(value));
	}
	return duckdb::Value::LIST(LogicalType::SMALLINT, std::move(list));
}

duckdb::Value TextList(const std::vector<std::string> &values) {
	duckdb::vector<duckdb::Value> list;
	for (auto &value : values) {
		list.push_back(duckdb::Value(value));
	}
	return duckdb::Value::LIST(LogicalType::VARCHAR, std::move(list));
}

std::string JoinQuoted(const std::vector<std::string> &names) {
	std::string out;
	for (auto &name : names) {
		out += (out.empty() ? "" : ", ") + QuoteIdent(name);
	}
	return out;
}

struct RowsState : public duckdb::GlobalTableFunctionState {
	std::vector<duckdb::vector<duckdb::Value>> rows;
	size_t offset = 0;
};

struct RowsBindData : public duckdb::TableFunctionData {
	std::vector<duckdb::vector<duckdb::Value>> (*produce)(ClientContext &);
};

void EmitRows(ClientContext &, duckdb::TableFunctionInput &input, duckdb::DataChunk &output) {
	auto &state = input.global_state->Cast<RowsState>();
	idx_t count = 0;
	while (state.offset < state.rows.size() && count < STANDARD_VECTOR_SIZE) {
		auto &row = state.rows[state.offset++];
		for (idx_t col = 0; col < row.size(); col++) {
			output.SetValue(col, count, row[col]);
		}
		count++;
	}
	output.SetCardinality(count);
}

duckdb::unique_ptr<duckdb::GlobalTableFunctionState> InitRows(ClientContext &context, duckdb::TableFunctionInitInput &input) {
	auto state = duckdb::make_uniq<RowsState>();
	state->rows = input.bind_data->Cast<RowsBindData>().produce(context);
	return state;
}

std::vector<duckdb::vector<duckdb::Value>> ConstraintRows(ClientContext &context) {
	auto tables = ReadTableKeys(context);
	std::vector<duckdb::vector<duckdb::Value>> rows;
	for (auto &table : tables) {
		auto names = [&](const std::vector<int16_t> &attnums) {
			std::vector<std::string> out;
			for (auto attnum : attnums) {
				out.push_back(attnum > 0 && size_t(attnum) <= table.columns.size() ? table.columns[attnum - 1] : "?");
			}
			return out;
		};
		for (auto &key : table.keys) {
			std::string conname, condef;
			int64_t conindid = 0, confrelid = 0;
			duckdb::Value confkey(LogicalType::LIST(LogicalType::SMALLINT));
			duckdb::Value conbin(LogicalType::VARCHAR);
			auto columns = names(key.attnums);
			std::string column_part;
			for (auto &column : columns) {
				column_part += "_" + column;
			}
			switch (key.type) {
			case 'p':
				conname = table.name + "_pkey";
				condef = "PRIMARY KEY (" + JoinQuoted(columns) + ")";
				conindid = key.oid + 500;
				break;
			case 'u':
				conname = table.name + column_part + "_key";
				condef = "UNIQUE (" + JoinQuoted(columns) + ")";
				conindid = key.oid + 500;
				break;
			case 'f': {
				auto &foreign = key.constraint->Cast<duckdb::ForeignKeyConstraint>();
				conname = table.name + column_part + "_fkey";
				auto schema = foreign.info.schema.empty() ? table.schema : foreign.info.schema;
				const TableKeys *referenced = nullptr;
				for (auto &other : tables) {
					if (duckdb::StringUtil::CIEquals(other.name, foreign.info.table) &&
					    duckdb::StringUtil::CIEquals(other.schema, schema)) {
						referenced = &other;
					}
				}
				std::vector<int16_t> referenced_attnums;
				if (referenced) {
					confrelid = referenced->oid;
					for (auto &name : foreign.pk_columns) {
						for (size_t k = 0; k < referenced->columns.size(); k++) {
							if (duckdb::StringUtil::CIEquals(referenced->columns[k], name)) {
								referenced_attnums.push_back(static_cast<int16_t>(k + 1));
							}
						}
					}
					for (auto &candidate : referenced->keys) {
						if ((candidate.type == 'p' || candidate.type == 'u') && candidate.attnums == referenced_attnums) {
							conindid = candidate.oid + 500;
							break;
						}
					}
				}
				confkey = SmallIntList(referenced_attnums);
				condef = "FOREIGN KEY (" + JoinQuoted(columns) + ") REFERENCES " +
				         (schema == table.schema ? "" : QuoteIdent(schema) + ".") + QuoteIdent(foreign.info.table) + "(" +
				         JoinQuoted(foreign.pk_columns) + ")";
				break;
			}
			default: {
				auto &check = key.constraint->Cast<duckdb::CheckConstraint>();
				auto expression = check.expression->ToString();
				conbin = duckdb::Value(expression);
				condef = "CHECK (" + expression + ")";
				// PostgreSQL names a check after the columns it reads: <table>_<columns>_check.
				conname = table.name + column_part + "_check";
				break;
			}
			}
			rows.push_back({duckdb::Value::BIGINT(key.oid), duckdb::Value(conname), duckdb::Value::BIGINT(table.schema_oid),
			                duckdb::Value(std::string(1, key.type)), duckdb::Value::BIGINT(table.oid), duckdb::Value(table.name),
			                duckdb::Value(table.schema), duckdb::Value::BIGINT(conindid), duckdb::Value::BIGINT(confrelid),
			                SmallIntList(key.attnums), confkey, conbin, duckdb::Value(condef)});
		}
	}
	return rows;
}

std::vector<duckdb::vector<duckdb::Value>> IndexRows(ClientContext &context) {
	std::vector<duckdb::vector<duckdb::Value>> rows;
	auto tables = ReadTableKeys(context);
	for (auto &table : tables) {
		for (auto &key : table.keys) {
			if (key.type != 'p' && key.type != 'u') {
				continue;
			}
			std::vector<std::string> columns;
			std::string column_part;
			for (auto attnum : key.attnums) {
				auto name = attnum > 0 && size_t(attnum) <= table.columns.size() ? table.columns[attnum - 1] : "?";
				columns.push_back(QuoteIdent(name));
				column_part += "_" + name;
			}
			auto relname = key.type == 'p' ? table.name + "_pkey" : table.name + column_part + "_key";
			rows.push_back({duckdb::Value::BIGINT(key.oid + 500), duckdb::Value(relname), duckdb::Value::BIGINT(table.oid),
			                duckdb::Value(table.name), duckdb::Value(table.schema), duckdb::Value::BIGINT(table.schema_oid),
			                duckdb::Value::BOOLEAN(true), duckdb::Value::BOOLEAN(key.type == 'p'), SmallIntList(key.attnums),
			                TextList(columns)});
		}
	}
	auto &catalog = duckdb::Catalog::GetCatalog(context, duckdb::DatabaseManager::GetDefaultDatabase(context));
	catalog.ScanSchemas(context, [&](duckdb::SchemaCatalogEntry &schema) {
		schema.Scan(context, duckdb::CatalogType::INDEX_ENTRY, [&](duckdb::CatalogEntry &entry) {
			auto &index = entry.Cast<duckdb::IndexCatalogEntry>();
			const TableKeys *table = nullptr;
			for (auto &candidate : tables) {
				if (candidate.schema == schema.name && duckdb::StringUtil::CIEquals(candidate.name, index.GetTableName())) {
					table = &candidate;
				}
			}
			if (!table) {
				return;
			}
			auto info = index.GetInfo();
			auto &create = info->Cast<duckdb::CreateIndexInfo>();
			std::vector<int16_t> attnums;
			std::vector<std::string> columns;
			auto &expressions = create.parsed_expressions.empty() ? create.expressions : create.parsed_expressions;
			for (auto &expression : expressions) {
				int16_t attnum = 0;
				if (expression->GetExpressionClass() == duckdb::ExpressionClass::COLUMN_REF) {
					auto name = expression->Cast<duckdb::ColumnRefExpression>().GetColumnName();
					for (size_t k = 0; k < table->columns.size(); k++) {
						if (duckdb::StringUtil::CIEquals(table->columns[k], name)) {
							attnum = static_cast<int16_t>(k + 1);
						}
					}
				}
				attnums.push_back(attnum);
				columns.push_back(attnum ? QuoteIdent(table->columns[attnum - 1]) : "(" + expression->ToString() + ")");
			}
			rows.push_back({duckdb::Value::BIGINT(static_cast<int64_t>(index.oid)), duckdb::Value(index.name),
			                duckdb::Value::BIGINT(table->oid), duckdb::Value(table->name), duckdb::Value(table->schema),
			                duckdb::Value::BIGINT(table->schema_oid), duckdb::Value::BOOLEAN(index.IsUnique()),
			                duckdb::Value::BOOLEAN(index.IsPrimary()), SmallIntList(attnums), TextList(columns)});
		});
	});
	return rows;
}

template <std::vector<duckdb::vector<duckdb::Value>> (*PRODUCE)(ClientContext &)>
duckdb::unique_ptr<duckdb::FunctionData> BindRows(ClientContext &, duckdb::TableFunctionBindInput &,
                                                 duckdb::vector<LogicalType> &types, duckdb::vector<std::string> &names) {
	if (PRODUCE == ConstraintRows) {
		names = {"oid", "conname", "connamespace", "contype", "conrelid", "table_name", "schema_name", "conindid",
		         "confrelid", "conkey", "confkey", "conbin", "condef"};
		types = {LogicalType::BIGINT, LogicalType::VARCHAR, LogicalType::BIGINT, LogicalType::VARCHAR, LogicalType::BIGINT,
		         LogicalType::VARCHAR, LogicalType::VARCHAR, LogicalType::BIGINT, LogicalType::BIGINT,
		         LogicalType::LIST(LogicalType::SMALLINT), LogicalType::LIST(LogicalType::SMALLINT), LogicalType::VARCHAR,
		         LogicalType::VARCHAR};
	} else {
		names = {"indexrelid", "relname", "indrelid", "table_name", "schema_name", "schema_oid", "is_unique", "is_primary",
		         "indkey", "columns"};
		types = {LogicalType::BIGINT, LogicalType::VARCHAR, LogicalType::BIGINT, LogicalType::VARCHAR, LogicalType::VARCHAR,
		         LogicalType::BIGINT, LogicalType::BOOLEAN, LogicalType::BOOLEAN, LogicalType::LIST(LogicalType::SMALLINT),
		         LogicalType::LIST(LogicalType::VARCHAR)};
	}
	auto data = duckdb::make_uniq<RowsBindData>();
	data->produce = PRODUCE;
	return data;
}

// ---------------------------------------------------------------------------------------
// Macros and views, written as DuckDB SQL and installed into the system catalog.

const char *const kMacros[] = {
    // Regular expression operators with PostgreSQL's meaning: a search, not a full match.
    R"(CREATE MACRO pg_catalog."=~"(a, b) AS regexp_matches(a, b))",
    R"(CREATE MACRO pg_catalog."!=~"(a, b) AS NOT regexp_matches(a, b))",
    R"(CREATE MACRO pg_catalog."~*"(a, b) AS regexp_matches(a, b, 'i'))",
    R"(CREATE MACRO pg_catalog."!~*"(a, b) AS NOT regexp_matches(a, b, 'i'))",
    R"(CREATE MACRO pg_catalog.format_type(type_oid_p, typemod_p) AS
        pg_catalog.akko_format_type(type_oid_p, coalesce(typemod_p, -1)))",
    R"(CREATE MACRO pg_catalog.pg_get_userbyid(role_oid_p) AS
        CASE WHEN role_oid_p = 10 THEN current_user ELSE 'unknown (OID=' || role_oid_p || ')' END)",
    R"(CREATE MACRO pg_catalog.pg_encoding_to_char(encoding_p) AS
        CASE encoding_p WHEN 6 THEN 'UTF8' WHEN 0 THEN 'SQL_ASCII' ELSE '' END)",
    R"(CREATE MACRO pg_catalog.pg_char_to_encoding(name_p) AS
        CASE upper(name_p) WHEN 'UTF8' THEN 6 WHEN 'SQL_ASCII' THEN 0 ELSE -1 END)",
    R"(CREATE MACRO pg_catalog.array_upper(array_p, dimension_p) AS
        CASE WHEN dimension_p = 1 AND len(array_p) > 0 THEN len(array_p)::INTEGER END)",
    R"(CREATE MACRO pg_catalog.array_lower(array_p, dimension_p) AS
        CASE WHEN dimension_p = 1 AND len(array_p) > 0 THEN 1 END)",
    R"(CREATE MACRO pg_catalog.array_ndims(array_p) AS CASE WHEN len(array_p) > 0 THEN 1 END)",
    R"(CREATE MACRO pg_catalog.array_dims(array_p) AS CASE WHEN len(array_p) > 0 THEN '[1:' || len(array_p) || ']' END)",
    R"(CREATE MACRO pg_catalog.pg_get_constraintdef(constraint_oid_p) AS
        (SELECT condef FROM pg_catalog.akko_constraint WHERE oid = constraint_oid_p),
        (constraint_oid_p, pretty_p) AS
        (SELECT condef FROM pg_catalog.akko_constraint WHERE oid = constraint_oid_p))",
    R"(CREATE MACRO pg_catalog.pg_get_indexdef(index_oid_p) AS
        (SELECT indexdef FROM pg_catalog.akko_indexdef WHERE indexrelid = index_oid_p),
        (index_oid_p, column_p, pretty_p) AS
        (SELECT CASE WHEN column_p = 0 THEN indexdef ELSE columns[column_p] END
         FROM pg_catalog.akko_indexdef WHERE indexrelid = index_oid_p))",
    R"(CREATE MACRO pg_catalog.pg_get_expr(expression_p, relation_p) AS expression_p,
        (expression_p, relation_p, pretty_p) AS expression_p)",
    R"(CREATE MACRO pg_catalog.pg_get_viewdef(view_oid_p) AS
        (SELECT sql FROM duckdb_views() WHERE view_oid = view_oid_p),
        (view_oid_p, pretty_p) AS (SELECT sql FROM duckdb_views() WHERE view_oid = view_oid_p))",
    R"(CREATE MACRO pg_catalog.pg_get_function_result(function_oid_p) AS
        (SELECT pg_catalog.format_type(pg_catalog.akko_pg_type_oid(any_value(return_type)), NULL)
         FROM duckdb_functions() WHERE function_oid = function_oid_p))",
    R"(CREATE MACRO pg_catalog.pg_get_function_arguments(function_oid_p) AS
        (SELECT array_to_string(list_transform(list_zip(any_value(parameters), any_value(parameter_types)),
                lambda p: CASE WHEN regexp_full_match(p[1], 'col[0-9]+') THEN '' ELSE p[1] || ' ' END
                          || pg_catalog.format_type(pg_catalog.akko_pg_type_oid(coalesce(p[2], 'ANY')), NULL)), ', ')
         FROM duckdb_functions() WHERE function_oid = function_oid_p))",
    R"(CREATE MACRO pg_catalog.pg_get_function_identity_arguments(function_oid_p) AS
        pg_catalog.pg_get_function_arguments(function_oid_p))",
    R"(CREATE MACRO pg_catalog.pg_get_triggerdef(trigger_oid_p) AS NULL::VARCHAR,
        (trigger_oid_p, pretty_p) AS NULL::VARCHAR)",
    R"(CREATE MACRO pg_catalog.pg_get_ruledef(rule_oid_p) AS NULL::VARCHAR, (rule_oid_p, pretty_p) AS NULL::VARCHAR)",
    R"(CREATE MACRO pg_catalog.pg_get_statisticsobjdef_columns(statistics_oid_p) AS NULL::VARCHAR)",
    R"(CREATE MACRO pg_catalog.pg_get_serial_sequence(table_p, column_p) AS NULL::VARCHAR)",
    R"(CREATE MACRO pg_catalog.pg_get_partkeydef(table_oid_p) AS NULL::VARCHAR)",
    R"(CREATE MACRO pg_catalog.pg_relation_is_publishable(relation_p) AS false)",
    // Nothing is partitioned: a relation has no ancestors (a NULL row, harmless in IN lists).
    R"(CREATE MACRO pg_catalog.pg_partition_ancestors(relation_p) AS NULL::regclass)",
    R"(CREATE MACRO pg_catalog.pg_partition_ancestors(relation_p) AS TABLE
        SELECT NULL::regclass AS relid, 0::BIGINT AS ordinality WHERE false)",
    // PostgreSQL joins an empty array to '' (DuckDB: NULL).
    R"(CREATE MACRO pg_catalog.array_to_string(array_p, separator_p) AS
        CASE WHEN array_p IS NOT NULL THEN coalesce(array_to_string(array_p, separator_p), '') END)",
    R"(CREATE MACRO pg_catalog.pg_partition_root(relation_p) AS NULL::regclass)",
    R"(CREATE MACRO pg_catalog.pg_table_size(relation_p) AS 0::BIGINT)",
    R"(CREATE MACRO pg_catalog.pg_indexes_size(relation_p) AS 0::BIGINT)",
    R"(CREATE MACRO pg_catalog.pg_total_relation_size(relation_p) AS 0::BIGINT)",
    R"(CREATE MACRO pg_catalog.pg_relation_size(relation_p) AS 0::BIGINT, (relation_p, fork_p) AS 0::BIGINT)",
    R"(CREATE MACRO pg_catalog.pg_database_size(database_p) AS 0::BIGINT)",
    R"(CREATE MACRO pg_catalog.pg_tablespace_location(tablespace_oid_p) AS '')",
    R"(CREATE MACRO pg_catalog.pg_is_in_recovery() AS false)",
    R"(CREATE MACRO pg_catalog.pg_backend_pid() AS current_connection_id()::INTEGER)",
    R"(CREATE MACRO pg_catalog.txid_current() AS 1::BIGINT)",
    R"(CREATE MACRO pg_catalog.pg_current_xact_id() AS 1::BIGINT)",
    R"(CREATE MACRO pg_catalog.pg_jit_available() AS false)",
    R"(CREATE MACRO pg_catalog.pg_get_keywords() AS TABLE
        SELECT keyword_name AS word,
               CASE keyword_category WHEN 'reserved' THEN 'R' WHEN 'unreserved' THEN 'U' WHEN 'column_name' THEN 'C' ELSE 'T' END AS catcode,
               keyword_category AS catdesc
        FROM duckdb_keywords())",
    R"(CREATE MACRO pg_catalog.to_regclass(name_p) AS TRY_CAST(name_p AS regclass))",
    R"(CREATE MACRO pg_catalog.to_regtype(name_p) AS TRY_CAST(name_p AS regtype))",
    R"(CREATE MACRO pg_catalog.to_regnamespace(name_p) AS TRY_CAST(name_p AS regnamespace))",
    R"(CREATE MACRO pg_catalog.obj_description(object_oid_p) AS
        (SELECT first(description) FROM pg_catalog.pg_description WHERE objoid = object_oid_p AND objsubid = 0),
        (object_oid_p, catalog_p) AS
        (SELECT first(description) FROM pg_catalog.pg_description WHERE objoid = object_oid_p AND objsubid = 0))",
    R"(CREATE MACRO pg_catalog.col_description(table_oid_p, column_p) AS
        (SELECT first(comment) FROM duckdb_columns() WHERE table_oid = table_oid_p AND column_index = column_p))",
    R"(CREATE MACRO pg_catalog.shobj_description(object_oid_p, catalog_p) AS NULL::VARCHAR)",
    R"(CREATE MACRO pg_catalog.json_build_object(k1, v1) AS json_object(k1, v1),
        (k1, v1, k2, v2) AS json_object(k1, v1, k2, v2),
        (k1, v1, k2, v2, k3, v3) AS json_object(k1, v1, k2, v2, k3, v3),
        (k1, v1, k2, v2, k3, v3, k4, v4) AS json_object(k1, v1, k2, v2, k3, v3, k4, v4),
        (k1, v1, k2, v2, k3, v3, k4, v4, k5, v5) AS json_object(k1, v1, k2, v2, k3, v3, k4, v4, k5, v5),
        (k1, v1, k2, v2, k3, v3, k4, v4, k5, v5, k6, v6) AS json_object(k1, v1, k2, v2, k3, v3, k4, v4, k5, v5, k6, v6),
        (k1, v1, k2, v2, k3, v3, k4, v4, k5, v5, k6, v6, k7, v7)
            AS json_object(k1, v1, k2, v2, k3, v3, k4, v4, k5, v5, k6, v6, k7, v7))",
    // PostgreSQL's information_schema helper that pgjdbc uses to walk index keys.
    R"(CREATE MACRO information_schema._pg_expandarray(array_p) AS
        unnest(list_transform(generate_series(1, len(array_p)), lambda akko_n: {'x': array_p[akko_n], 'n': akko_n::INTEGER})))",
};

// Views. Each reads the catalog of the database the session is in (current_database());
// OIDs are DuckDB's catalog OIDs, except constraints and the indexes PostgreSQL keeps for
// primary keys and unique constraints, which DuckDB does not list: those are derived from
// their table's OID (table * 1000 + position, the index 500 above its constraint).
const char *const kViews[] = {
    R"(CREATE VIEW pg_catalog.pg_namespace AS
        SELECT oid, CASE WHEN database_name = 'temp' THEN 'pg_temp' ELSE schema_name END AS nspname,
               10::BIGINT AS nspowner, NULL::VARCHAR[] AS nspacl
        FROM duckdb_schemas()
        WHERE database_name = current_database()
           OR (database_name = 'system' AND schema_name IN ('pg_catalog', 'information_schema'))
           -- Temporary tables live in DuckDB's temp catalog; PostgreSQL shows them in pg_temp.
           OR (database_name = 'temp' AND current_database() <> 'temp'
               AND EXISTS (SELECT 1 FROM duckdb_tables() t WHERE t.database_name = 'temp')))",
    R"(CREATE VIEW pg_catalog.pg_type AS
        SELECT t.oid, t.typname, (SELECT oid FROM duckdb_schemas() WHERE database_name = 'system' AND schema_name = 'pg_catalog') AS typnamespace,
               10::BIGINT AS typowner, t.typlen, t.typlen IN (1, 2, 4, 8) AS typbyval,
               CASE WHEN t.typcategory = 'P' THEN 'p' ELSE 'b' END AS typtype, t.typcategory, false AS typispreferred,
               true AS typisdefined, ',' AS typdelim, 0::BIGINT AS typrelid,
               CASE WHEN t.typcategory = 'A' THEN 'array_subscript_handler' ELSE '-' END AS typsubscript,
               t.typelem, t.typarray, t.typinput, regexp_replace(t.typinput, 'in$', 'out') AS typoutput,
               '-' AS typreceive, '-' AS typsend, '-' AS typmodin, '-' AS typmodout, '-' AS typanalyze,
               CASE t.typlen WHEN 1 THEN 'c' WHEN 2 THEN 's' WHEN 8 THEN 'd' ELSE 'i' END AS typalign,
               CASE WHEN t.typlen > 0 THEN 'p' ELSE 'x' END AS typstorage, false AS typnotnull, 0::BIGINT AS typbasetype,
               -1 AS typtypmod, 0 AS typndims, 0::BIGINT AS typcollation, NULL::VARCHAR AS typdefaultbin,
               NULL::VARCHAR AS typdefault, NULL::VARCHAR[] AS typacl
        FROM pg_catalog.akko_types t
        UNION ALL
        SELECT type_oid, type_name, schema_oid, 10, -1, false, 'e', 'E', false, true, ',', 0, '-', 0, 0, 'enum_in',
               'enum_out', '-', '-', '-', '-', '-', 'i', 'p', false, 0, -1, 0, 0, NULL, NULL, NULL
        FROM duckdb_types() WHERE database_name = current_database() AND logical_type = 'ENUM' AND NOT internal)",
    R"(CREATE VIEW pg_catalog.akko_constraint AS SELECT * FROM pg_catalog.akko_pg_constraints())",
    R"(CREATE VIEW pg_catalog.akko_index AS SELECT * FROM pg_catalog.akko_pg_indexes())",
    R"(CREATE VIEW pg_catalog.akko_indexdef AS
        SELECT indexrelid, relname, indrelid, is_unique, is_primary, indkey, columns, schema_oid,
               'CREATE ' || CASE WHEN is_unique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || pg_catalog.quote_ident(relname)
               || ' ON ' || CASE WHEN schema_name = current_schema() THEN '' ELSE pg_catalog.quote_ident(schema_name) || '.' END
               || pg_catalog.quote_ident(table_name)
               || ' USING btree (' || array_to_string(columns, ', ') || ')' AS indexdef
        FROM pg_catalog.akko_index)",
    R"(CREATE VIEW pg_catalog.pg_class AS
        SELECT table_oid AS oid, table_name AS relname, schema_oid AS relnamespace, 0::BIGINT AS reltype, 0::BIGINT AS reloftype,
               10::BIGINT AS relowner, 2::BIGINT AS relam, 0::BIGINT AS relfilenode, 0::BIGINT AS reltablespace, 0 AS relpages,
               estimated_size::REAL AS reltuples, 0 AS relallvisible, 0::BIGINT AS reltoastrelid,
               index_count > 0 OR has_primary_key OR u.conrelid IS NOT NULL AS relhasindex,
               false AS relisshared, CASE WHEN temporary THEN 't' ELSE 'p' END AS relpersistence, 'r' AS relkind,
               column_count::SMALLINT AS relnatts, check_constraint_count::SMALLINT AS relchecks, false AS relhasrules,
               f.relid IS NOT NULL AS relhastriggers, false AS relhassubclass, false AS relrowsecurity, false AS relforcerowsecurity,
               true AS relispopulated, 'd' AS relreplident, false AS relispartition, 0::BIGINT AS relrewrite,
               0::BIGINT AS relfrozenxid, 0::BIGINT AS relminmxid, NULL::VARCHAR[] AS relacl,
               CAST([] AS VARCHAR[]) AS reloptions,
               NULL::VARCHAR AS relpartbound
        FROM duckdb_tables()
        LEFT JOIN (SELECT DISTINCT conrelid FROM pg_catalog.akko_constraint WHERE contype = 'u') u ON u.conrelid = table_oid
        -- PostgreSQL enforces foreign keys with triggers on both tables.
        LEFT JOIN (SELECT conrelid AS relid FROM pg_catalog.akko_constraint WHERE contype = 'f'
                   UNION SELECT confrelid FROM pg_catalog.akko_constraint WHERE contype = 'f') f ON f.relid = table_oid
        WHERE database_name IN (current_database(), 'temp')
        UNION ALL
        SELECT view_oid, view_name, schema_oid, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, false, false,
               CASE WHEN temporary THEN 't' ELSE 'p' END, 'v', column_count::SMALLINT, 0, true, false, false, false, false,
               true, 'n', false, 0, 0, 0, NULL, [], NULL
        FROM duckdb_views() WHERE database_name IN (current_database(), 'temp') AND NOT internal
        UNION ALL
        SELECT sequence_oid, sequence_name, schema_oid, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, false, false,
               CASE WHEN temporary THEN 't' ELSE 'p' END, 'S', 3, 0, false, false, false, false, false, true, 'n', false, 0, 0, 0,
               NULL, [], NULL
        FROM duckdb_sequences() WHERE database_name IN (current_database(), 'temp')
        UNION ALL
        SELECT indexrelid, relname, schema_oid, 0, 0, 10, 403, 0, 0, 0, 0, 0, 0, false, false, 'p', 'i', len(indkey)::SMALLINT, 0,
               false, false, false, false, false, true, 'n', false, 0, 0, 0, NULL, NULL, NULL
        FROM pg_catalog.akko_index)",
    R"(CREATE VIEW pg_catalog.pg_attribute AS
        WITH cols AS (
            SELECT c.*, pg_catalog.akko_pg_type_oid(c.data_type) AS type_oid
            FROM duckdb_columns() c WHERE c.database_name IN (current_database(), 'temp'))
        SELECT c.table_oid AS attrelid, c.column_name AS attname, c.type_oid AS atttypid, -1 AS attstattarget,
               coalesce(t.typlen, -1)::SMALLINT AS attlen, c.column_index::SMALLINT AS attnum,
               CASE WHEN t.typcategory = 'A' THEN 1 ELSE 0 END AS attndims, -1 AS attcacheoff,
               pg_catalog.akko_pg_typmod(c.data_type) AS atttypmod, coalesce(t.typlen IN (1, 2, 4, 8), false) AS attbyval,
               CASE t.typlen WHEN 1 THEN 'c' WHEN 2 THEN 's' WHEN 8 THEN 'd' ELSE 'i' END AS attalign,
               CASE WHEN t.typlen > 0 THEN 'p' ELSE 'x' END AS attstorage, '' AS attcompression,
               NOT c.is_nullable AS attnotnull, c.column_default IS NOT NULL AS atthasdef, false AS atthasmissing,
               '' AS attidentity, '' AS attgenerated, false AS attisdropped, true AS attislocal, 0 AS attinhcount,
               0::BIGINT AS attcollation, NULL::VARCHAR[] AS attacl, NULL::VARCHAR[] AS attoptions,
               NULL::VARCHAR[] AS attfdwoptions, NULL::VARCHAR AS attmissingval
        FROM cols c LEFT JOIN pg_catalog.pg_type t ON t.oid = c.type_oid)",
    R"(CREATE VIEW pg_catalog.pg_attrdef AS
        SELECT table_oid * 1000 + column_index AS oid, table_oid AS adrelid, column_index::SMALLINT AS adnum,
               column_default AS adbin
        FROM duckdb_columns() WHERE database_name IN (current_database(), 'temp') AND column_default IS NOT NULL)",
    R"(CREATE VIEW pg_catalog.pg_constraint AS
        SELECT oid, conname, connamespace, contype, false AS condeferrable, false AS condeferred, true AS convalidated,
               conrelid, 0::BIGINT AS contypid, conindid, 0::BIGINT AS conparentid, confrelid,
               CASE WHEN contype = 'f' THEN 'a' ELSE ' ' END AS confupdtype,
               CASE WHEN contype = 'f' THEN 'a' ELSE ' ' END AS confdeltype,
               CASE WHEN contype = 'f' THEN 's' ELSE ' ' END AS confmatchtype, true AS conislocal, 0 AS coninhcount,
               false AS connoinherit, conkey, confkey, NULL::BIGINT[] AS conpfeqop, NULL::BIGINT[] AS conppeqop,
               NULL::BIGINT[] AS conffeqop, NULL::SMALLINT[] AS confdelsetcols, NULL::BIGINT[] AS conexclop, conbin
        FROM pg_catalog.akko_constraint)",
    R"(CREATE VIEW pg_catalog.pg_index AS
        SELECT indexrelid, indrelid, len(indkey)::SMALLINT AS indnatts, len(indkey)::SMALLINT AS indnkeyatts,
               is_unique AS indisunique, false AS indnullsnotdistinct, is_primary AS indisprimary, false AS indisexclusion,
               true AS indimmediate, false AS indisclustered, true AS indisvalid, false AS indcheckxmin, true AS indisready,
               true AS indislive, false AS indisreplident,
               -- (through INTEGER[]: DuckDB drops a cast that only adds an alias)
               CAST(CAST(indkey AS INTEGER[]) AS int2vector) AS indkey,
               CAST(list_transform(indkey, lambda k: 0) AS oidvector) AS indcollation,
               CAST(list_transform(indkey, lambda k: 0) AS oidvector) AS indclass,
               CAST(list_transform(indkey, lambda k: 0) AS int2vector) AS indoption,
               CASE WHEN list_contains(indkey, 0) THEN array_to_string(columns, ', ') END AS indexprs,
               NULL::VARCHAR AS indpred
        FROM pg_catalog.akko_index)",
    R"(CREATE VIEW pg_catalog.pg_indexes AS
        SELECT n.nspname AS schemaname, c.relname AS tablename, i.relname AS indexname, NULL::VARCHAR AS tablespace,
               i.indexdef
        FROM pg_catalog.akko_indexdef i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace)",
    R"(CREATE VIEW pg_catalog.pg_tables AS
        SELECT schema_name AS schemaname, table_name AS tablename, current_user AS tableowner, NULL::VARCHAR AS tablespace,
               index_count > 0 OR has_primary_key AS hasindexes, false AS hasrules, false AS hastriggers,
               false AS rowsecurity
        FROM duckdb_tables() WHERE database_name = current_database())",
    R"(CREATE VIEW pg_catalog.pg_views AS
        SELECT schema_name AS schemaname, view_name AS viewname, current_user AS viewowner, sql AS definition
        FROM duckdb_views() WHERE database_name = current_database() AND NOT internal)",
    R"(CREATE VIEW pg_catalog.pg_matviews AS
        SELECT NULL::VARCHAR AS schemaname, NULL::VARCHAR AS matviewname, NULL::VARCHAR AS matviewowner,
               NULL::VARCHAR AS tablespace, false AS hasindexes, false AS ispopulated, NULL::VARCHAR AS definition
        WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_sequences AS
        SELECT schema_name AS schemaname, sequence_name AS sequencename, current_user AS sequenceowner, 20::BIGINT AS data_type,
               start_value, min_value, max_value, increment_by, cycle, 1::BIGINT AS cache_size, last_value
        FROM duckdb_sequences() WHERE database_name = current_database())",
    R"(CREATE VIEW pg_catalog.pg_database AS
        SELECT database_oid AS oid, database_name AS datname, 10::BIGINT AS datdba, 6 AS encoding, 'c' AS datlocprovider,
               false AS datistemplate, true AS datallowconn, -1 AS datconnlimit, 0::BIGINT AS datfrozenxid,
               0::BIGINT AS datminmxid, 1663::BIGINT AS dattablespace, 'C.UTF-8' AS datcollate, 'C.UTF-8' AS datctype,
               NULL::VARCHAR AS daticulocale, NULL::VARCHAR AS datcollversion, NULL::VARCHAR[] AS datacl
        FROM duckdb_databases() WHERE NOT internal)",
    R"(CREATE VIEW pg_catalog.pg_roles AS
        SELECT current_user AS rolname, true AS rolsuper, true AS rolinherit, true AS rolcreaterole, true AS rolcreatedb,
               true AS rolcanlogin, false AS rolreplication, -1 AS rolconnlimit, '********' AS rolpassword,
               NULL::TIMESTAMPTZ AS rolvaliduntil, true AS rolbypassrls, NULL::VARCHAR[] AS rolconfig, 10::BIGINT AS oid)",
    R"(CREATE VIEW pg_catalog.pg_authid AS
        SELECT 10::BIGINT AS oid, current_user AS rolname, true AS rolsuper, true AS rolinherit, true AS rolcreaterole,
               true AS rolcreatedb, true AS rolcanlogin, false AS rolreplication, true AS rolbypassrls, -1 AS rolconnlimit,
               NULL::VARCHAR AS rolpassword, NULL::TIMESTAMPTZ AS rolvaliduntil)",
    R"(CREATE VIEW pg_catalog.pg_user AS
        SELECT current_user AS usename, 10::BIGINT AS usesysid, true AS usecreatedb, true AS usesuper, false AS userepl,
               true AS usebypassrls, '********' AS passwd, NULL::TIMESTAMPTZ AS valuntil, NULL::VARCHAR[] AS useconfig)",
    R"(CREATE VIEW pg_catalog.pg_auth_members AS
        SELECT 0::BIGINT AS oid, 0::BIGINT AS roleid, 0::BIGINT AS member, 0::BIGINT AS grantor, false AS admin_option
        WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_am AS
        SELECT * FROM (VALUES (2::BIGINT, 'heap', 'heap_tableam_handler', 't'), (403::BIGINT, 'btree', 'bthandler', 'i'))
            t(oid, amname, amhandler, amtype))",
    R"(CREATE VIEW pg_catalog.pg_tablespace AS
        SELECT * FROM (VALUES (1663::BIGINT, 'pg_default', 10::BIGINT, NULL::VARCHAR[], NULL::VARCHAR[]),
                              (1664::BIGINT, 'pg_global', 10::BIGINT, NULL::VARCHAR[], NULL::VARCHAR[]))
            t(oid, spcname, spcowner, spcacl, spcoptions))",
    R"(CREATE VIEW pg_catalog.pg_collation AS
        SELECT * FROM (VALUES (100::BIGINT, 'default', 'd'), (950::BIGINT, 'C', 'c'), (951::BIGINT, 'POSIX', 'c'))
            t(oid, collname, collprovider),
            (SELECT oid AS collnamespace FROM duckdb_schemas() WHERE database_name = 'system' AND schema_name = 'pg_catalog'),
            (SELECT 10::BIGINT AS collowner, true AS collisdeterministic, -1 AS collencoding, NULL::VARCHAR AS collcollate,
                    NULL::VARCHAR AS collctype, NULL::VARCHAR AS colliculocale, NULL::VARCHAR AS collversion))",
    R"(CREATE VIEW pg_catalog.pg_description AS
        WITH pg_class_oid AS (
            SELECT view_oid AS classoid FROM duckdb_views()
            WHERE database_name = 'system' AND schema_name = 'pg_catalog' AND view_name = 'pg_class')
        SELECT objoid, classoid, objsubid, description FROM pg_class_oid, (
            SELECT table_oid AS objoid, 0 AS objsubid, comment AS description
            FROM duckdb_tables() WHERE database_name = current_database() AND comment IS NOT NULL
            UNION ALL
            SELECT view_oid, 0, comment
            FROM duckdb_views() WHERE database_name = current_database() AND NOT internal AND comment IS NOT NULL
            UNION ALL
            SELECT table_oid, column_index, comment
            FROM duckdb_columns() WHERE database_name = current_database() AND comment IS NOT NULL))",
    R"(CREATE VIEW pg_catalog.pg_shdescription AS
        SELECT 0::BIGINT AS objoid, 0::BIGINT AS classoid, NULL::VARCHAR AS description WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_inherits AS
        SELECT 0::BIGINT AS inhrelid, 0::BIGINT AS inhparent, 0 AS inhseqno, false AS inhdetachpending WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_partitioned_table AS
        SELECT 0::BIGINT AS partrelid, '' AS partstrat, 0::SMALLINT AS partnatts, 0::BIGINT AS partdefid,
               CAST([] AS int2vector) AS partattrs, CAST([] AS oidvector) AS partclass,
               CAST([] AS oidvector) AS partcollation, NULL::VARCHAR AS partexprs
        WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_trigger AS
        SELECT 0::BIGINT AS oid, 0::BIGINT AS tgrelid, 0::BIGINT AS tgparentid, '' AS tgname, 0::BIGINT AS tgfoid,
               0::SMALLINT AS tgtype, '' AS tgenabled, false AS tgisinternal, 0::BIGINT AS tgconstrrelid,
               0::BIGINT AS tgconstrindid, 0::BIGINT AS tgconstraint, false AS tgdeferrable, false AS tginitdeferred,
               0::SMALLINT AS tgnargs, CAST([] AS int2vector) AS tgattr, NULL::BLOB AS tgargs, NULL::VARCHAR AS tgqual,
               NULL::VARCHAR AS tgoldtable, NULL::VARCHAR AS tgnewtable
        WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_rewrite AS
        SELECT 0::BIGINT AS oid, '' AS rulename, 0::BIGINT AS ev_class, '' AS ev_type, '' AS ev_enabled,
               false AS is_instead, NULL::VARCHAR AS ev_qual, NULL::VARCHAR AS ev_action
        WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_policy AS
        SELECT 0::BIGINT AS oid, '' AS polname, 0::BIGINT AS polrelid, '' AS polcmd, true AS polpermissive,
               CAST([] AS BIGINT[]) AS polroles, NULL::VARCHAR AS polqual, NULL::VARCHAR AS polwithcheck
        WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_policies AS
        SELECT '' AS schemaname, '' AS tablename, '' AS policyname, '' AS permissive, CAST([] AS VARCHAR[]) AS roles,
               '' AS cmd, NULL::VARCHAR AS qual, NULL::VARCHAR AS with_check
        WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_statistic_ext AS
        SELECT 0::BIGINT AS oid, 0::BIGINT AS stxrelid, '' AS stxname, 0::BIGINT AS stxnamespace, 0::BIGINT AS stxowner,
               -1 AS stxstattarget, CAST([] AS int2vector) AS stxkeys, CAST([] AS VARCHAR[]) AS stxkind,
               NULL::VARCHAR AS stxexprs
        WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_publication AS
        SELECT 0::BIGINT AS oid, '' AS pubname, 0::BIGINT AS pubowner, false AS puballtables, false AS pubinsert,
               false AS pubupdate, false AS pubdelete, false AS pubtruncate, false AS pubviaroot
        WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_publication_namespace AS
        SELECT 0::BIGINT AS oid, 0::BIGINT AS pnpubid, 0::BIGINT AS pnnspid WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_publication_rel AS
        SELECT 0::BIGINT AS oid, 0::BIGINT AS prpubid, 0::BIGINT AS prrelid, NULL::VARCHAR AS prqual,
               CAST([] AS int2vector) AS prattrs
        WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_foreign_table AS
        SELECT 0::BIGINT AS ftrelid, 0::BIGINT AS ftserver, NULL::VARCHAR[] AS ftoptions WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_foreign_server AS
        SELECT 0::BIGINT AS oid, '' AS srvname, 0::BIGINT AS srvowner, 0::BIGINT AS srvfdw, NULL::VARCHAR AS srvtype,
               NULL::VARCHAR AS srvversion, NULL::VARCHAR[] AS srvacl, NULL::VARCHAR[] AS srvoptions
        WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_extension AS
        SELECT 0::BIGINT AS oid, '' AS extname, 10::BIGINT AS extowner, 0::BIGINT AS extnamespace,
               false AS extrelocatable, '' AS extversion, NULL::BIGINT[] AS extconfig, NULL::VARCHAR[] AS extcondition
        WHERE false)",
    R"(CREATE VIEW pg_catalog.pg_language AS
        SELECT * FROM (VALUES (12::BIGINT, 'internal'), (13::BIGINT, 'c'), (14::BIGINT, 'sql')) t(oid, lanname),
            (SELECT 10::BIGINT AS lanowner, false AS lanispl, false AS lanpltrusted, 0::BIGINT AS lanplcallfoid,
                    0::BIGINT AS laninline, 0::BIGINT AS lanvalidator, NULL::VARCHAR[] AS lanacl))",
    R"(CREATE VIEW pg_catalog.pg_range AS
        SELECT 0::BIGINT AS rngtypid, 0::BIGINT AS rngsubtype, 0::BIGINT AS rngmultitypid, 0::BIGINT AS rngcollation,
               0::BIGINT AS rngsubopc, '-' AS rngcanonical, '-' AS rngsubdiff
        WHERE false)",
    // Functions of this database and PostgreSQL's (every DuckDB built-in is also in pg_catalog).
    R"(CREATE VIEW pg_catalog.pg_proc AS
        SELECT f.function_oid AS oid, f.function_name AS proname, s.oid AS pronamespace, 10::BIGINT AS proowner,
               CASE WHEN f.function_type = 'macro' THEN 14 ELSE 12 END::BIGINT AS prolang, 1::REAL AS procost,
               0::REAL AS prorows, 0::BIGINT AS provariadic, '-' AS prosupport,
               CASE f.function_type WHEN 'aggregate' THEN 'a' ELSE 'f' END AS prokind, false AS prosecdef,
               false AS proleakproof, false AS proisstrict, f.function_type = 'table' AS proretset,
               CASE f.stability WHEN 'CONSISTENT' THEN 'i' WHEN 'CONSISTENT_WITHIN_QUERY' THEN 's' ELSE 'v' END AS provolatile,
               'u' AS proparallel, len(f.parameters)::SMALLINT AS pronargs, 0::SMALLINT AS pronargdefaults,
               pg_catalog.akko_pg_type_oid(coalesce(f.return_type, 'ANY')) AS prorettype,
               list_transform(f.parameter_types, lambda t: pg_catalog.akko_pg_type_oid(coalesce(t, 'ANY'))) AS proargtypes,
               NULL::BIGINT[] AS proallargtypes, NULL::VARCHAR[] AS proargmodes, f.parameters AS proargnames,
               NULL::VARCHAR AS proargdefaults, NULL::BIGINT[] AS protrftypes, f.macro_definition AS prosrc,
               NULL::VARCHAR AS probin, NULL::VARCHAR AS prosqlbody, NULL::VARCHAR[] AS proconfig, NULL::VARCHAR[] AS proacl
        FROM duckdb_functions() f JOIN duckdb_schemas() s USING (database_name, schema_name)
        WHERE f.database_name = current_database() OR (f.database_name = 'system' AND f.schema_name = 'pg_catalog'))",
    R"(CREATE VIEW pg_catalog.pg_settings AS
        SELECT name, value AS setting, NULL::VARCHAR AS unit, 'Ungrouped' AS category, description AS short_desc,
               NULL::VARCHAR AS extra_desc, 'user' AS context,
               CASE input_type WHEN 'BOOLEAN' THEN 'bool' WHEN 'BIGINT' THEN 'integer' WHEN 'UBIGINT' THEN 'integer'
                    WHEN 'DOUBLE' THEN 'real' ELSE 'string' END AS vartype,
               'default' AS source, NULL::VARCHAR AS min_val, NULL::VARCHAR AS max_val, NULL::VARCHAR[] AS enumvals,
               value AS boot_val, value AS reset_val, NULL::VARCHAR AS sourcefile, NULL::INTEGER AS sourceline,
               false AS pending_restart
        FROM duckdb_settings())",
};

duckdb::unique_ptr<duckdb::CreateInfo> Parse(ClientContext &context, const std::string &sql) {
	duckdb::Parser parser(context.GetParserOptions());
	parser.ParseQuery(sql);
	if (parser.statements.size() != 1 || parser.statements[0]->type != duckdb::StatementType::CREATE_STATEMENT) {
		throw duckdb::InternalException("pg_compat: not one CREATE statement: %s", sql);
	}
	auto info = std::move(parser.statements[0]->Cast<duckdb::CreateStatement>().info);
	info->catalog = SYSTEM_CATALOG;
	info->internal = true;
	info->temporary = true;
	info->on_conflict = duckdb::OnCreateConflict::REPLACE_ON_CONFLICT;
	return info;
}

void InstallSql(ClientContext &context, duckdb::Catalog &system, const std::string &sql) {
	auto info = Parse(context, sql);
	if (info->type == duckdb::CatalogType::VIEW_ENTRY) {
		auto &view = info->Cast<duckdb::CreateViewInfo>();
		duckdb::Binder::CreateBinder(context)->BindCreateViewInfo(view);
		system.CreateView(context, view);
	} else {
		system.CreateFunction(context, info->Cast<duckdb::CreateFunctionInfo>());
	}
}

void InstallTypes(ClientContext &context, duckdb::Catalog &system) {
	auto type = [&](const char *name, LogicalType logical_type) {
		duckdb::CreateTypeInfo info(name, std::move(logical_type));
		info.catalog = SYSTEM_CATALOG;
		info.schema = "pg_catalog";
		info.internal = true;
		info.temporary = true;
		info.on_conflict = duckdb::OnCreateConflict::REPLACE_ON_CONFLICT;
		system.CreateType(context, info);
	};
	for (auto name : {"regclass", "regtype", "regnamespace", "regrole", "regproc", "regprocedure", "regoper", "regconfig"}) {
		type(name, Aliased(LogicalType::VARCHAR, name));
	}
	type("int2vector", Aliased(LogicalType::LIST(LogicalType::SMALLINT), "int2vector"));
	type("oidvector", Aliased(LogicalType::LIST(LogicalType::BIGINT), "oidvector"));
	for (auto name : {"name", "char", "pg_node_tree", "aclitem", "cstring", "unknown"}) {
		type(name, LogicalType::VARCHAR);
	}
	for (auto name : {"xid", "xid8", "cid", "tid", "regoperator"}) {
		type(name, LogicalType::BIGINT);
	}
	type("jsonb", LogicalType::JSON());
}

void InstallCasts(duckdb::DatabaseInstance &database) {
	auto &casts = duckdb::DBConfig::GetConfig(database).GetCastFunctions();
	RegisterRegCasts<RegKind::Class>(casts, Aliased(LogicalType::VARCHAR, "regclass"));
	RegisterRegCasts<RegKind::Type>(casts, Aliased(LogicalType::VARCHAR, "regtype"));
	RegisterRegCasts<RegKind::Namespace>(casts, Aliased(LogicalType::VARCHAR, "regnamespace"));
	RegisterRegCasts<RegKind::Role>(casts, Aliased(LogicalType::VARCHAR, "regrole"));
	RegisterRegCasts<RegKind::Proc>(casts, Aliased(LogicalType::VARCHAR, "regproc"));
	RegisterRegCasts<RegKind::Proc>(casts, Aliased(LogicalType::VARCHAR, "regprocedure"));
	casts.RegisterCastFunction(Aliased(LogicalType::LIST(LogicalType::SMALLINT), "int2vector"), LogicalType::VARCHAR,
	                           duckdb::BoundCastInfo(VectorToText), 300);
	casts.RegisterCastFunction(Aliased(LogicalType::LIST(LogicalType::BIGINT), "oidvector"), LogicalType::VARCHAR,
	                           duckdb::BoundCastInfo(VectorToText), 300);
	// ... and are plain lists to every list function (unnest, generate_subscripts, [], ...).
	for (auto &vector : {Aliased(LogicalType::LIST(LogicalType::SMALLINT), "int2vector"),
	                     Aliased(LogicalType::LIST(LogicalType::BIGINT), "oidvector")}) {
		auto plain = LogicalType::LIST(duckdb::ListType::GetChildType(vector));
		casts.RegisterCastFunction(vector, plain, duckdb::BoundCastInfo(duckdb::DefaultCasts::ReinterpretCast), 1);
		casts.RegisterCastFunction(vector, LogicalType::LIST(LogicalType::ANY),
		                           duckdb::BoundCastInfo(duckdb::DefaultCasts::ReinterpretCast), 1);
	}
	casts.RegisterCastFunction(LogicalType::VARCHAR, LogicalType::LIST(LogicalType::ANY), BindArrayTextCast);
}

void InstallFunctions(ClientContext &context, duckdb::Catalog &system) {
	auto add = [&](duckdb::ScalarFunction function, const char *schema) {
		duckdb::CreateScalarFunctionInfo info(std::move(function));
		info.catalog = SYSTEM_CATALOG;
		info.schema = schema;
		info.internal = true;
		info.on_conflict = duckdb::OnCreateConflict::REPLACE_ON_CONFLICT;
		system.CreateFunction(context, info);
	};
	duckdb::ScalarFunction type_oid("akko_pg_type_oid", {LogicalType::VARCHAR}, LogicalType::BIGINT, TypeOidFunction,
	                                nullptr, nullptr, nullptr, InitTypeCache);
	add(type_oid, "pg_catalog");
	duckdb::ScalarFunction typmod("akko_pg_typmod", {LogicalType::VARCHAR}, LogicalType::INTEGER, TypeModifierFunction,
	                              nullptr, nullptr, nullptr, InitTypeCache);
	add(typmod, "pg_catalog");
	add(duckdb::ScalarFunction("akko_format_type", {LogicalType::BIGINT, LogicalType::INTEGER}, LogicalType::VARCHAR,
	                           FormatTypeFunction),
	    "pg_catalog");
	auto table_function = [&](duckdb::TableFunction function) {
		duckdb::CreateTableFunctionInfo info(std::move(function));
		info.catalog = SYSTEM_CATALOG;
		info.schema = "pg_catalog";
		info.internal = true;
		info.on_conflict = duckdb::OnCreateConflict::REPLACE_ON_CONFLICT;
		system.CreateTableFunction(context, info);
	};
	table_function(duckdb::TableFunction("akko_pg_constraints", {}, EmitRows, BindRows<ConstraintRows>, InitRows));
	table_function(duckdb::TableFunction("akko_pg_indexes", {}, EmitRows, BindRows<IndexRows>, InitRows));
	add(duckdb::ScalarFunction("quote_ident", {LogicalType::VARCHAR}, LogicalType::VARCHAR, QuoteIdentFunction),
	    "pg_catalog");
	// version() answers like PostgreSQL (clients parse "PostgreSQL X.Y"), naming what runs.
	for (auto schema : {DEFAULT_SCHEMA, "pg_catalog"}) {
		duckdb::ScalarFunction version("version", {}, LogicalType::VARCHAR, VersionFunction);
		version.stability = duckdb::FunctionStability::CONSISTENT;
		add(version, schema);
	}
}

// pg_type's rows, from the one table in pg_types.cpp.
std::string TypesView() {
	std::string values;
	for (auto &type : PgTypes()) {
		values += fmt::format("{}({}::BIGINT, '{}', {}::SMALLINT, '{}', {}::BIGINT, {}::BIGINT, '{}')", values.empty() ? "" : ", ",
		                      type.oid, type.name, type.length, type.category, type.element, type.array, type.input);
	}
	return "CREATE VIEW pg_catalog.akko_types AS SELECT * FROM (VALUES " + values +
	       ") t(oid, typname, typlen, typcategory, typelem, typarray, typinput)";
}

// DuckDB's own functions under pg_catalog too: clients qualify built-ins
// (pg_catalog.generate_series, pg_catalog.array_to_string, pg_catalog.lower, ...).
void MirrorBuiltins(ClientContext &context, duckdb::Catalog &system) {
	auto &main = system.GetSchema(context, DEFAULT_SCHEMA);
	auto &pg_catalog = system.GetSchema(context, "pg_catalog");
	std::vector<duckdb::unique_ptr<duckdb::CreateFunctionInfo>> copies;
	// Scalar functions, aggregates and macros share one catalog set: one scan sees them all.
	for (auto scanned : {duckdb::CatalogType::SCALAR_FUNCTION_ENTRY, duckdb::CatalogType::TABLE_FUNCTION_ENTRY}) {
		main.Scan(context, scanned, [&](duckdb::CatalogEntry &entry) {
			auto type = entry.type;
			if (pg_catalog.GetEntry(duckdb::CatalogTransaction(system, context), type, entry.name)) {
				return;
			}
			duckdb::unique_ptr<duckdb::CreateFunctionInfo> info;
			switch (type) {
			case duckdb::CatalogType::SCALAR_FUNCTION_ENTRY:
				info = duckdb::make_uniq<duckdb::CreateScalarFunctionInfo>(entry.Cast<duckdb::ScalarFunctionCatalogEntry>().functions);
				break;
			case duckdb::CatalogType::AGGREGATE_FUNCTION_ENTRY:
				info = duckdb::make_uniq<duckdb::CreateAggregateFunctionInfo>(
				    entry.Cast<duckdb::AggregateFunctionCatalogEntry>().functions);
				break;
			case duckdb::CatalogType::TABLE_FUNCTION_ENTRY:
				info = duckdb::make_uniq<duckdb::CreateTableFunctionInfo>(entry.Cast<duckdb::TableFunctionCatalogEntry>().functions);
				break;
			case duckdb::CatalogType::MACRO_ENTRY:
			case duckdb::CatalogType::TABLE_MACRO_ENTRY:
				info = duckdb::unique_ptr_cast<duckdb::CreateInfo, duckdb::CreateFunctionInfo>(entry.GetInfo());
				break;
			default:
				return;
			}
			info->name = entry.name;
			copies.push_back(std::move(info));
		});
	}
	for (auto &info : copies) {
		info->catalog = SYSTEM_CATALOG;
		info->schema = "pg_catalog";
		info->internal = true;
		info->on_conflict = duckdb::OnCreateConflict::IGNORE_ON_CONFLICT;
		system.CreateFunction(context, *info);
	}
}

void InstallSettings(duckdb::DatabaseInstance &database) {
	auto &config = duckdb::DBConfig::GetConfig(database);
	for (auto &setting : PgSettings()) {
		std::string name(setting.name);
		if (duckdb::DBConfig::GetOptionByName(name) || config.extension_parameters.count(name)) {
			continue;
		}
		config.AddExtensionOption(name, "PostgreSQL setting, reported to PostgreSQL clients", LogicalType::VARCHAR,
		                          duckdb::Value(std::string(setting.value)));
	}
}

} // namespace

void InstallPgCompat(duckdb::Connection &connection) {
	auto result = connection.Query("SET GLOBAL TimeZone = 'UTC'");
	if (result->HasError()) {
		RaiseError(result->GetErrorObject());
	}
	auto &context = *connection.context;
	auto &database = *context.db;
	InstallSettings(database);
	InstallCasts(database);
	context.RunFunctionInTransaction([&] {
		auto &system = duckdb::Catalog::GetSystemCatalog(context);
		InstallTypes(context, system);
		InstallFunctions(context, system);
		for (auto sql : kMacros) {
			InstallSql(context, system, sql);
		}
		InstallSql(context, system, TypesView());
		for (auto sql : kViews) {
			InstallSql(context, system, sql);
		}
		MirrorBuiltins(context, system);
	});
}

} // namespace akko::engine
