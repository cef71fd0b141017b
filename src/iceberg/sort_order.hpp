#pragma once
// Sort orders (table spec "Sorting", Appendix C). Order id 0 is reserved for the unsorted order.
#include "iceberg/schema.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace akko::iceberg {

enum class SortDirection : uint8_t { Asc, Desc };
enum class NullOrder : uint8_t { NullsFirst, NullsLast };

struct SortField {
	std::string transform;
	int32_t source_id = 0;
	SortDirection direction = SortDirection::Asc;
	NullOrder null_order = NullOrder::NullsFirst;

	bool operator==(const SortField &other) const = default;
};

struct SortOrder {
	int32_t order_id = 0;
	std::vector<SortField> fields;

	bool IsUnsorted() const {
		return fields.empty();
	}
	// The same fields in the same order, whatever the order ids.
	bool SameOrder(const SortOrder &other) const;
	// Order id 0 exactly when unsorted; every field reads an existing primitive column of
	// `schema` that its transform accepts (Java's SortOrder.checkCompatibility).
	void Validate(const Schema &schema) const;
};

// A sort order object; direction and null order are read case-insensitively, as Java does.
SortOrder ParseSortOrder(const nlohmann::json &json);
nlohmann::json ToJson(const SortOrder &order);

} // namespace akko::iceberg
