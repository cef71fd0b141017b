#pragma once
// The bridge from a schema's types to the value layer: which PrimitiveType a column's values
// (bounds, partition values, predicate constants) have.
#include "iceberg/types.hpp"
#include "iceberg/value.hpp"

#include <optional>

namespace akko::iceberg {

// Null for nested and semi-structured types, which have no single values.
std::optional<PrimitiveType> ValueTypeOf(const Type &type);

} // namespace akko::iceberg
