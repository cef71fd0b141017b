#pragma once
// Iceberg primitive values and their two single-value serializations (the table spec's
// "Appendix D"): binary, for the lower and upper bounds in manifests and manifest lists, and
// JSON, for defaults and for values in REST and metadata documents.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace akko::iceberg {

enum class TypeKind : uint8_t {
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
};

struct PrimitiveType {
	TypeKind kind = TypeKind::Boolean;
	int32_t precision = 0; // decimal
	int32_t scale = 0;     // decimal
	int32_t length = 0;    // fixed

	// Parses the spec's type strings ("long", "decimal(9,2)", "fixed[16]", ...), accepting
	// the optional whitespace the spec allows. Throws akko::Error (invalid_input) for anything
	// else. (A member, not a free ParsePrimitiveType: types.hpp has that name for its Type.)
	static PrimitiveType Parse(std::string_view text);

	bool operator==(const PrimitiveType &) const = default;
};

// The type string as Java writes it: "decimal(9, 2)", "fixed[16]".
std::string ToString(const PrimitiveType &type);

// binary and fixed values, kept apart from string ones.
struct Bytes {
	std::string data;
	bool operator==(const Bytes &) const = default;
};

struct Decimal {
	__int128 unscaled = 0;
	int32_t scale = 0;
	bool operator==(const Decimal &) const = default;
};

// The 16 bytes in big-endian (RFC 4122) order.
struct Uuid {
	std::array<uint8_t, 16> bytes {};
	bool operator==(const Uuid &) const = default;
};

// One value of a primitive type; which alternative a type uses:
//   boolean: bool; int, date (days): int32_t; long, time (micros), timestamp[tz] (micros),
//   timestamp[tz]_ns (nanos): int64_t; float; double; decimal: Decimal; string: std::string;
//   uuid: Uuid; fixed, binary: Bytes. std::monostate is null.
using Literal = std::variant<std::monostate, bool, int32_t, int64_t, float, double, std::string, Bytes, Decimal, Uuid>;

// Throws akko::Error (invalid_input) when `value` is not of the alternative `type` uses; null
// is accepted for every type.
void CheckLiteralType(const Literal &value, const PrimitiveType &type);

// Binary single-value serialization. Null has none (invalid_input).
std::string SerializeBinary(const Literal &value, const PrimitiveType &type);
// Also reads a 4-byte int or float where a long or double is expected, as Java does for
// bounds written before a column's type was promoted.
Literal DeserializeBinary(std::string_view bytes, const PrimitiveType &type);

// JSON single-value serialization.
nlohmann::json ToJson(const Literal &value, const PrimitiveType &type);
Literal LiteralFromJson(const nlohmann::json &json, const PrimitiveType &type);

// Orders two values of the same type (<0, 0, >0) as Iceberg's Java comparators do: null first,
// strings and binary by unsigned bytes (for UTF-8 that is code point order), uuids as RFC 4122
// byte strings, floats with -0 before +0 and NaN after +inf. Throws akko::Error
// (invalid_input) for values of different alternatives or decimal scales.
int Compare(const Literal &left, const Literal &right);

// Bytes a decimal of `precision` digits takes as Avro fixed (and Parquet
// FIXED_LEN_BYTE_ARRAY): the fewest n with 10^precision <= 2^(8n-1).
int32_t DecimalRequiredBytes(int32_t precision);

} // namespace akko::iceberg
