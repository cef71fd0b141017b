#include "iceberg/types.hpp"

#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "iceberg/metadata_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace akko::iceberg {

using namespace metadata_json;

namespace {

// Deep enough for any real schema, shallow enough that hostile nesting cannot exhaust a
// worker thread's stack in the recursive readers and writers below.
constexpr int kMaxNesting = 100;
constexpr int32_t kMaxDecimalPrecision = 38;

struct NamedPrimitive {
	std::string_view name;
	TypeId id;
};

constexpr NamedPrimitive kPrimitives[] = {
    {"boolean", TypeId::Boolean},
    {"int", TypeId::Int},
    {"long", TypeId::Long},
    {"float", TypeId::Float},
    {"double", TypeId::Double},
    {"date", TypeId::Date},
    {"time", TypeId::Time},
    {"timestamp", TypeId::Timestamp},
    {"timestamptz", TypeId::TimestampTz},
    {"timestamp_ns", TypeId::TimestampNs},
    {"timestamptz_ns", TypeId::TimestampTzNs},
    {"string", TypeId::String},
    {"uuid", TypeId::Uuid},
    {"binary", TypeId::Binary},
    {"unknown", TypeId::Unknown},
    {"variant", TypeId::Variant},
};

constexpr std::string_view kDefaultCrs = "OGC:CRS84";
constexpr std::string_view kDefaultAlgorithm = "spherical";
constexpr std::string_view kAlgorithms[] = {"spherical", "vincenty", "thomas", "andoyer", "karney"};

std::string_view Trim(std::string_view text) {
	while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
		text.remove_prefix(1);
	}
	while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
		text.remove_suffix(1);
	}
	return text;
}

[[noreturn]] void BadTypeString(std::string_view text) {
	throw Error(ErrorCode::InvalidInput, fmt::format("cannot parse type string \"{}\"", text));
}

int32_t ParseCount(std::string_view digits, std::string_view text) {
	digits = Trim(digits);
	int32_t value = 0;
	auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
	if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || digits.front() == '-') {
		BadTypeString(text);
	}
	return value;
}

// The text between `open` right after `name` and the final `close`, or nullopt when `lower` is
// not of that shape.
std::optional<std::string_view> Parameters(std::string_view lower, std::string_view name, char open, char close) {
	if (lower.substr(0, name.size()) != name) {
		return std::nullopt;
	}
	auto rest = Trim(lower.substr(name.size()));
	if (rest.size() < 2 || rest.front() != open || rest.back() != close) {
		return std::nullopt;
	}
	return rest.substr(1, rest.size() - 2);
}

TypePtr ParseTypeAt(const Json &json, int depth);

NestedField ParseStructField(const Json &json, int depth) {
	RequireObject(json, "struct field");
	NestedField field;
	field.id = GetInt(json, "id", "struct field");
	field.name = GetString(json, "name", "struct field");
	auto what = fmt::format("struct field \"{}\"", field.name);
	field.required = GetBool(json, "required", what);
	field.type = ParseTypeAt(RequireMember(json, "type", what), depth + 1);
	field.doc = GetOptionalString(json, "doc", what);
	if (auto value = FindMember(json, "initial-default")) {
		field.initial_default = *value;
	}
	if (auto value = FindMember(json, "write-default")) {
		field.write_default = *value;
	}
	return field;
}

TypePtr ParseTypeAt(const Json &json, int depth) {
	if (depth > kMaxNesting) {
		throw Error(ErrorCode::InvalidInput, fmt::format("types nest more than {} levels deep", kMaxNesting));
	}
	if (json.is_string()) {
		return ParsePrimitiveType(json.get_ref<const std::string &>());
	}
	if (!json.is_object()) {
		throw Error(ErrorCode::InvalidInput, fmt::format("cannot parse type from JSON {}", json.type_name()));
	}
	auto kind = GetString(json, "type", "type");
	if (kind == "struct") {
		std::vector<NestedField> fields;
		for (auto &item : RequireArray(json, "fields", "struct type")) {
			fields.push_back(ParseStructField(item, depth));
		}
		return MakeStruct(std::move(fields));
	}
	if (kind == "list") {
		auto element_id = GetInt(json, "element-id", "list type");
		auto element = ParseTypeAt(RequireMember(json, "element", "list type"), depth + 1);
		return MakeList(element_id, GetBool(json, "element-required", "list type"), std::move(element));
	}
	if (kind == "map") {
		auto key_id = GetInt(json, "key-id", "map type");
		auto key = ParseTypeAt(RequireMember(json, "key", "map type"), depth + 1);
		auto value_id = GetInt(json, "value-id", "map type");
		auto value = ParseTypeAt(RequireMember(json, "value", "map type"), depth + 1);
		return MakeMap(key_id, std::move(key), value_id, GetBool(json, "value-required", "map type"), std::move(value));
	}
	throw Error(ErrorCode::InvalidInput, fmt::format("unknown nested type \"{}\"", kind));
}

std::string Join(const std::vector<NestedField> &fields) {
	std::string result;
	for (auto &field : fields) {
		if (!result.empty()) {
			result += ", ";
		}
		result += fmt::format("{}: {}{}", field.name, field.type->ToString(), field.required ? " not null" : "");
	}
	return result;
}

} // namespace

bool NestedField::operator==(const NestedField &other) const {
	return id == other.id && name == other.name && required == other.required && doc == other.doc &&
	       initial_default == other.initial_default && write_default == other.write_default &&
	       (type == other.type || (type && other.type && *type == *other.type));
}

bool Type::IsPrimitive() const {
	return !IsNested() && id != TypeId::Variant;
}

bool Type::IsNested() const {
	return id == TypeId::Struct || id == TypeId::List || id == TypeId::Map;
}

std::string Type::ToString() const {
	switch (id) {
	case TypeId::Decimal:
		return fmt::format("decimal({}, {})", precision, scale);
	case TypeId::Fixed:
		return fmt::format("fixed[{}]", length);
	case TypeId::Geometry:
		return fmt::format("geometry({})", crs);
	case TypeId::Geography:
		return fmt::format("geography({}, {})", crs, algorithm);
	case TypeId::Struct:
		return fmt::format("struct<{}>", Join(fields));
	case TypeId::List:
		return fmt::format("list<{}>", fields[0].type->ToString());
	case TypeId::Map:
		return fmt::format("map<{}, {}>", fields[0].type->ToString(), fields[1].type->ToString());
	default:
		for (auto &primitive : kPrimitives) {
			if (primitive.id == id) {
				return std::string(primitive.name);
			}
		}
		return "unknown";
	}
}

bool Type::operator==(const Type &other) const {
	// Java compares CRS names case-insensitively: "OGC:CRS84" and "ogc:crs84" are one CRS.
	return id == other.id && precision == other.precision && scale == other.scale && length == other.length &&
	       ToLower(crs) == ToLower(other.crs) && algorithm == other.algorithm && fields == other.fields;
}

TypePtr MakePrimitive(TypeId id) {
	auto type = std::make_shared<Type>();
	type->id = id;
	if (id == TypeId::Geometry || id == TypeId::Geography) {
		type->crs = kDefaultCrs;
	}
	if (id == TypeId::Geography) {
		type->algorithm = kDefaultAlgorithm;
	}
	return type;
}

TypePtr MakeDecimal(int32_t precision, int32_t scale) {
	if (precision < 1 || precision > kMaxDecimalPrecision || scale < 0) {
		throw Error(ErrorCode::InvalidInput,
		            fmt::format("invalid decimal({}, {}): precision must be 1 to 38", precision, scale));
	}
	auto type = std::make_shared<Type>();
	type->id = TypeId::Decimal;
	type->precision = precision;
	type->scale = scale;
	return type;
}

TypePtr MakeFixed(int32_t length) {
	if (length < 1) {
		throw Error(ErrorCode::InvalidInput, fmt::format("invalid fixed[{}]: length must be positive", length));
	}
	auto type = std::make_shared<Type>();
	type->id = TypeId::Fixed;
	type->length = length;
	return type;
}

TypePtr MakeStruct(std::vector<NestedField> fields) {
	for (auto &field : fields) {
		if (!field.type) {
			throw Error(ErrorCode::InvalidInput, fmt::format("struct field \"{}\" has no type", field.name));
		}
	}
	auto type = std::make_shared<Type>();
	type->id = TypeId::Struct;
	type->fields = std::move(fields);
	return type;
}

TypePtr MakeList(int32_t element_id, bool element_required, TypePtr element) {
	if (!element) {
		throw Error(ErrorCode::InvalidInput, "a list needs an element type");
	}
	auto type = std::make_shared<Type>();
	type->id = TypeId::List;
	type->fields.push_back({element_id, "element", element_required, std::move(element), {}, {}, {}});
	return type;
}

TypePtr MakeMap(int32_t key_id, TypePtr key, int32_t value_id, bool value_required, TypePtr value) {
	if (!key || !value) {
		throw Error(ErrorCode::InvalidInput, "a map needs key and value types");
	}
	auto type = std::make_shared<Type>();
	type->id = TypeId::Map;
	type->fields.push_back({key_id, "key", true, std::move(key), {}, {}, {}});
	type->fields.push_back({value_id, "value", value_required, std::move(value), {}, {}, {}});
	return type;
}

TypePtr ParsePrimitiveType(std::string_view text) {
	auto lower = ToLower(Trim(text));
	for (auto &primitive : kPrimitives) {
		if (lower == primitive.name) {
			return MakePrimitive(primitive.id);
		}
	}
	if (lower == "geometry" || lower == "geography") {
		return MakePrimitive(lower == "geometry" ? TypeId::Geometry : TypeId::Geography);
	}
	if (auto length = Parameters(lower, "fixed", '[', ']')) {
		return MakeFixed(ParseCount(*length, text));
	}
	if (auto parameters = Parameters(lower, "decimal", '(', ')')) {
		auto comma = parameters->find(',');
		if (comma == std::string_view::npos) {
			BadTypeString(text);
		}
		return MakeDecimal(ParseCount(parameters->substr(0, comma), text),
		                   ParseCount(parameters->substr(comma + 1), text));
	}
	// The CRS keeps its case (only the keyword is case-insensitive), so read it from `text`.
	auto original = Trim(text);
	if (auto crs = Parameters(lower, "geometry", '(', ')')) {
		auto type = std::make_shared<Type>(*MakePrimitive(TypeId::Geometry));
		auto value = Trim(original.substr(original.size() - 1 - crs->size(), crs->size()));
		if (value.empty()) {
			BadTypeString(text);
		}
		type->crs = value;
		return type;
	}
	if (auto parameters = Parameters(lower, "geography", '(', ')')) {
		auto type = std::make_shared<Type>(*MakePrimitive(TypeId::Geography));
		auto inside = original.substr(original.size() - 1 - parameters->size(), parameters->size());
		auto comma = inside.find(',');
		auto value = Trim(inside.substr(0, comma));
		if (value.empty()) {
			BadTypeString(text);
		}
		type->crs = value;
		if (comma != std::string_view::npos) {
			auto algorithm = ToLower(Trim(inside.substr(comma + 1)));
			if (std::find(std::begin(kAlgorithms), std::end(kAlgorithms), algorithm) == std::end(kAlgorithms)) {
				BadTypeString(text);
			}
			type->algorithm = algorithm;
		}
		return type;
	}
	BadTypeString(text);
}

TypePtr ParseType(const nlohmann::json &json) {
	return ParseTypeAt(json, 0);
}

nlohmann::json ToJson(const Type &type) {
	switch (type.id) {
	case TypeId::Struct: {
		auto fields = nlohmann::json::array();
		for (auto &field : type.fields) {
			nlohmann::json item = {{"id", field.id}, {"name", field.name}, {"required", field.required}};
			item["type"] = ToJson(*field.type);
			if (field.doc) {
				item["doc"] = *field.doc;
			}
			if (field.initial_default) {
				item["initial-default"] = *field.initial_default;
			}
			if (field.write_default) {
				item["write-default"] = *field.write_default;
			}
			fields.push_back(std::move(item));
		}
		return {{"type", "struct"}, {"fields", std::move(fields)}};
	}
	case TypeId::List:
		return {{"type", "list"},
		        {"element-id", type.fields[0].id},
		        {"element", ToJson(*type.fields[0].type)},
		        {"element-required", type.fields[0].required}};
	case TypeId::Map:
		return {{"type", "map"},
		        {"key-id", type.fields[0].id},
		        {"key", ToJson(*type.fields[0].type)},
		        {"value-id", type.fields[1].id},
		        {"value", ToJson(*type.fields[1].type)},
		        {"value-required", type.fields[1].required}};
	default:
		return type.ToString();
	}
}

} // namespace akko::iceberg
