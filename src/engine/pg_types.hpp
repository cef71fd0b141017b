#pragma once
// PostgreSQL's type catalog as AKKO presents it: the built-in types clients look up (with
// PostgreSQL's real OIDs) and the mapping from engine column types to them. pg_type,
// pg_attribute.atttypid, format_type() and the wire protocol's RowDescription all read
// from here, so they agree.
#include "engine/column_type.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace akko::engine {

struct PgType {
	int32_t oid;
	std::string_view name;    // typname: "int4", "_varchar"
	std::string_view display; // format_type(): "integer", "character varying[]"
	int16_t length;           // typlen: bytes, -1 variable, -2 C string
	char category;            // typcategory
	int32_t element;          // typelem (arrays and vectors), else 0
	int32_t array;            // typarray: the array type of this one, else 0
	std::string_view input;   // typinput: "int4in", "array_in"
};

namespace pg_oid {
constexpr int32_t kBool = 16;
constexpr int32_t kBytea = 17;
constexpr int32_t kChar = 18;
constexpr int32_t kName = 19;
constexpr int32_t kInt8 = 20;
constexpr int32_t kInt2 = 21;
constexpr int32_t kInt4 = 23;
constexpr int32_t kText = 25;
constexpr int32_t kOid = 26;
constexpr int32_t kJson = 114;
constexpr int32_t kFloat4 = 700;
constexpr int32_t kFloat8 = 701;
constexpr int32_t kUnknown = 705;
constexpr int32_t kBpchar = 1042;
constexpr int32_t kVarchar = 1043;
constexpr int32_t kDate = 1082;
constexpr int32_t kTime = 1083;
constexpr int32_t kTimestamp = 1114;
constexpr int32_t kTimestampTz = 1184;
constexpr int32_t kInterval = 1186;
constexpr int32_t kTimeTz = 1266;
constexpr int32_t kBit = 1560;
constexpr int32_t kNumeric = 1700;
constexpr int32_t kUuid = 2950;
constexpr int32_t kJsonb = 3802;
} // namespace pg_oid

const std::vector<PgType> &PgTypes();
// The entry for `oid`, or null.
const PgType *FindPgType(int32_t oid);
// The entry whose typname or format_type() name is `name` (case-insensitive), or null.
const PgType *FindPgTypeByName(std::string_view name);

// The PostgreSQL type a value of `type` travels as: integers widen to the next PostgreSQL
// integer that holds them (unsigned 64-bit and 128-bit become numeric), strings are
// text, lists of scalars are arrays, and what PostgreSQL cannot hold (structs, maps,
// unions, nested lists) is json. pg_catalog's int2vector and oidvector columns (lists
// named so) are int2vector (22) and oidvector (30), whose text is "1 2 3".
int32_t PgTypeOid(const ColumnType &type);
// PostgreSQL's atttypmod: ((precision << 16) | scale) + 4 for numeric (and numeric[]), else -1.
int32_t PgTypeModifier(const ColumnType &type);

} // namespace akko::engine
