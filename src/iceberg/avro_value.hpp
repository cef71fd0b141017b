#pragma once
// A decoded Avro datum, shaped by the schema it was written with. Which alternative each
// schema type uses: null: monostate; boolean: bool; int: int32_t; long: int64_t; float;
// double; string and enum (its symbol): std::string; bytes and fixed: AvroBytes; record:
// AvroRecord (fields in schema order); array: AvroArray; map: AvroMap. A union holds the
// value of its branch.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace akko::iceberg {

struct AvroValue;

struct AvroBytes {
	std::string data;
	bool operator==(const AvroBytes &) const = default;
};

struct AvroRecord {
	std::vector<AvroValue> fields;
	bool operator==(const AvroRecord &) const;
};

struct AvroArray {
	std::vector<AvroValue> items;
	bool operator==(const AvroArray &) const;
};

// Keys and values side by side (a vector of pairs would need AvroValue complete here).
struct AvroMap {
	std::vector<std::string> keys;
	std::vector<AvroValue> values;
	bool operator==(const AvroMap &) const;
};

struct AvroValue {
	std::variant<std::monostate, bool, int32_t, int64_t, float, double, std::string, AvroBytes, AvroRecord,
	             AvroArray, AvroMap>
	    value;

	bool IsNull() const {
		return value.index() == 0;
	}
	bool operator==(const AvroValue &) const = default;
};

inline bool AvroRecord::operator==(const AvroRecord &other) const {
	return fields == other.fields;
}
inline bool AvroArray::operator==(const AvroArray &other) const {
	return items == other.items;
}
inline bool AvroMap::operator==(const AvroMap &other) const {
	return keys == other.keys && values == other.values;
}

} // namespace akko::iceberg
