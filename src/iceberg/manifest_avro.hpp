#pragma once
// What manifests and manifest lists share in Avro (the table spec's "Appendix A: Avro"):
// building their schemas, mapping Iceberg values to Avro and back, and reading the fields of
// a decoded record by field id, whatever else the writer put beside them. Used by
// manifest.cpp and manifest_list.cpp only.
#include "iceberg/avro_schema.hpp"
#include "iceberg/avro_value.hpp"
#include "iceberg/value.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace akko::iceberg::manifest_avro {

using Json = nlohmann::ordered_json;

// A record field; an optional one is the union ["null", type] with default null, as Java
// writes it.
Json FieldJson(std::string_view name, Json type, int32_t field_id, bool optional);
Json ArrayJson(Json items, int32_t element_id);
// map<int, value>: an array of key-value records with logicalType "map" (Avro maps need
// string keys), the record named "k<key-id>_v<value-id>" as Java names it.
Json IntMapJson(int32_t key_id, int32_t value_id, Json value_type);
// The Avro type of an Iceberg primitive. Named types (fixed) already in `defined` are
// written as references, since Avro allows one definition per name.
Json PrimitiveJson(const PrimitiveType &type, std::set<std::string> &defined);
// A name Avro accepts, made from any field name as Java's AvroSchemaUtil does it: each
// invalid character becomes "_x" and its hex code, a leading digit gets a "_" before it.
std::string AvroName(std::string_view name);

// The Iceberg type of a value written with this Avro schema (unions with null unwrapped).
PrimitiveType PrimitiveTypeOf(const AvroSchema &schema);
AvroValue ToAvro(const Literal &value, const PrimitiveType &type);
Literal FromAvro(const AvroValue &value, const AvroSchema &schema, const PrimitiveType &type);

// The value at `index` of a decoded record, or nullptr when the field is absent or null.
const AvroValue *Field(const AvroRecord &record, std::optional<size_t> index);
// Typed reads of such a value; `name` names the field in the error a wrong type raises.
std::optional<int64_t> AsLong(const AvroValue *value, std::string_view name);
std::optional<int32_t> AsInt(const AvroValue *value, std::string_view name);
std::optional<bool> AsBool(const AvroValue *value, std::string_view name);
std::optional<std::string> AsString(const AvroValue *value, std::string_view name);
std::optional<std::string> AsBinary(const AvroValue *value, std::string_view name);
// Like the above, but a missing or null value is an error.
int64_t RequireLong(const AvroValue *value, std::string_view name);
int32_t RequireInt(const AvroValue *value, std::string_view name);
std::string RequireString(const AvroValue *value, std::string_view name);
const AvroRecord &RequireRecord(const AvroValue *value, std::string_view name);
// An array; a null array reads as empty.
const std::vector<AvroValue> &Items(const AvroValue *value, std::string_view name);
// A map<int, long> or map<int, binary> in the array-of-records form.
std::map<int32_t, int64_t> AsIntLongMap(const AvroValue *value, std::string_view name);
std::map<int32_t, std::string> AsIntBinaryMap(const AvroValue *value, std::string_view name);

AvroValue Optional(std::optional<int64_t> value);
AvroValue Optional(std::optional<int32_t> value);
AvroValue Optional(const std::optional<std::string> &value);
AvroValue OptionalBinary(const std::optional<std::string> &value);
AvroValue IntLongMap(const std::map<int32_t, int64_t> &map);
AvroValue IntBinaryMap(const std::map<int32_t, std::string> &map);

} // namespace akko::iceberg::manifest_avro
