#include "engine/duckdb_internal.hpp"
#include "engine/lake_types.hpp"

#include "iceberg/value_type.hpp"

#include <fmt/format.h>

namespace akko::engine {

using duckdb::LogicalType;
using duckdb::LogicalTypeId;
using duckdb::Value;
using iceberg::TypeId;

namespace {

constexpr const char *kCarriedCodeKey = "akko_error";

LogicalType PrimitiveDuckType(const iceberg::PrimitiveType &type) {
	using iceberg::TypeKind;
	switch (type.kind) {
	case TypeKind::Boolean:
		return LogicalType::BOOLEAN;
	case TypeKind::Int:
		return LogicalType::INTEGER;
	case TypeKind::Long:
		return LogicalType::BIGINT;
	case TypeKind::Float:
		return LogicalType::FLOAT;
	case TypeKind::Double:
		return LogicalType::DOUBLE;
	case TypeKind::Decimal:
		return LogicalType::DECIMAL(static_cast<uint8_t>(type.precision), static_cast<uint8_t>(type.scale));
	case TypeKind::Date:
		return LogicalType::DATE;
	case TypeKind::Time:
		return LogicalType::TIME;
	case TypeKind::Timestamp:
		return LogicalType::TIMESTAMP;
	case TypeKind::TimestampTz:
		return LogicalType::TIMESTAMP_TZ;
	case TypeKind::TimestampNs:
	case TypeKind::TimestampTzNs:
		return LogicalType::TIMESTAMP_NS;
	case TypeKind::String:
		return LogicalType::VARCHAR;
	case TypeKind::Uuid:
		return LogicalType::UUID;
	case TypeKind::Fixed:
	case TypeKind::Binary:
		return LogicalType::BLOB;
	}
	return LogicalType::VARCHAR;
}

__int128 ToInt128(duckdb::hugeint_t value) {
	return static_cast<__int128>(static_cast<unsigned __int128>(static_cast<uint64_t>(value.upper)) << 64 |
	                             static_cast<unsigned __int128>(value.lower));
}

duckdb::hugeint_t FromInt128(__int128 value) {
	duckdb::hugeint_t result;
	result.lower = static_cast<uint64_t>(static_cast<unsigned __int128>(value));
	result.upper = static_cast<int64_t>(value >> 64);
	return result;
}

int HexDigit(char c) {
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	return (c | 0x20) - 'a' + 10;
}

[[noreturn]] void Unsupported(const LogicalType &type) {
	throw akko::Error(ErrorCode::FeatureNotSupported,
	                  fmt::format("type {} cannot be stored in an Iceberg table", type.ToString()));
}

} // namespace

iceberg::TypePtr IcebergTypeOf(const LogicalType &type, int32_t &next_id) {
	switch (type.id()) {
	case LogicalTypeId::BOOLEAN:
		return iceberg::MakePrimitive(TypeId::Boolean);
	case LogicalTypeId::TINYINT:
	case LogicalTypeId::SMALLINT:
	case LogicalTypeId::INTEGER:
	case LogicalTypeId::UTINYINT:
	case LogicalTypeId::USMALLINT:
		return iceberg::MakePrimitive(TypeId::Int);
	case LogicalTypeId::BIGINT:
	case LogicalTypeId::UINTEGER:
		return iceberg::MakePrimitive(TypeId::Long);
	case LogicalTypeId::UBIGINT:
		return iceberg::MakeDecimal(20, 0);
	case LogicalTypeId::HUGEINT:
	case LogicalTypeId::UHUGEINT:
		return iceberg::MakeDecimal(38, 0);
	case LogicalTypeId::FLOAT:
		return iceberg::MakePrimitive(TypeId::Float);
	case LogicalTypeId::DOUBLE:
		return iceberg::MakePrimitive(TypeId::Double);
	case LogicalTypeId::DECIMAL:
		return iceberg::MakeDecimal(duckdb::DecimalType::GetWidth(type), duckdb::DecimalType::GetScale(type));
	case LogicalTypeId::DATE:
		return iceberg::MakePrimitive(TypeId::Date);
	case LogicalTypeId::TIME:
		return iceberg::MakePrimitive(TypeId::Time);
	case LogicalTypeId::TIMESTAMP:
	case LogicalTypeId::TIMESTAMP_MS:
	case LogicalTypeId::TIMESTAMP_SEC:
		return iceberg::MakePrimitive(TypeId::Timestamp);
	case LogicalTypeId::TIMESTAMP_TZ:
		return iceberg::MakePrimitive(TypeId::TimestampTz);
	case LogicalTypeId::VARCHAR:
	case LogicalTypeId::ENUM:
		return iceberg::MakePrimitive(TypeId::String);
	case LogicalTypeId::BLOB:
		return iceberg::MakePrimitive(TypeId::Binary);
	case LogicalTypeId::UUID:
		return iceberg::MakePrimitive(TypeId::Uuid);
	case LogicalTypeId::LIST:
	case LogicalTypeId::ARRAY: {
		auto &child = type.id() == LogicalTypeId::LIST ? duckdb::ListType::GetChildType(type)
		                                               : duckdb::ArrayType::GetChildType(type);
		auto element_id = ++next_id;
		return iceberg::MakeList(element_id, false, IcebergTypeOf(child, next_id));
	}
	case LogicalTypeId::STRUCT: {
		std::vector<iceberg::NestedField> fields;
		for (auto &child : duckdb::StructType::GetChildTypes(type)) {
			iceberg::NestedField field;
			field.id = ++next_id;
			field.name = child.first;
			fields.push_back(std::move(field));
		}
		auto &children = duckdb::StructType::GetChildTypes(type);
		for (size_t i = 0; i < fields.size(); i++) {
			fields[i].type = IcebergTypeOf(children[i].second, next_id);
		}
		return iceberg::MakeStruct(std::move(fields));
	}
	case LogicalTypeId::MAP: {
		auto key_id = ++next_id;
		auto value_id = ++next_id;
		auto key = IcebergTypeOf(duckdb::MapType::KeyType(type), next_id);
		auto value = IcebergTypeOf(duckdb::MapType::ValueType(type), next_id);
		return iceberg::MakeMap(key_id, key, value_id, false, value);
	}
	default:
		Unsupported(type);
	}
}

LogicalType DuckTypeOf(const iceberg::Type &type) {
	switch (type.id) {
	case TypeId::Struct: {
		duckdb::child_list_t<LogicalType> children;
		for (auto &field : type.fields) {
			children.emplace_back(field.name, DuckTypeOf(*field.type));
		}
		return LogicalType::STRUCT(std::move(children));
	}
	case TypeId::List:
		return LogicalType::LIST(DuckTypeOf(*type.fields[0].type));
	case TypeId::Map:
		return LogicalType::MAP(DuckTypeOf(*type.fields[0].type), DuckTypeOf(*type.fields[1].type));
	case TypeId::Unknown:
		return LogicalType::SQLNULL;
	case TypeId::Variant:
	case TypeId::Geometry:
	case TypeId::Geography:
		return LogicalType::BLOB;
	default:
		return PrimitiveDuckType(*iceberg::ValueTypeOf(type));
	}
}

iceberg::Literal LiteralOf(const Value &input, const iceberg::PrimitiveType &type) {
	using iceberg::TypeKind;
	if (input.IsNull()) {
		return std::monostate {};
	}
	auto value = input.DefaultCastAs(PrimitiveDuckType(type));
	switch (type.kind) {
	case TypeKind::Boolean:
		return value.GetValue<bool>();
	case TypeKind::Int:
		return value.GetValue<int32_t>();
	case TypeKind::Long:
		return value.GetValue<int64_t>();
	case TypeKind::Float:
		return value.GetValue<float>();
	case TypeKind::Double:
		return value.GetValue<double>();
	case TypeKind::Decimal: {
		__int128 unscaled = 0;
		switch (value.type().InternalType()) {
		case duckdb::PhysicalType::INT16:
			unscaled = value.GetValueUnsafe<int16_t>();
			break;
		case duckdb::PhysicalType::INT32:
			unscaled = value.GetValueUnsafe<int32_t>();
			break;
		case duckdb::PhysicalType::INT64:
			unscaled = value.GetValueUnsafe<int64_t>();
			break;
		default:
			unscaled = ToInt128(value.GetValueUnsafe<duckdb::hugeint_t>());
		}
		return iceberg::Decimal {unscaled, type.scale};
	}
	case TypeKind::Date:
		return value.GetValue<duckdb::date_t>().days;
	case TypeKind::Time:
		return value.GetValue<duckdb::dtime_t>().micros;
	case TypeKind::Timestamp:
		return value.GetValue<duckdb::timestamp_t>().value;
	case TypeKind::TimestampTz:
		return duckdb::TimestampValue::Get(value.DefaultCastAs(LogicalType::TIMESTAMP_TZ)).value;
	case TypeKind::TimestampNs:
	case TypeKind::TimestampTzNs:
		return duckdb::TimestampValue::Get(value).value;
	case TypeKind::String:
		return duckdb::StringValue::Get(value);
	case TypeKind::Uuid: {
		auto text = value.ToString();
		iceberg::Uuid uuid;
		size_t byte = 0;
		for (size_t i = 0; i + 1 < text.size() && byte < 16;) {
			if (text[i] == '-') {
				i++;
				continue;
			}
			uuid.bytes[byte++] = static_cast<uint8_t>(HexDigit(text[i]) * 16 + HexDigit(text[i + 1]));
			i += 2;
		}
		return uuid;
	}
	case TypeKind::Fixed:
	case TypeKind::Binary:
		return iceberg::Bytes {duckdb::StringValue::Get(value)};
	}
	return std::monostate {};
}

Value ValueOf(const iceberg::Literal &literal, const iceberg::PrimitiveType &type) {
	using iceberg::TypeKind;
	auto duck_type = PrimitiveDuckType(type);
	if (std::holds_alternative<std::monostate>(literal)) {
		return Value(duck_type);
	}
	switch (type.kind) {
	case TypeKind::Boolean:
		return Value::BOOLEAN(std::get<bool>(literal));
	case TypeKind::Int:
		return Value::INTEGER(std::get<int32_t>(literal));
	case TypeKind::Long:
		return Value::BIGINT(std::get<int64_t>(literal));
	case TypeKind::Float:
		return Value::FLOAT(std::get<float>(literal));
	case TypeKind::Double:
		return Value::DOUBLE(std::get<double>(literal));
	case TypeKind::Decimal: {
		auto &decimal = std::get<iceberg::Decimal>(literal);
		return Value::DECIMAL(FromInt128(decimal.unscaled), static_cast<uint8_t>(type.precision),
		                      static_cast<uint8_t>(type.scale));
	}
	case TypeKind::Date:
		return Value::DATE(duckdb::date_t(std::get<int32_t>(literal)));
	case TypeKind::Time:
		return Value::TIME(duckdb::dtime_t(std::get<int64_t>(literal)));
	case TypeKind::Timestamp:
		return Value::TIMESTAMP(duckdb::timestamp_t(std::get<int64_t>(literal)));
	case TypeKind::TimestampTz:
		return Value::TIMESTAMPTZ(duckdb::timestamp_tz_t(std::get<int64_t>(literal)));
	case TypeKind::TimestampNs:
	case TypeKind::TimestampTzNs:
		return Value::TIMESTAMPNS(duckdb::timestamp_ns_t(std::get<int64_t>(literal)));
	case TypeKind::String:
		return Value(std::get<std::string>(literal));
	case TypeKind::Uuid: {
		auto &bytes = std::get<iceberg::Uuid>(literal).bytes;
		std::string text;
		for (size_t i = 0; i < bytes.size(); i++) {
			if (i == 4 || i == 6 || i == 8 || i == 10) {
				text += '-';
			}
			text += fmt::format("{:02x}", bytes[i]);
		}
		return Value::UUID(text);
	}
	case TypeKind::Fixed:
	case TypeKind::Binary:
		return Value::BLOB_RAW(std::get<iceberg::Bytes>(literal).data);
	}
	return Value(duck_type);
}

namespace {

Value NestedFieldIds(const iceberg::NestedField &field) {
	auto &type = *field.type;
	if (!type.IsNested()) {
		return Value::INTEGER(field.id);
	}
	duckdb::child_list_t<Value> children;
	children.emplace_back("__duckdb_field_id", Value::INTEGER(field.id));
	for (auto &child : type.fields) {
		children.emplace_back(child.name, NestedFieldIds(child));
	}
	return Value::STRUCT(std::move(children));
}

} // namespace

Value FieldIdsOption(const std::vector<iceberg::NestedField> &fields) {
	duckdb::child_list_t<Value> children;
	for (auto &field : fields) {
		children.emplace_back(field.name, NestedFieldIds(field));
	}
	return Value::STRUCT(std::move(children));
}

void ThrowAsDuck(const akko::Error &error) {
	auto type = duckdb::ExceptionType::INVALID_INPUT;
	switch (error.code) {
	case ErrorCode::SerializationFailure:
		type = duckdb::ExceptionType::TRANSACTION;
		break;
	case ErrorCode::FeatureNotSupported:
		type = duckdb::ExceptionType::NOT_IMPLEMENTED;
		break;
	case ErrorCode::UndefinedTable:
	case ErrorCode::DuplicateTable:
	case ErrorCode::DuplicateSchema:
	case ErrorCode::InvalidSchemaName:
		type = duckdb::ExceptionType::CATALOG;
		break;
	default:
		break;
	}
	// The code travels as its number: the exception never leaves this process.
	std::unordered_map<std::string, std::string> extra {{kCarriedCodeKey, std::to_string(static_cast<int>(error.code))}};
	throw duckdb::Exception(type, error.message, extra);
}

std::optional<ErrorCode> CarriedCode(const duckdb::ErrorData &error) {
	auto found = error.ExtraInfo().find(kCarriedCodeKey);
	if (found == error.ExtraInfo().end()) {
		return std::nullopt;
	}
	return static_cast<ErrorCode>(std::stoi(found->second));
}

bool CommitOutcomeUnknownInEngine(const std::exception &error) {
	return CommitOutcomeUnknown(error) ||
	       CarriedCode(duckdb::ErrorData(error)) == ErrorCode::TransactionResolutionUnknown;
}

} // namespace akko::engine
