#include "iceberg/partition_transform.hpp"

#include "common/civil_time.hpp"
#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "iceberg/transforms.hpp"

#include <charconv>
#include <fmt/format.h>
#include <optional>

namespace akko::iceberg {

namespace {

constexpr int64_t kNanosPerMicro = 1000;

// For "name[N]": N, which must be a positive 32-bit integer; nullopt when `lower` does not have
// that shape (then it is a transform this version does not know, as in Java).
std::optional<int32_t> Parameter(std::string_view lower, std::string_view name, std::string_view text) {
	if (lower.size() < name.size() + 3 || lower.substr(0, name.size()) != name || lower[name.size()] != '[' ||
	    lower.back() != ']') {
		return std::nullopt;
	}
	auto digits = lower.substr(name.size() + 1, lower.size() - name.size() - 2);
	int32_t value = 0;
	auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
	if (error != std::errc() || end != digits.data() + digits.size() || value <= 0) {
		throw Error(ErrorCode::InvalidInput,
		            fmt::format("invalid transform \"{}\": the width must be a positive 32-bit integer", text));
	}
	return value;
}

bool IsTimestamp(TypeKind kind) {
	return kind == TypeKind::Timestamp || kind == TypeKind::TimestampTz;
}

bool IsNanoTimestamp(TypeKind kind) {
	return kind == TypeKind::TimestampNs || kind == TypeKind::TimestampTzNs;
}

const char *KindName(TransformKind kind) {
	switch (kind) {
	case TransformKind::Identity:
		return "identity";
	case TransformKind::Bucket:
		return "bucket";
	case TransformKind::Truncate:
		return "truncate";
	case TransformKind::Year:
		return "year";
	case TransformKind::Month:
		return "month";
	case TransformKind::Day:
		return "day";
	case TransformKind::Hour:
		return "hour";
	case TransformKind::Void:
		return "void";
	default:
		return "unknown";
	}
}

[[noreturn]] void Refuse(const Transform &transform, const PrimitiveType &source) {
	throw Error(ErrorCode::InvalidInput,
	            fmt::format("partition transform {} does not apply to {}", KindName(transform.kind), ToString(source)));
}

// Micros since the epoch of a timestamp value, or days of a date, for the temporal transforms.
int64_t Micros(const Literal &value, const PrimitiveType &source) {
	if (IsTimestamp(source.kind)) {
		return std::get<int64_t>(value);
	}
	return FloorDivide(std::get<int64_t>(value), kNanosPerMicro);
}

int32_t Days(const Literal &value, const PrimitiveType &source, const Transform &transform) {
	if (source.kind == TypeKind::Date) {
		return std::get<int32_t>(value);
	}
	if (IsTimestamp(source.kind) || IsNanoTimestamp(source.kind)) {
		return DaysFromMicros(Micros(value, source));
	}
	Refuse(transform, source);
}

int32_t BucketOf(const Literal &value, const PrimitiveType &source, const Transform &transform) {
	int32_t hash = 0;
	switch (source.kind) {
	case TypeKind::Int:
	case TypeKind::Date:
		hash = HashLong(std::get<int32_t>(value));
		break;
	case TypeKind::Long:
	case TypeKind::Time:
	case TypeKind::Timestamp:
	case TypeKind::TimestampTz:
		hash = HashLong(std::get<int64_t>(value));
		break;
	case TypeKind::TimestampNs:
	case TypeKind::TimestampTzNs:
		// The spec hashes nanosecond timestamps as their microseconds, so both precisions agree.
		hash = HashLong(Micros(value, source));
		break;
	case TypeKind::Decimal:
		hash = HashDecimal(std::get<Decimal>(value).unscaled);
		break;
	case TypeKind::String:
		hash = HashBytes(std::get<std::string>(value));
		break;
	case TypeKind::Fixed:
	case TypeKind::Binary:
		hash = HashBytes(std::get<Bytes>(value).data);
		break;
	case TypeKind::Uuid: {
		auto &bytes = std::get<Uuid>(value).bytes;
		uint64_t high = 0, low = 0;
		for (int i = 0; i < 8; i++) {
			high = (high << 8) | bytes[i];
			low = (low << 8) | bytes[8 + i];
		}
		hash = HashUuid(high, low);
		break;
	}
	default:
		Refuse(transform, source);
	}
	return Bucket(hash, transform.parameter);
}

Literal TruncateOf(const Literal &value, const PrimitiveType &source, const Transform &transform) {
	switch (source.kind) {
	case TypeKind::Int:
		return static_cast<int32_t>(TruncateInteger(std::get<int32_t>(value), transform.parameter));
	case TypeKind::Long:
		return TruncateInteger(std::get<int64_t>(value), transform.parameter);
	case TypeKind::Decimal: {
		auto decimal = std::get<Decimal>(value);
		decimal.unscaled = TruncateDecimal(decimal.unscaled, transform.parameter);
		return decimal;
	}
	case TypeKind::String:
		return TruncateString(std::get<std::string>(value), transform.parameter);
	case TypeKind::Binary: {
		auto bytes = std::get<Bytes>(value);
		if (bytes.data.size() > static_cast<size_t>(transform.parameter)) {
			bytes.data.resize(static_cast<size_t>(transform.parameter));
		}
		return bytes;
	}
	default:
		Refuse(transform, source);
	}
}

} // namespace

Transform ParseTransform(std::string_view text) {
	static const std::pair<std::string_view, TransformKind> kPlain[] = {
	    {"identity", TransformKind::Identity}, {"year", TransformKind::Year}, {"month", TransformKind::Month},
	    {"day", TransformKind::Day},           {"hour", TransformKind::Hour}, {"void", TransformKind::Void}};
	auto lower = ToLower(text);
	for (auto &[name, kind] : kPlain) {
		if (lower == name) {
			return {kind, 0};
		}
	}
	if (auto buckets = Parameter(lower, "bucket", text)) {
		return {TransformKind::Bucket, *buckets};
	}
	if (auto width = Parameter(lower, "truncate", text)) {
		return {TransformKind::Truncate, *width};
	}
	return {TransformKind::Unknown, 0};
}

PrimitiveType TransformResultType(const Transform &transform, const PrimitiveType &source) {
	switch (transform.kind) {
	case TransformKind::Bucket:
	case TransformKind::Year:
	case TransformKind::Month:
	case TransformKind::Hour:
		return PrimitiveType {TypeKind::Int};
	case TransformKind::Day:
		return PrimitiveType {TypeKind::Date};
	default:
		return source;
	}
}

Literal ApplyTransform(const Transform &transform, const Literal &value, const PrimitiveType &source) {
	if (std::holds_alternative<std::monostate>(value) || transform.kind == TransformKind::Void) {
		return std::monostate {};
	}
	CheckLiteralType(value, source);
	switch (transform.kind) {
	case TransformKind::Identity:
		return value;
	case TransformKind::Bucket:
		return BucketOf(value, source, transform);
	case TransformKind::Truncate:
		return TruncateOf(value, source, transform);
	case TransformKind::Year:
		return YearsFromDays(Days(value, source, transform));
	case TransformKind::Month:
		return MonthsFromDays(Days(value, source, transform));
	case TransformKind::Day:
		return Days(value, source, transform);
	case TransformKind::Hour:
		if (!IsTimestamp(source.kind) && !IsNanoTimestamp(source.kind)) {
			Refuse(transform, source);
		}
		return HoursFromMicros(Micros(value, source));
	default:
		throw Error(ErrorCode::FeatureNotSupported, "cannot apply an unknown partition transform");
	}
}

bool PreservesOrder(const Transform &transform) {
	switch (transform.kind) {
	case TransformKind::Identity:
	case TransformKind::Truncate:
	case TransformKind::Year:
	case TransformKind::Month:
	case TransformKind::Day:
	case TransformKind::Hour:
		return true;
	default:
		return false;
	}
}

} // namespace akko::iceberg
