#pragma once
// Engine-neutral description of result and parameter types, so no adapter needs duckdb.hpp.
#include <cstdint>
#include <string>
#include <vector>

namespace akko::engine {

enum class TypeKind : uint8_t {
	Null, // the type of an untyped NULL literal or an unknown parameter
	Boolean,
	TinyInt,
	SmallInt,
	Integer,
	BigInt,
	HugeInt,
	UTinyInt,
	USmallInt,
	UInteger,
	UBigInt,
	UHugeInt,
	Float,
	Double,
	Decimal,
	Varchar,
	Blob,
	Date,
	Time,
	TimeTz,
	Timestamp,   // microseconds since 1970-01-01
	TimestampTz, // microseconds since 1970-01-01 UTC
	Interval,
	Uuid,
	List,
	Array,
	Struct,
	Map,
	Union,
	Enum,
	Bit,
	Other,
};

struct ColumnType {
	TypeKind kind = TypeKind::Null;
	uint8_t width = 0; // decimal precision
	uint8_t scale = 0; // decimal scale
	// Stored as DuckDB's JSON alias, or rendered as JSON text because PostgreSQL has no
	// equivalent (structs, maps, unions, lists of non-scalars).
	bool json = false;
	std::string name;                // DuckDB's spelling, e.g. "DECIMAL(18,3)"
	std::vector<ColumnType> children; // list/array element; struct fields
};

struct Column {
	std::string name;
	ColumnType type;
};

// A DuckDB interval: months, days and microseconds are kept apart, as in PostgreSQL.
struct Interval {
	int32_t months;
	int32_t days;
	int64_t micros;
};

struct Int128 {
	uint64_t lower;
	int64_t upper;
};

struct ListEntry {
	uint64_t offset;
	uint64_t length;
};

} // namespace akko::engine
