#pragma once
// Avro schemas (Avro 1.11 specification, "Schema Declaration") as Iceberg writes them:
// records, enums, arrays, maps, unions, fixed and the primitives. Attributes Avro itself does
// not interpret (logicalType, precision, scale, adjust-to-utc, doc, default, and Iceberg's
// field-id, element-id, key-id, value-id) are kept as they were and written back.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akko::iceberg {

enum class AvroType : uint8_t {
	Null,
	Boolean,
	Int,
	Long,
	Float,
	Double,
	Bytes,
	String,
	Record,
	Enum,
	Array,
	Map,
	Union,
	Fixed,
};

struct AvroField;

struct AvroSchema {
	AvroType type = AvroType::Null;
	// Records, enums and fixed are named; `space` is the optional "namespace".
	std::string name;
	std::string space;
	std::vector<AvroField> fields;    // record
	std::vector<std::string> symbols; // enum
	int64_t size = 0;                 // fixed
	// The branches of a union; the one item schema of an array; the one value schema of a map.
	std::vector<AvroSchema> children;
	nlohmann::ordered_json attributes = nlohmann::ordered_json::object();

	// Array items or map values.
	const AvroSchema &Element() const {
		return children.front();
	}
	// An integer attribute such as "element-id"; nullopt when absent or not an integer.
	std::optional<int32_t> IntAttribute(std::string_view key) const;
	// The "logicalType" attribute, empty when there is none.
	std::string LogicalType() const;
	// The position of the record field with this Iceberg field id, or else with this name.
	std::optional<size_t> FindField(int32_t field_id, std::string_view field_name) const;
	// For ["null", T] (either order) the T; otherwise this schema itself.
	const AvroSchema &NonNull() const;
	// The JSON text; a named type used again is written as a reference to its name.
	std::string ToJson() const;
};

struct AvroField {
	std::string name;
	AvroSchema type;
	nlohmann::ordered_json attributes = nlohmann::ordered_json::object();

	// Iceberg's "field-id" attribute.
	std::optional<int32_t> FieldId() const;
};

// Parses a schema's JSON text. Names referring to earlier named types are resolved (by copy),
// recursive types are refused, and nesting is limited, so a hostile schema cannot exhaust the
// stack. Throws akko::Error (invalid_input).
AvroSchema ParseAvroSchema(std::string_view json);

} // namespace akko::iceberg
