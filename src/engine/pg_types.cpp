#include "engine/pg_types.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace akko::engine {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
	return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
		       return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
	       });
}

// PostgreSQL 15's values (src/include/catalog/pg_type.dat).
const std::vector<PgType> kTypes = {
    {16, "bool", "boolean", 1, 'B', 0, 1000, "boolin"},
    {17, "bytea", "bytea", -1, 'U', 0, 1001, "byteain"},
    {18, "char", "\"char\"", 1, 'Z', 0, 1002, "charin"},
    {19, "name", "name", 64, 'S', 18, 1003, "namein"},
    {20, "int8", "bigint", 8, 'N', 0, 1016, "int8in"},
    {21, "int2", "smallint", 2, 'N', 0, 1005, "int2in"},
    {22, "int2vector", "int2vector", -1, 'A', 21, 1006, "int2vectorin"},
    {23, "int4", "integer", 4, 'N', 0, 1007, "int4in"},
    {24, "regproc", "regproc", 4, 'N', 0, 1008, "regprocin"},
    {25, "text", "text", -1, 'S', 0, 1009, "textin"},
    {26, "oid", "oid", 4, 'N', 0, 1028, "oidin"},
    {28, "xid", "xid", 4, 'U', 0, 1011, "xidin"},
    {30, "oidvector", "oidvector", -1, 'A', 26, 1013, "oidvectorin"},
    {114, "json", "json", -1, 'U', 0, 199, "json_in"},
    {194, "pg_node_tree", "pg_node_tree", -1, 'Z', 0, 0, "pg_node_tree_in"},
    {700, "float4", "real", 4, 'N', 0, 1021, "float4in"},
    {701, "float8", "double precision", 8, 'N', 0, 1022, "float8in"},
    {705, "unknown", "unknown", -2, 'X', 0, 0, "unknownin"},
    {1033, "aclitem", "aclitem", 12, 'U', 0, 1034, "aclitemin"},
    {1042, "bpchar", "character", -1, 'S', 0, 1014, "bpcharin"},
    {1043, "varchar", "character varying", -1, 'S', 0, 1015, "varcharin"},
    {1082, "date", "date", 4, 'D', 0, 1182, "date_in"},
    {1083, "time", "time without time zone", 8, 'D', 0, 1183, "time_in"},
    {1114, "timestamp", "timestamp without time zone", 8, 'D', 0, 1115, "timestamp_in"},
    {1184, "timestamptz", "timestamp with time zone", 8, 'D', 0, 1185, "timestamptz_in"},
    {1186, "interval", "interval", 16, 'T', 0, 1187, "interval_in"},
    {1266, "timetz", "time with time zone", 12, 'D', 0, 1270, "timetz_in"},
    {1560, "bit", "bit", -1, 'V', 0, 1561, "bit_in"},
    {1562, "varbit", "bit varying", -1, 'V', 0, 1563, "varbit_in"},
    {1700, "numeric", "numeric", -1, 'N', 0, 1231, "numeric_in"},
    {2205, "regclass", "regclass", 4, 'N', 0, 2210, "regclassin"},
    {2206, "regtype", "regtype", 4, 'N', 0, 2211, "regtypein"},
    {2249, "record", "record", -1, 'P', 0, 2287, "record_in"},
    {2275, "cstring", "cstring", -2, 'P', 0, 1263, "cstring_in"},
    {2276, "any", "\"any\"", 4, 'P', 0, 0, "any_in"},
    {2277, "anyarray", "anyarray", -1, 'P', 0, 0, "anyarray_in"},
    {2278, "void", "void", 4, 'P', 0, 0, "void_in"},
    {2279, "trigger", "trigger", 4, 'P', 0, 0, "trigger_in"},
    {2950, "uuid", "uuid", 16, 'U', 0, 2951, "uuid_in"},
    {3802, "jsonb", "jsonb", -1, 'U', 0, 3807, "jsonb_in"},
    {4089, "regnamespace", "regnamespace", 4, 'N', 0, 4090, "regnamespacein"},
    {4096, "regrole", "regrole", 4, 'N', 0, 4097, "regrolein"},
    // Array types.
    {199, "_json", "json[]", -1, 'A', 114, 0, "array_in"},
    {1000, "_bool", "boolean[]", -1, 'A', 16, 0, "array_in"},
    {1001, "_bytea", "bytea[]", -1, 'A', 17, 0, "array_in"},
    {1002, "_char", "\"char\"[]", -1, 'A', 18, 0, "array_in"},
    {1003, "_name", "name[]", -1, 'A', 19, 0, "array_in"},
    {1005, "_int2", "smallint[]", -1, 'A', 21, 0, "array_in"},
    {1006, "_int2vector", "int2vector[]", -1, 'A', 22, 0, "array_in"},
    {1007, "_int4", "integer[]", -1, 'A', 23, 0, "array_in"},
    {1008, "_regproc", "regproc[]", -1, 'A', 24, 0, "array_in"},
    {1009, "_text", "text[]", -1, 'A', 25, 0, "array_in"},
    {1011, "_xid", "xid[]", -1, 'A', 28, 0, "array_in"},
    {1013, "_oidvector", "oidvector[]", -1, 'A', 30, 0, "array_in"},
    {1014, "_bpchar", "character[]", -1, 'A', 1042, 0, "array_in"},
    {1015, "_varchar", "character varying[]", -1, 'A', 1043, 0, "array_in"},
    {1016, "_int8", "bigint[]", -1, 'A', 20, 0, "array_in"},
    {1021, "_float4", "real[]", -1, 'A', 700, 0, "array_in"},
    {1022, "_float8", "double precision[]", -1, 'A', 701, 0, "array_in"},
    {1028, "_oid", "oid[]", -1, 'A', 26, 0, "array_in"},
    {1034, "_aclitem", "aclitem[]", -1, 'A', 1033, 0, "array_in"},
    {1115, "_timestamp", "timestamp without time zone[]", -1, 'A', 1114, 0, "array_in"},
    {1182, "_date", "date[]", -1, 'A', 1082, 0, "array_in"},
    {1183, "_time", "time without time zone[]", -1, 'A', 1083, 0, "array_in"},
    {1185, "_timestamptz", "timestamp with time zone[]", -1, 'A', 1184, 0, "array_in"},
    {1187, "_interval", "interval[]", -1, 'A', 1186, 0, "array_in"},
    {1231, "_numeric", "numeric[]", -1, 'A', 1700, 0, "array_in"},
    {1263, "_cstring", "cstring[]", -1, 'A', 2275, 0, "array_in"},
    {1270, "_timetz", "time with time zone[]", -1, 'A', 1266, 0, "array_in"},
    {1561, "_bit", "bit[]", -1, 'A', 1560, 0, "array_in"},
    {1563, "_varbit", "bit varying[]", -1, 'A', 1562, 0, "array_in"},
    {2210, "_regclass", "regclass[]", -1, 'A', 2205, 0, "array_in"},
    {2211, "_regtype", "regtype[]", -1, 'A', 2206, 0, "array_in"},
    {2287, "_record", "record[]", -1, 'A', 2249, 0, "array_in"},
    {2951, "_uuid", "uuid[]", -1, 'A', 2950, 0, "array_in"},
    {3807, "_jsonb", "jsonb[]", -1, 'A', 3802, 0, "array_in"},
    {4090, "_regnamespace", "regnamespace[]", -1, 'A', 4089, 0, "array_in"},
    {4097, "_regrole", "regrole[]", -1, 'A', 4096, 0, "array_in"},
};

int32_t ScalarOid(const ColumnType &type) {
	switch (type.kind) {
	case TypeKind::Boolean:
		return pg_oid::kBool;
	case TypeKind::TinyInt:
	case TypeKind::SmallInt:
	case TypeKind::UTinyInt:
		return pg_oid::kInt2;
	case TypeKind::Integer:
	case TypeKind::USmallInt:
		return pg_oid::kInt4;
	case TypeKind::BigInt:
	case TypeKind::UInteger:
		return pg_oid::kInt8;
	case TypeKind::HugeInt:
	case TypeKind::UBigInt:
	case TypeKind::UHugeInt:
	case TypeKind::Decimal:
		return pg_oid::kNumeric;
	case TypeKind::Float:
		return pg_oid::kFloat4;
	case TypeKind::Double:
		return pg_oid::kFloat8;
	// DuckDB has one string type, unbounded: PostgreSQL's text.
	case TypeKind::Varchar:
		return type.json ? pg_oid::kJson : pg_oid::kText;
	case TypeKind::Enum:
		return pg_oid::kText;
	case TypeKind::Blob:
		return pg_oid::kBytea;
	case TypeKind::Date:
		return pg_oid::kDate;
	case TypeKind::Time:
		return pg_oid::kTime;
	case TypeKind::TimeTz:
		return pg_oid::kTimeTz;
	case TypeKind::Timestamp:
		return pg_oid::kTimestamp;
	case TypeKind::TimestampTz:
		return pg_oid::kTimestampTz;
	case TypeKind::Interval:
		return pg_oid::kInterval;
	case TypeKind::Uuid:
		return pg_oid::kUuid;
	case TypeKind::Bit:
		return pg_oid::kBit;
	case TypeKind::Struct:
	case TypeKind::Map:
	case TypeKind::Union:
		return pg_oid::kJson;
	default:
		return pg_oid::kText;
	}
}

} // namespace

const std::vector<PgType> &PgTypes() {
	return kTypes;
}

const PgType *FindPgType(int32_t oid) {
	static const auto by_oid = [] {
		std::unordered_map<int32_t, const PgType *> map;
		for (auto &type : kTypes) {
			map.emplace(type.oid, &type);
		}
		return map;
	}();
	auto found = by_oid.find(oid);
	return found == by_oid.end() ? nullptr : found->second;
}

const PgType *FindPgTypeByName(std::string_view name) {
	for (auto &type : kTypes) {
		if (EqualsIgnoreCase(type.name, name) || EqualsIgnoreCase(type.display, name)) {
			return &type;
		}
	}
	return nullptr;
}

int32_t PgTypeOid(const ColumnType &type) {
	// pg_index.indkey and friends: PostgreSQL sends them as "1 2", and clients parse that.
	if (type.kind == TypeKind::List && type.name == "int2vector") {
		return 22;
	}
	if (type.kind == TypeKind::List && type.name == "oidvector") {
		return 30;
	}
	if ((type.kind == TypeKind::List || type.kind == TypeKind::Array) && !type.json && !type.children.empty()) {
		auto element = FindPgType(ScalarOid(type.children[0]));
		return element && element->array ? element->array : pg_oid::kJson;
	}
	return ScalarOid(type);
}

int32_t PgTypeModifier(const ColumnType &type) {
	if ((type.kind == TypeKind::List || type.kind == TypeKind::Array) && !type.children.empty()) {
		return PgTypeModifier(type.children[0]);
	}
	if (type.kind == TypeKind::Decimal) {
		return ((int32_t(type.width) << 16) | type.scale) + 4;
	}
	return -1;
}

} // namespace akko::engine
