#pragma once
// A block of result rows (up to 2048), flattened so adapters read values straight from
// the engine's memory without copies or virtual calls.
#include "engine/column_type.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace akko::engine {

struct ColumnView {
	const ColumnType *type = nullptr;
	uint64_t count = 0;
	const uint8_t *data = nullptr;      // fixed-width values (see TypeKind comments), flattened
	const uint64_t *validity = nullptr; // bit per row; null: every row valid
	// VARCHAR and BLOB values; for JSON-rendered, enum, time-zoned and other types
	// without a fixed layout, DuckDB's own text rendering of each value.
	std::vector<std::string_view> strings;
	const ListEntry *lists = nullptr;   // LIST/ARRAY: the child range of each row
	std::vector<ColumnView> children;   // LIST/ARRAY: one child (the elements)

	bool IsNull(uint64_t row) const {
		return validity && !((validity[row >> 6] >> (row & 63)) & 1);
	}
	template <class T>
	T Get(uint64_t row) const {
		return reinterpret_cast<const T *>(data)[row];
	}
};

class ResultChunk {
public:
	virtual ~ResultChunk() = default;
	virtual uint64_t RowCount() const = 0;
	virtual const std::vector<ColumnView> &Columns() const = 0;
};

} // namespace akko::engine
