#include "iceberg/schema.hpp"

#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "iceberg/metadata_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

namespace akko::iceberg {

using namespace metadata_json;

namespace {

// Calls `visit(path, full_name)` for every field, parents before children; `path` ends with
// the field itself. Stops early when `visit` returns true, and returns whether it did.
using FieldVisitor = std::function<bool(const std::vector<const NestedField *> &path, const std::string &name)>;

bool VisitFields(const std::vector<NestedField> &fields, std::vector<const NestedField *> &path,
                 const std::string &prefix, const FieldVisitor &visit) {
	for (auto &field : fields) {
		auto name = prefix.empty() ? field.name : prefix + "." + field.name;
		path.push_back(&field);
		bool stop = visit(path, name) || (field.type && VisitFields(field.type->fields, path, name, visit));
		path.pop_back();
		if (stop) {
			return true;
		}
	}
	return false;
}

bool VisitFields(const Schema &schema, const FieldVisitor &visit) {
	std::vector<const NestedField *> path;
	return VisitFields(schema.fields, path, "", visit);
}

bool IsV3Type(TypeId id) {
	return id == TypeId::TimestampNs || id == TypeId::TimestampTzNs || id == TypeId::Variant || id == TypeId::Unknown ||
	       id == TypeId::Geometry || id == TypeId::Geography;
}

void ValidateIdentifierField(const Schema &schema, int32_t id) {
	auto path = schema.FieldPath(id);
	if (path.empty()) {
		throw Error(ErrorCode::InvalidInput,
		            fmt::format("cannot add field id {} as an identifier field: field does not exist", id));
	}
	auto &field = *path.back();
	auto fail = [&](std::string_view why) {
		throw Error(ErrorCode::InvalidInput,
		            fmt::format("cannot add field \"{}\" as an identifier field: {}", field.name, why));
	};
	if (!field.type->IsPrimitive()) {
		fail("not a primitive type field");
	}
	if (!field.required) {
		fail("not a required field");
	}
	if (field.type->id == TypeId::Float || field.type->id == TypeId::Double) {
		fail("must not be float or double field");
	}
	for (size_t i = 0; i + 1 < path.size(); i++) {
		auto &parent = *path[i];
		if (parent.type->id == TypeId::List || parent.type->id == TypeId::Map) {
			fail(fmt::format("must not be nested in \"{}\" of type {}", parent.name, parent.type->ToString()));
		}
		if (!parent.required) {
			fail(fmt::format("must not be nested in optional field \"{}\"", parent.name));
		}
	}
}

void AssignIds(std::vector<NestedField> &fields, int32_t &next);

TypePtr FreshType(const TypePtr &type, int32_t &next) {
	if (!type->IsNested()) {
		return type;
	}
	auto fresh = std::make_shared<Type>(*type);
	AssignIds(fresh->fields, next);
	return fresh;
}

void AssignIds(std::vector<NestedField> &fields, int32_t &next) {
	// Java's AssignFreshIds numbers all fields of one struct (or a map's key and value) before
	// descending into any of them.
	for (auto &field : fields) {
		if (next == std::numeric_limits<int32_t>::max()) {
			throw Error(ErrorCode::InvalidInput, "no field ids are left to assign");
		}
		field.id = ++next;
	}
	for (auto &field : fields) {
		field.type = FreshType(field.type, next);
	}
}

} // namespace

const NestedField *Schema::FindField(int32_t id) const {
	auto path = FieldPath(id);
	return path.empty() ? nullptr : path.back();
}

const NestedField *Schema::FindFieldByName(std::string_view name, bool case_sensitive) const {
	const NestedField *found = nullptr;
	auto wanted = case_sensitive ? std::string(name) : ToLower(name);
	VisitFields(*this, [&](const std::vector<const NestedField *> &path, const std::string &full_name) {
		if ((case_sensitive ? full_name : ToLower(full_name)) == wanted) {
			found = path.back();
			return true;
		}
		return false;
	});
	return found;
}

std::optional<std::string> Schema::FindColumnName(int32_t id) const {
	std::optional<std::string> found;
	VisitFields(*this, [&](const std::vector<const NestedField *> &path, const std::string &full_name) {
		if (path.back()->id == id) {
			found = full_name;
			return true;
		}
		return false;
	});
	return found;
}

std::vector<const NestedField *> Schema::FieldPath(int32_t id) const {
	std::vector<const NestedField *> found;
	VisitFields(*this, [&](const std::vector<const NestedField *> &path, const std::string &) {
		if (path.back()->id == id) {
			found = path;
			return true;
		}
		return false;
	});
	return found;
}

int32_t Schema::HighestFieldId() const {
	int32_t highest = 0;
	VisitFields(*this, [&](const std::vector<const NestedField *> &path, const std::string &) {
		highest = std::max(highest, path.back()->id);
		return false;
	});
	return highest;
}

bool Schema::SameSchema(const Schema &other) const {
	std::set<int32_t> mine(identifier_field_ids.begin(), identifier_field_ids.end());
	std::set<int32_t> theirs(other.identifier_field_ids.begin(), other.identifier_field_ids.end());
	return fields == other.fields && mine == theirs;
}

void Schema::Validate() const {
	std::set<int32_t> ids;
	std::set<std::string> names;
	VisitFields(*this, [&](const std::vector<const NestedField *> &path, const std::string &full_name) {
		auto &field = *path.back();
		if (!ids.insert(field.id).second) {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("invalid schema: field id {} is used more than once", field.id));
		}
		if (!names.insert(full_name).second) {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("invalid schema: multiple fields for name \"{}\"", full_name));
		}
		return false;
	});
	for (auto id : identifier_field_ids) {
		ValidateIdentifierField(*this, id);
	}
}

void Schema::CheckFormatVersion(int32_t format_version) const {
	if (format_version >= 3) {
		return;
	}
	std::vector<std::string> problems;
	VisitFields(*this, [&](const std::vector<const NestedField *> &path, const std::string &full_name) {
		auto &field = *path.back();
		if (IsV3Type(field.type->id)) {
			problems.push_back(
			    fmt::format("invalid type for {}: {} is not supported until v3", full_name, field.type->ToString()));
		}
		if (field.initial_default) {
			problems.push_back(
			    fmt::format("invalid initial default for {}: non-null default ({}) is not supported until v3",
			                full_name, field.initial_default->dump()));
		}
		return false;
	});
	if (!problems.empty()) {
		throw Error(ErrorCode::InvalidInput,
		            fmt::format("invalid schema for v{}: {}", format_version, fmt::join(problems, "; ")));
	}
}

Schema ParseSchema(const nlohmann::json &json) {
	RequireObject(json, "schema");
	auto type = ParseType(json);
	if (type->id != TypeId::Struct) {
		throw Error(ErrorCode::InvalidInput, fmt::format("a schema must be a struct, not {}", type->ToString()));
	}
	Schema schema;
	schema.schema_id = GetOptionalInt(json, "schema-id", "schema").value_or(0);
	schema.fields = type->fields;
	if (FindMember(json, "identifier-field-ids")) {
		schema.identifier_field_ids = GetIntList(json, "identifier-field-ids", "schema");
	}
	schema.Validate();
	return schema;
}

nlohmann::json ToJson(const Schema &schema) {
	nlohmann::json json = {{"type", "struct"}, {"schema-id", schema.schema_id}};
	if (!schema.identifier_field_ids.empty()) {
		json["identifier-field-ids"] = schema.identifier_field_ids;
	}
	json["fields"] = ToJson(*MakeStruct(schema.fields))["fields"];
	return json;
}

Schema AssignFreshIds(const Schema &schema, int32_t schema_id, int32_t &last_column_id) {
	Schema fresh;
	fresh.schema_id = schema_id;
	fresh.fields = schema.fields;
	AssignIds(fresh.fields, last_column_id);
	for (auto id : schema.identifier_field_ids) {
		auto name = schema.FindColumnName(id);
		auto field = name ? fresh.FindFieldByName(*name) : nullptr;
		if (!field) {
			throw Error(ErrorCode::InvalidInput, fmt::format("identifier field id {} does not exist", id));
		}
		fresh.identifier_field_ids.push_back(field->id);
	}
	return fresh;
}

} // namespace akko::iceberg
