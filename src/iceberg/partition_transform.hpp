#pragma once
// Partition transforms applied to Iceberg values: what a writer stores as a file's partition
// tuple, and what a reader projects a query's predicates through to skip partitions.
#include "iceberg/value.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace akko::iceberg {

enum class TransformKind : uint8_t { Identity, Bucket, Truncate, Year, Month, Day, Hour, Void, Unknown };

struct Transform {
	TransformKind kind = TransformKind::Unknown;
	int32_t parameter = 0; // bucket count or truncate width

	bool operator==(const Transform &) const = default;
};

// "identity", "bucket[16]", "truncate[4]", "year", ... in any case, as Java reads them; a name this
// version does not know is Unknown (v3 readers must accept unknown transforms); a bucket count or
// width that is not a positive 32-bit integer is invalid_input.
Transform ParseTransform(std::string_view text);

// The type of the transform's values for a source of type `source`.
PrimitiveType TransformResultType(const Transform &transform, const PrimitiveType &source);

// `value` (of type `source`) through the transform; null stays null, and void gives null.
// Throws akko::Error (invalid_input) for an Unknown transform or a source type it does not take.
Literal ApplyTransform(const Transform &transform, const Literal &value, const PrimitiveType &source);

// Whether `a <= b` implies `t(a) <= t(b)`: then range predicates carry over to partition values.
bool PreservesOrder(const Transform &transform);

} // namespace akko::iceberg
