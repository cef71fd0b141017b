#include "iceberg/value_type.hpp"

namespace akko::iceberg {

std::optional<PrimitiveType> ValueTypeOf(const Type &type) {
	if (!type.IsPrimitive()) {
		return std::nullopt;
	}
	PrimitiveType result;
	switch (type.id) {
	case TypeId::Boolean:
		result.kind = TypeKind::Boolean;
		break;
	case TypeId::Int:
		result.kind = TypeKind::Int;
		break;
	case TypeId::Long:
		result.kind = TypeKind::Long;
		break;
	case TypeId::Float:
		result.kind = TypeKind::Float;
		break;
	case TypeId::Double:
		result.kind = TypeKind::Double;
		break;
	case TypeId::Decimal:
		result.kind = TypeKind::Decimal;
		result.precision = type.precision;
		result.scale = type.scale;
		break;
	case TypeId::Date:
		result.kind = TypeKind::Date;
		break;
	case TypeId::Time:
		result.kind = TypeKind::Time;
		break;
	case TypeId::Timestamp:
		result.kind = TypeKind::Timestamp;
		break;
	case TypeId::TimestampTz:
		result.kind = TypeKind::TimestampTz;
		break;
	case TypeId::TimestampNs:
		result.kind = TypeKind::TimestampNs;
		break;
	case TypeId::TimestampTzNs:
		result.kind = TypeKind::TimestampTzNs;
		break;
	case TypeId::String:
		result.kind = TypeKind::String;
		break;
	case TypeId::Uuid:
		result.kind = TypeKind::Uuid;
		break;
	case TypeId::Fixed:
		result.kind = TypeKind::Fixed;
		result.length = type.length;
		break;
	case TypeId::Binary:
		result.kind = TypeKind::Binary;
		break;
	default:
		return std::nullopt;
	}
	return result;
}

} // namespace akko::iceberg
