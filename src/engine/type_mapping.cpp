#include "engine/duckdb_internal.hpp"

namespace akko::engine {

namespace {

bool IsScalar(const ColumnType &type) {
	switch (type.kind) {
	case TypeKind::List:
	case TypeKind::Array:
	case TypeKind::Struct:
	case TypeKind::Map:
	case TypeKind::Union:
		return false;
	default:
		return !type.json;
	}
}

} // namespace

ColumnType DescribeType(const duckdb::LogicalType &type) {
	using duckdb::LogicalTypeId;
	ColumnType result;
	result.name = type.ToString();
	switch (type.id()) {
	case LogicalTypeId::SQLNULL:
	case LogicalTypeId::UNKNOWN:
	case LogicalTypeId::STRING_LITERAL:
	case LogicalTypeId::INTEGER_LITERAL:
		result.kind = TypeKind::Null;
		break;
	case LogicalTypeId::BOOLEAN:
		result.kind = TypeKind::Boolean;
		break;
	case LogicalTypeId::TINYINT:
		result.kind = TypeKind::TinyInt;
		break;
	case LogicalTypeId::SMALLINT:
		result.kind = TypeKind::SmallInt;
		break;
	case LogicalTypeId::INTEGER:
		result.kind = TypeKind::Integer;
		break;
	case LogicalTypeId::BIGINT:
		result.kind = TypeKind::BigInt;
		break;
	case LogicalTypeId::HUGEINT:
		result.kind = TypeKind::HugeInt;
		break;
	case LogicalTypeId::UTINYINT:
		result.kind = TypeKind::UTinyInt;
		break;
	case LogicalTypeId::USMALLINT:
		result.kind = TypeKind::USmallInt;
		break;
	case LogicalTypeId::UINTEGER:
		result.kind = TypeKind::UInteger;
		break;
	case LogicalTypeId::UBIGINT:
		result.kind = TypeKind::UBigInt;
		break;
	case LogicalTypeId::UHUGEINT:
		result.kind = TypeKind::UHugeInt;
		break;
	case LogicalTypeId::FLOAT:
		result.kind = TypeKind::Float;
		break;
	case LogicalTypeId::DOUBLE:
		result.kind = TypeKind::Double;
		break;
	case LogicalTypeId::DECIMAL:
		result.kind = TypeKind::Decimal;
		result.width = duckdb::DecimalType::GetWidth(type);
		result.scale = duckdb::DecimalType::GetScale(type);
		break;
	case LogicalTypeId::VARCHAR:
		result.kind = TypeKind::Varchar;
		result.json = type.IsJSONType();
		break;
	case LogicalTypeId::BLOB:
		result.kind = TypeKind::Blob;
		break;
	case LogicalTypeId::DATE:
		result.kind = TypeKind::Date;
		break;
	case LogicalTypeId::TIME:
		result.kind = TypeKind::Time;
		break;
	case LogicalTypeId::TIME_TZ:
		result.kind = TypeKind::TimeTz;
		break;
	case LogicalTypeId::TIMESTAMP:
	case LogicalTypeId::TIMESTAMP_SEC:
	case LogicalTypeId::TIMESTAMP_MS:
	case LogicalTypeId::TIMESTAMP_NS:
		result.kind = TypeKind::Timestamp;
		break;
	case LogicalTypeId::TIMESTAMP_TZ:
		result.kind = TypeKind::TimestampTz;
		break;
	case LogicalTypeId::INTERVAL:
		result.kind = TypeKind::Interval;
		break;
	case LogicalTypeId::UUID:
		result.kind = TypeKind::Uuid;
		break;
	case LogicalTypeId::ENUM:
		result.kind = TypeKind::Enum;
		break;
	case LogicalTypeId::BIT:
		result.kind = TypeKind::Bit;
		break;
	case LogicalTypeId::LIST:
	case LogicalTypeId::ARRAY: {
		result.kind = type.id() == LogicalTypeId::LIST ? TypeKind::List : TypeKind::Array;
		auto &child = type.id() == LogicalTypeId::LIST ? duckdb::ListType::GetChildType(type)
		                                                : duckdb::ArrayType::GetChildType(type);
		result.children.push_back(DescribeType(child));
		// PostgreSQL arrays hold scalars; anything deeper travels as JSON.
		result.json = !IsScalar(result.children[0]);
		break;
	}
	case LogicalTypeId::STRUCT:
		result.kind = TypeKind::Struct;
		result.json = true;
		break;
	case LogicalTypeId::MAP:
		result.kind = TypeKind::Map;
		result.json = true;
		break;
	case LogicalTypeId::UNION:
		result.kind = TypeKind::Union;
		result.json = true;
		break;
	default:
		result.kind = TypeKind::Other;
		break;
	}
	return result;
}

} // namespace akko::engine
