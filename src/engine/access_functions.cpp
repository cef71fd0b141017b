// The functions row filters and column masks are written with: what the principal is
// (current_user_attribute, current_user_roles) and the built-in masks.
#include "engine/duckdb_internal.hpp"
#include "engine/session_access.hpp"

#include "common/hex.hpp"
#include "duckdb/parser/parsed_data/create_scalar_function_info.hpp"

namespace akko::engine {

namespace {

using namespace duckdb;

constexpr const char *kRedacted = "****";

void CurrentUserAttribute(DataChunk &args, ExpressionState &state, Vector &result) {
	auto *guard = GuardOf(state.GetContext());
	UnaryExecutor::ExecuteWithNulls<string_t, string_t>(
	    args.data[0], result, args.size(), [&](string_t key, ValidityMask &mask, idx_t row) {
		    auto value = guard ? guard->Attribute(key.GetString()) : std::nullopt;
		    if (!value) {
			    mask.SetInvalid(row);
			    return string_t();
		    }
		    return StringVector::AddString(result, *value);
	    });
}

void CurrentUserRoles(DataChunk &args, ExpressionState &state, Vector &result) {
	auto *guard = GuardOf(state.GetContext());
	vector<Value> roles;
	if (guard) {
		for (auto &role : guard->Roles()) {
			roles.emplace_back(role);
		}
	}
	result.Reference(Value::LIST(LogicalType::VARCHAR, std::move(roles)));
}

// Any value: NULL of its own type; text: a fixed run of asterisks, so its length hides too.
unique_ptr<FunctionData> BindMaskFull(ClientContext &context, ScalarFunction &function,
                                      vector<unique_ptr<Expression>> &arguments) {
	function.arguments[0] = arguments[0]->return_type;
	function.return_type = arguments[0]->return_type;
	return nullptr;
}

void MaskFull(DataChunk &args, ExpressionState &state, Vector &result) {
	if (result.GetType().id() == LogicalTypeId::VARCHAR) {
		result.Reference(Value(kRedacted));
	} else {
		result.Reference(Value(result.GetType()));
	}
}

// "alice@example.com" -> "a****@example.com": the domain stays, the mailbox goes.
void MaskEmail(DataChunk &args, ExpressionState &state, Vector &result) {
	UnaryExecutor::Execute<string_t, string_t>(args.data[0], result, args.size(), [&](string_t input) {
		auto text = input.GetString();
		auto at = text.find('@');
		if (at == std::string::npos || at == 0) {
			return StringVector::AddString(result, kRedacted);
		}
		return StringVector::AddString(result, text.substr(0, 1) + kRedacted + text.substr(at));
	});
}

// Every digit but the last four becomes '*': "+41 79 123 45 67" -> "+** ** *** 45 67".
void MaskPhone(DataChunk &args, ExpressionState &state, Vector &result) {
	UnaryExecutor::Execute<string_t, string_t>(args.data[0], result, args.size(), [&](string_t input) {
		auto text = input.GetString();
		size_t digits = 0;
		for (char c : text) {
			digits += c >= '0' && c <= '9';
		}
		size_t seen = 0;
		for (auto &c : text) {
			if (c >= '0' && c <= '9' && seen++ + 4 < digits) {
				c = '*';
			}
		}
		return StringVector::AddString(result, text);
	});
}

// The SHA-256 of the text, hex: equal values stay equal (joins and counts still work).
void MaskHash(DataChunk &args, ExpressionState &state, Vector &result) {
	UnaryExecutor::Execute<string_t, string_t>(args.data[0], result, args.size(), [&](string_t input) {
		return StringVector::AddString(result, Sha256Hex(input.GetString()));
	});
}

void Register(Catalog &catalog, ClientContext &context, ScalarFunction function) {
	function.stability = FunctionStability::CONSISTENT_WITHIN_QUERY;
	CreateScalarFunctionInfo info(function);
	info.internal = true;
	info.on_conflict = OnCreateConflict::REPLACE_ON_CONFLICT;
	catalog.CreateFunction(context, info);
}

} // namespace

void InstallAccessFunctions(DatabaseInstance &database) {
	Connection connection(database);
	auto &context = *connection.context;
	connection.BeginTransaction();
	auto &catalog = Catalog::GetSystemCatalog(context);
	Register(catalog, context,
	         ScalarFunction("current_user_attribute", {LogicalType::VARCHAR}, LogicalType::VARCHAR, CurrentUserAttribute));
	Register(catalog, context,
	         ScalarFunction("current_user_roles", {}, LogicalType::LIST(LogicalType::VARCHAR), CurrentUserRoles));
	Register(catalog, context, ScalarFunction("mask_full", {LogicalType::ANY}, LogicalType::ANY, MaskFull, BindMaskFull));
	Register(catalog, context, ScalarFunction("mask_email", {LogicalType::VARCHAR}, LogicalType::VARCHAR, MaskEmail));
	Register(catalog, context, ScalarFunction("mask_phone", {LogicalType::VARCHAR}, LogicalType::VARCHAR, MaskPhone));
	Register(catalog, context, ScalarFunction("mask_hash", {LogicalType::VARCHAR}, LogicalType::VARCHAR, MaskHash));
	connection.Commit();
}

} // namespace akko::engine
