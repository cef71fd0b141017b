#pragma once
// Iceberg's data types ("Schemas and Data Types" in the table spec) and their JSON form
// (Appendix C): primitives, and structs, lists and maps whose fields carry ids.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akko::iceberg {

enum class TypeId : uint8_t {
	Boolean,
	Int,
	Long,
	Float,
	Double,
	Decimal,
	Date,
	Time,
	Timestamp,
	TimestampTz,
	TimestampNs,
	TimestampTzNs,
	String,
	Uuid,
	Fixed,
	Binary,
	Unknown,
	Variant,
	Geometry,
	Geography,
	Struct,
	List,
	Map,
};

struct Type;
using TypePtr = std::shared_ptr<const Type>;

// A struct field, a list's element ("element") or a map's key ("key") or value ("value").
struct NestedField {
	int32_t id = 0;
	std::string name;
	bool required = false;
	TypePtr type;
	std::optional<std::string> doc;
	// Defaults in the spec's JSON single-value form (Appendix D), kept as written.
	std::optional<nlohmann::json> initial_default;
	std::optional<nlohmann::json> write_default;

	bool operator==(const NestedField &other) const;
};

struct Type {
	TypeId id = TypeId::Unknown;
	int32_t precision = 0; // decimal
	int32_t scale = 0;     // decimal
	int32_t length = 0;    // fixed
	std::string crs;       // geometry, geography
	std::string algorithm; // geography
	// A struct's fields; a list's element; a map's key, then its value.
	std::vector<NestedField> fields;

	// Everything but struct, list, map and variant (which the spec calls semi-structured).
	bool IsPrimitive() const;
	bool IsNested() const;
	// The spec's type string as Java writes it ("decimal(9, 2)", "fixed[16]"); nested types
	// read "struct<...>", "list<...>", "map<..., ...>".
	std::string ToString() const;
	bool operator==(const Type &other) const;
};

TypePtr MakePrimitive(TypeId id);
TypePtr MakeDecimal(int32_t precision, int32_t scale);
TypePtr MakeFixed(int32_t length);
TypePtr MakeStruct(std::vector<NestedField> fields);
TypePtr MakeList(int32_t element_id, bool element_required, TypePtr element);
TypePtr MakeMap(int32_t key_id, TypePtr key, int32_t value_id, bool value_required, TypePtr value);

// A type string such as "long", "decimal(9,2)", "fixed[16]" or "geography(OGC:CRS84, spherical)",
// case-insensitive and with optional spaces, as Java reads them. Throws akko::Error (invalid_input).
TypePtr ParsePrimitiveType(std::string_view text);
// A type in its JSON form: a string, or a struct/list/map object. Throws akko::Error (invalid_input).
TypePtr ParseType(const nlohmann::json &json);
nlohmann::json ToJson(const Type &type);

} // namespace akko::iceberg
