#include "iceberg/avro_schema.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <map>
#include <set>

namespace akko::iceberg {

namespace {

using Json = nlohmann::ordered_json;

// Deeper nesting than any Iceberg metadata needs; bounds the parser's recursion.
constexpr int kMaxDepth = 64;
// Named types are copied where they are referenced, so a small hostile schema could
// reference its way to an exponential tree; this caps the nodes one schema may expand to.
constexpr size_t kMaxNodes = 100000;

[[noreturn]] void Invalid(const std::string &message) {
	throw Error(ErrorCode::InvalidInput, fmt::format("invalid Avro schema: {}", message));
}

constexpr std::pair<std::string_view, AvroType> kPrimitives[] = {
    {"null", AvroType::Null},   {"boolean", AvroType::Boolean}, {"int", AvroType::Int},
    {"long", AvroType::Long},   {"float", AvroType::Float},     {"double", AvroType::Double},
    {"bytes", AvroType::Bytes}, {"string", AvroType::String},
};

std::optional<AvroType> PrimitiveNamed(std::string_view name) {
	for (auto &[text, type] : kPrimitives) {
		if (text == name) {
			return type;
		}
	}
	return std::nullopt;
}

std::string_view PrimitiveName(AvroType type) {
	for (auto &[text, primitive] : kPrimitives) {
		if (primitive == type) {
			return text;
		}
	}
	return "";
}

std::string FullName(const std::string &name, const std::string &space) {
	if (name.find('.') != std::string::npos || space.empty()) {
		return name;
	}
	return space + "." + name;
}

class SchemaParser {
public:
	AvroSchema Parse(const Json &json, const std::string &space, int depth) {
		if (depth > kMaxDepth) {
			Invalid(fmt::format("nested deeper than {} levels", kMaxDepth));
		}
		if (++nodes > kMaxNodes) {
			Invalid(fmt::format("expands to more than {} types", kMaxNodes));
		}
		if (json.is_string()) {
			return Named(json.get<std::string>(), space);
		}
		if (json.is_array()) {
			return Union(json, space, depth);
		}
		if (!json.is_object()) {
			Invalid(fmt::format("a type must be a name, an object or a union, not {}", json.dump()));
		}
		auto type_it = json.find("type");
		if (type_it == json.end()) {
			Invalid(fmt::format("a type object has no \"type\": {}", Excerpt(json)));
		}
		if (!type_it->is_string()) {
			// {"type": {...}} or {"type": [...]} only wraps another schema.
			return Parse(*type_it, space, depth + 1);
		}
		auto type_name = type_it->get<std::string>();
		if (auto primitive = PrimitiveNamed(type_name)) {
			AvroSchema schema;
			schema.type = *primitive;
			CopyAttributes(json, schema.attributes, {"type"});
			return schema;
		}
		if (type_name == "record" || type_name == "error") {
			return Record(json, space, depth);
		}
		if (type_name == "enum") {
			return Enum(json, space);
		}
		if (type_name == "fixed") {
			return Fixed(json, space);
		}
		if (type_name == "array") {
			return Container(json, AvroType::Array, "items", space, depth);
		}
		if (type_name == "map") {
			return Container(json, AvroType::Map, "values", space, depth);
		}
		// A reference to a named type, written as an object.
		return Named(type_name, space);
	}

private:
	static std::string Excerpt(const Json &json) {
		auto text = json.dump();
		return text.size() > 200 ? text.substr(0, 200) + "..." : text;
	}

	static void CopyAttributes(const Json &json, Json &attributes, std::initializer_list<std::string_view> skip) {
		for (auto &[key, value] : json.items()) {
			bool skipped = false;
			for (auto name : skip) {
				skipped = skipped || key == name;
			}
			if (!skipped) {
				attributes[key] = value;
			}
		}
	}

	AvroSchema Named(const std::string &name, const std::string &space) {
		if (auto primitive = PrimitiveNamed(name)) {
			AvroSchema schema;
			schema.type = *primitive;
			return schema;
		}
		auto it = named.find(FullName(name, space));
		if (it == named.end()) {
			it = named.find(name);
		}
		if (it == named.end()) {
			if (defining.count(FullName(name, space)) || defining.count(name)) {
				throw Error(ErrorCode::FeatureNotSupported, fmt::format("recursive Avro type \"{}\"", name));
			}
			Invalid(fmt::format("unknown type \"{}\"", name));
		}
		nodes += it->second.nodes;
		if (nodes > kMaxNodes) {
			Invalid(fmt::format("expands to more than {} types", kMaxNodes));
		}
		return it->second.schema;
	}

	// Reads "name" and "namespace" and returns the full name.
	std::string NameOf(const Json &json, const std::string &space, AvroSchema &schema, bool required) {
		auto name_it = json.find("name");
		if (name_it == json.end()) {
			if (required) {
				Invalid(fmt::format("a named type has no name: {}", Excerpt(json)));
			}
			return "";
		}
		if (!name_it->is_string() || name_it->get<std::string>().empty()) {
			Invalid(fmt::format("a name must be a non-empty string: {}", Excerpt(json)));
		}
		schema.name = name_it->get<std::string>();
		if (auto space_it = json.find("namespace"); space_it != json.end() && space_it->is_string()) {
			schema.space = space_it->get<std::string>();
		}
		return FullName(schema.name, schema.space.empty() ? space : schema.space);
	}

	std::string Namespace(const std::string &full_name, const std::string &outer) {
		auto dot = full_name.rfind('.');
		return dot == std::string::npos ? outer : full_name.substr(0, dot);
	}

	void Define(const std::string &full_name, const AvroSchema &schema, size_t first_node) {
		if (full_name.empty()) {
			return;
		}
		if (named.count(full_name) || PrimitiveNamed(full_name)) {
			Invalid(fmt::format("type \"{}\" is defined twice", full_name));
		}
		named.emplace(full_name, Definition {schema, nodes - first_node + 1});
	}

	AvroSchema Record(const Json &json, const std::string &space, int depth) {
		size_t first_node = nodes;
		AvroSchema schema;
		schema.type = AvroType::Record;
		// Records may be anonymous here: PyIceberg and others are lenient about it.
		auto full_name = NameOf(json, space, schema, false);
		auto inner_space = Namespace(full_name, space);
		auto fields_it = json.find("fields");
		if (fields_it == json.end() || !fields_it->is_array()) {
			Invalid(fmt::format("record \"{}\" has no fields array", schema.name));
		}
		defining.insert(full_name);
		std::set<std::string> names;
		for (auto &field_json : *fields_it) {
			if (!field_json.is_object()) {
				Invalid(fmt::format("a field of record \"{}\" is not an object", schema.name));
			}
			auto name_it = field_json.find("name");
			auto type_it = field_json.find("type");
			if (name_it == field_json.end() || !name_it->is_string() || type_it == field_json.end()) {
				Invalid(fmt::format("a field of record \"{}\" needs a name and a type", schema.name));
			}
			AvroField field;
			field.name = name_it->get<std::string>();
			if (!names.insert(field.name).second) {
				Invalid(fmt::format("record \"{}\" has two fields named \"{}\"", schema.name, field.name));
			}
			field.type = Parse(*type_it, inner_space, depth + 1);
			CopyAttributes(field_json, field.attributes, {"name", "type"});
			schema.fields.push_back(std::move(field));
		}
		defining.erase(full_name);
		CopyAttributes(json, schema.attributes, {"type", "name", "namespace", "fields"});
		Define(full_name, schema, first_node);
		return schema;
	}

	AvroSchema Enum(const Json &json, const std::string &space) {
		AvroSchema schema;
		schema.type = AvroType::Enum;
		auto full_name = NameOf(json, space, schema, true);
		auto symbols_it = json.find("symbols");
		if (symbols_it == json.end() || !symbols_it->is_array() || symbols_it->empty()) {
			Invalid(fmt::format("enum \"{}\" has no symbols", schema.name));
		}
		for (auto &symbol : *symbols_it) {
			if (!symbol.is_string()) {
				Invalid(fmt::format("enum \"{}\" has a symbol that is not a string", schema.name));
			}
			schema.symbols.push_back(symbol.get<std::string>());
		}
		CopyAttributes(json, schema.attributes, {"type", "name", "namespace", "symbols"});
		Define(full_name, schema, nodes);
		return schema;
	}

	AvroSchema Fixed(const Json &json, const std::string &space) {
		AvroSchema schema;
		schema.type = AvroType::Fixed;
		auto full_name = NameOf(json, space, schema, true);
		auto size_it = json.find("size");
		if (size_it == json.end() || !size_it->is_number_integer() || size_it->get<int64_t>() < 0) {
			Invalid(fmt::format("fixed \"{}\" needs a non-negative integer size", schema.name));
		}
		schema.size = size_it->get<int64_t>();
		CopyAttributes(json, schema.attributes, {"type", "name", "namespace", "size"});
		Define(full_name, schema, nodes);
		return schema;
	}

	AvroSchema Container(const Json &json, AvroType type, const char *key, const std::string &space, int depth) {
		auto it = json.find(key);
		if (it == json.end()) {
			Invalid(fmt::format("{} has no \"{}\"", type == AvroType::Array ? "an array" : "a map", key));
		}
		AvroSchema schema;
		schema.type = type;
		schema.children.push_back(Parse(*it, space, depth + 1));
		CopyAttributes(json, schema.attributes, {"type", key});
		return schema;
	}

	AvroSchema Union(const Json &json, const std::string &space, int depth) {
		if (json.empty()) {
			Invalid("a union has no branches");
		}
		AvroSchema schema;
		schema.type = AvroType::Union;
		for (auto &branch_json : json) {
			auto branch = Parse(branch_json, space, depth + 1);
			if (branch.type == AvroType::Union) {
				Invalid("a union may not contain a union");
			}
			schema.children.push_back(std::move(branch));
		}
		return schema;
	}

	struct Definition {
		AvroSchema schema;
		size_t nodes;
	};
	std::map<std::string, Definition> named;
	std::set<std::string> defining;
	size_t nodes = 0;
};

Json ToJsonValue(const AvroSchema &schema, std::set<std::string> &written) {
	auto with_attributes = [&](Json object) {
		for (auto &[key, value] : schema.attributes.items()) {
			object[key] = value;
		}
		return object;
	};
	auto named = [&](const char *type) -> std::optional<Json> {
		auto full_name = FullName(schema.name, schema.space);
		if (!full_name.empty() && !written.insert(full_name).second) {
			return Json(full_name);
		}
		Json object = Json::object();
		object["type"] = type;
		if (!schema.name.empty()) {
			object["name"] = schema.name;
		}
		if (!schema.space.empty()) {
			object["namespace"] = schema.space;
		}
		return object;
	};
	switch (schema.type) {
	case AvroType::Record: {
		auto object = *named("record");
		if (object.is_string()) {
			return object;
		}
		Json fields = Json::array();
		for (auto &field : schema.fields) {
			Json field_json = Json::object();
			field_json["name"] = field.name;
			field_json["type"] = ToJsonValue(field.type, written);
			for (auto &[key, value] : field.attributes.items()) {
				field_json[key] = value;
			}
			fields.push_back(std::move(field_json));
		}
		object["fields"] = std::move(fields);
		return with_attributes(std::move(object));
	}
	case AvroType::Enum: {
		auto object = *named("enum");
		if (object.is_string()) {
			return object;
		}
		object["symbols"] = schema.symbols;
		return with_attributes(std::move(object));
	}
	case AvroType::Fixed: {
		auto object = *named("fixed");
		if (object.is_string()) {
			return object;
		}
		object["size"] = schema.size;
		return with_attributes(std::move(object));
	}
	case AvroType::Array:
	case AvroType::Map: {
		bool array = schema.type == AvroType::Array;
		Json object = Json::object();
		object["type"] = array ? "array" : "map";
		object[array ? "items" : "values"] = ToJsonValue(schema.Element(), written);
		return with_attributes(std::move(object));
	}
	case AvroType::Union: {
		Json branches = Json::array();
		for (auto &branch : schema.children) {
			branches.push_back(ToJsonValue(branch, written));
		}
		return branches;
	}
	default:
		if (schema.attributes.empty()) {
			return Json(PrimitiveName(schema.type));
		}
		Json object = Json::object();
		object["type"] = PrimitiveName(schema.type);
		return with_attributes(std::move(object));
	}
}

std::optional<int32_t> IntFrom(const Json &attributes, std::string_view key) {
	auto it = attributes.find(key);
	if (it == attributes.end() || !it->is_number_integer()) {
		return std::nullopt;
	}
	auto value = it->get<int64_t>();
	if (value < INT32_MIN || value > INT32_MAX) {
		return std::nullopt;
	}
	return static_cast<int32_t>(value);
}

} // namespace

std::optional<int32_t> AvroSchema::IntAttribute(std::string_view key) const {
	return IntFrom(attributes, key);
}

std::string AvroSchema::LogicalType() const {
	auto it = attributes.find("logicalType");
	return it != attributes.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<size_t> AvroSchema::FindField(int32_t field_id, std::string_view field_name) const {
	for (size_t i = 0; i < fields.size(); i++) {
		if (fields[i].FieldId() == field_id) {
			return i;
		}
	}
	for (size_t i = 0; i < fields.size(); i++) {
		if (fields[i].name == field_name) {
			return i;
		}
	}
	return std::nullopt;
}

const AvroSchema &AvroSchema::NonNull() const {
	if (type == AvroType::Union && children.size() == 2) {
		if (children[0].type == AvroType::Null) {
			return children[1];
		}
		if (children[1].type == AvroType::Null) {
			return children[0];
		}
	}
	return *this;
}

std::string AvroSchema::ToJson() const {
	std::set<std::string> written;
	return ToJsonValue(*this, written).dump();
}

std::optional<int32_t> AvroField::FieldId() const {
	return IntFrom(attributes, "field-id");
}

AvroSchema ParseAvroSchema(std::string_view json) {
	auto parsed = Json::parse(json, nullptr, false);
	if (parsed.is_discarded()) {
		Invalid("not JSON");
	}
	SchemaParser parser;
	return parser.Parse(parsed, "", 0);
}

} // namespace akko::iceberg
