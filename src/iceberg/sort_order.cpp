#include "iceberg/sort_order.hpp"

#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "iceberg/metadata_json.hpp"
#include "iceberg/partition_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace akko::iceberg {

using namespace metadata_json;

namespace {

SortField ParseField(const nlohmann::json &json) {
	RequireObject(json, "sort field");
	SortField field;
	field.transform = GetString(json, "transform", "sort field");
	field.source_id = GetInt(json, "source-id", "sort field");
	auto direction = ToLower(GetString(json, "direction", "sort field"));
	if (direction != "asc" && direction != "desc") {
		throw Error(ErrorCode::InvalidInput, fmt::format("invalid sort direction \"{}\"", direction));
	}
	field.direction = direction == "asc" ? SortDirection::Asc : SortDirection::Desc;
	auto null_order = ToLower(GetString(json, "null-order", "sort field"));
	if (null_order != "nulls-first" && null_order != "nulls-last") {
		throw Error(ErrorCode::InvalidInput, fmt::format("invalid null order \"{}\"", null_order));
	}
	field.null_order = null_order == "nulls-first" ? NullOrder::NullsFirst : NullOrder::NullsLast;
	return field;
}

} // namespace

bool SortOrder::SameOrder(const SortOrder &other) const {
	return fields == other.fields;
}

void SortOrder::Validate(const Schema &schema) const {
	if (!fields.empty() && order_id == 0) {
		throw Error(ErrorCode::InvalidInput, "sort order id 0 is reserved for the unsorted order");
	}
	if (fields.empty() && order_id != 0) {
		throw Error(ErrorCode::InvalidInput, fmt::format("the unsorted order must have id 0, not {}", order_id));
	}
	for (auto &field : fields) {
		auto source = schema.FindField(field.source_id);
		if (!source) {
			throw Error(ErrorCode::InvalidInput, fmt::format("cannot find source column {} for sort field {}",
			                                                 field.source_id, field.transform));
		}
		if (!source->type->IsPrimitive()) {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("cannot sort by non-primitive source field: {}", source->type->ToString()));
		}
		if (!CanTransform(field.transform, *source->type)) {
			throw Error(ErrorCode::InvalidInput, fmt::format("invalid source type {} for transform: {}",
			                                                 source->type->ToString(), field.transform));
		}
	}
}

SortOrder ParseSortOrder(const nlohmann::json &json) {
	RequireObject(json, "sort order");
	SortOrder order;
	order.order_id = GetInt(json, "order-id", "sort order");
	for (auto &item : RequireArray(json, "fields", "sort order")) {
		order.fields.push_back(ParseField(item));
	}
	return order;
}

nlohmann::json ToJson(const SortOrder &order) {
	auto fields = nlohmann::json::array();
	for (auto &field : order.fields) {
		fields.push_back({{"transform", field.transform},
		                  {"source-id", field.source_id},
		                  {"direction", field.direction == SortDirection::Asc ? "asc" : "desc"},
		                  {"null-order", field.null_order == NullOrder::NullsFirst ? "nulls-first" : "nulls-last"}});
	}
	return {{"order-id", order.order_id}, {"fields", std::move(fields)}};
}

} // namespace akko::iceberg
