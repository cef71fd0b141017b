#include "adapters/pgwire/pg_types.hpp"

#include "engine/pg_types.hpp"
#include "sql/value_text.hpp"

#include <cstring>

namespace akko::pgwire {

using engine::ColumnType;
using engine::ColumnView;
using engine::TypeKind;

namespace {

constexpr int64_t kPostgresEpochDays = 10957; // 2000-01-01 - 1970-01-01
constexpr int64_t kPostgresEpochMicros = kPostgresEpochDays * 86400LL * 1000000LL;

namespace oid = engine::pg_oid;

template <class T>
void PutBigEndian(std::string &out, T value) {
	using U = std::make_unsigned_t<T>;
	U bits = static_cast<U>(value);
	for (int shift = (sizeof(T) - 1) * 8; shift >= 0; shift -= 8) {
		out += static_cast<char>((bits >> shift) & 0xFF);
	}
}

template <class F>
void PutFloatBits(std::string &out, F value) {
	if constexpr (sizeof(F) == 4) {
		uint32_t bits;
		std::memcpy(&bits, &value, 4);
		PutBigEndian(out, bits);
	} else {
		uint64_t bits;
		std::memcpy(&bits, &value, 8);
		PutBigEndian(out, bits);
	}
}

// PostgreSQL's binary numeric: base-10000 digits with a weight, sign and display scale.
void AppendNumericBinary(std::string &out, std::string_view text) {
	bool negative = !text.empty() && text[0] == '-';
	if (negative) {
		text.remove_prefix(1);
	}
	auto point = text.find('.');
	std::string_view integer = text.substr(0, point);
	std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
	while (integer.size() > 1 && integer[0] == '0') {
		integer.remove_prefix(1);
	}
	if (integer == "0") {
		integer = {};
	}
	// Pad the integer part on the left and the fraction on the right to whole groups of 4.
	std::string digits(integer);
	digits.insert(0, (4 - digits.size() % 4) % 4, '0');
	int16_t weight = static_cast<int16_t>(digits.size() / 4) - 1;
	std::string fraction_digits(fraction);
	fraction_digits.append((4 - fraction_digits.size() % 4) % 4, '0');
	digits += fraction_digits;
	std::vector<int16_t> groups;
	for (size_t i = 0; i < digits.size(); i += 4) {
		groups.push_back(static_cast<int16_t>(std::stoi(digits.substr(i, 4))));
	}
	// Leading zero groups shift the weight down; trailing ones are dropped.
	size_t first = 0;
	while (first < groups.size() && groups[first] == 0) {
		first++;
		weight--;
	}
	size_t last = groups.size();
	while (last > first && groups[last - 1] == 0) {
		last--;
	}
	if (first == last) {
		weight = 0;
	}
	PutBigEndian<int16_t>(out, static_cast<int16_t>(last - first));
	PutBigEndian<int16_t>(out, weight);
	PutBigEndian<int16_t>(out, negative && first != last ? 0x4000 : 0);
	PutBigEndian<int16_t>(out, static_cast<int16_t>(fraction.size()));
	for (size_t i = first; i < last; i++) {
		PutBigEndian<int16_t>(out, groups[i]);
	}
}

void AppendBinaryArray(std::string &out, const ColumnView &column, uint64_t row) {
	auto entry = column.lists[row];
	auto &child = column.children[0];
	bool has_null = false;
	for (uint64_t i = 0; i < entry.length; i++) {
		has_null = has_null || child.IsNull(entry.offset + i);
	}
	PutBigEndian<int32_t>(out, entry.length ? 1 : 0);
	PutBigEndian<int32_t>(out, has_null ? 1 : 0);
	PutBigEndian<int32_t>(out, TypeInfoFor(*child.type).oid);
	if (entry.length) {
		PutBigEndian<int32_t>(out, static_cast<int32_t>(entry.length));
		PutBigEndian<int32_t>(out, 1);
	}
	for (uint64_t i = 0; i < entry.length; i++) {
		auto index = entry.offset + i;
		if (child.IsNull(index)) {
			PutBigEndian<int32_t>(out, -1);
			continue;
		}
		auto at = out.size();
		out.append(4, '\0');
		AppendBinaryValue(out, child, index);
		auto length = static_cast<uint32_t>(out.size() - at - 4);
		for (int k = 0; k < 4; k++) {
			out[at + k] = static_cast<char>((length >> (24 - 8 * k)) & 0xFF);
		}
	}
}

template <class T>
bool ReadBigEndian(std::string_view bytes, T &value) {
	if (bytes.size() != sizeof(T)) {
		return false;
	}
	std::make_unsigned_t<T> bits = 0;
	for (char c : bytes) {
		bits = static_cast<std::make_unsigned_t<T>>((bits << 8) | static_cast<uint8_t>(c));
	}
	value = static_cast<T>(bits);
	return true;
}

// Renders one fixed-width value through the shared text formatter.
template <class T>
std::string TextOf(TypeKind kind, T value) {
	ColumnType type;
	type.kind = kind;
	ColumnView view;
	view.type = &type;
	view.count = 1;
	view.data = reinterpret_cast<const uint8_t *>(&value);
	std::string text;
	sql::AppendValueText(text, view, 0);
	return text;
}

std::optional<std::string> NumericFromBinary(std::string_view bytes) {
	int16_t ndigits, weight, sign, dscale;
	if (bytes.size() < 8 || !ReadBigEndian(bytes.substr(0, 2), ndigits) || !ReadBigEndian(bytes.substr(2, 2), weight) ||
	    !ReadBigEndian(bytes.substr(4, 2), sign) || !ReadBigEndian(bytes.substr(6, 2), dscale) || ndigits < 0 ||
	    dscale < 0 || bytes.size() != 8 + 2 * static_cast<size_t>(ndigits)) {
		return std::nullopt;
	}
	if (sign == static_cast<int16_t>(0xC000)) {
		return std::string("NaN");
	}
	std::string integer, fraction;
	for (int i = 0; i < ndigits; i++) {
		int16_t group = 0;
		if (!ReadBigEndian(bytes.substr(8 + 2 * i, 2), group) || group < 0 || group > 9999) {
			return std::nullopt;
		}
		auto text = std::to_string(group);
		text.insert(0, 4 - text.size(), '0');
		int position = weight - i; // power of 10000 of this group
		(position >= 0 ? integer : fraction) += text;
	}
	for (int position = weight - ndigits + 1; position > 0; position--) {
		integer += "0000";
	}
	if (weight < -1) {
		fraction.insert(0, static_cast<size_t>(-weight - 1) * 4, '0');
	}
	integer.erase(0, std::min(integer.find_first_not_of('0'), integer.size()));
	if (integer.empty()) {
		integer = "0";
	}
	fraction.resize(static_cast<size_t>(dscale), '0');
	std::string text = (sign == 0x4000 ? "-" : "") + integer;
	if (dscale > 0) {
		text += "." + fraction;
	}
	return text;
}

} // namespace

PgTypeInfo TypeInfoFor(const ColumnType &type) {
	// The catalog (pg_type, pg_attribute) and the wire must agree: one mapping serves both.
	auto type_oid = engine::PgTypeOid(type);
	auto *entry = engine::FindPgType(type_oid);
	return {type_oid, entry && entry->length > 0 ? entry->length : int16_t(-1), engine::PgTypeModifier(type)};
}

TypeKind KindForOid(int32_t type_oid) {
	switch (type_oid) {
	case oid::kBool:
		return TypeKind::Boolean;
	case oid::kInt2:
		return TypeKind::SmallInt;
	case oid::kInt4:
	case oid::kOid:
		return TypeKind::Integer;
	case oid::kInt8:
		return TypeKind::BigInt;
	case oid::kFloat4:
		return TypeKind::Float;
	case oid::kFloat8:
		return TypeKind::Double;
	case oid::kNumeric:
		return TypeKind::Decimal;
	case oid::kBytea:
		return TypeKind::Blob;
	case oid::kDate:
		return TypeKind::Date;
	case oid::kTime:
		return TypeKind::Time;
	case oid::kTimestamp:
		return TypeKind::Timestamp;
	case oid::kTimestampTz:
		return TypeKind::TimestampTz;
	case oid::kInterval:
		return TypeKind::Interval;
	case oid::kUuid:
		return TypeKind::Uuid;
	case oid::kText:
	case oid::kVarchar:
	case oid::kBpchar:
	case oid::kName:
	case oid::kChar:
	case oid::kJson:
	case oid::kJsonb:
		return TypeKind::Varchar;
	default:
		return TypeKind::Null;
	}
}

void AppendBinaryValue(std::string &out, const ColumnView &column, uint64_t row) {
	const auto &type = *column.type;
	if (type.json) {
		out += column.strings[row];
		return;
	}
	switch (type.kind) {
	case TypeKind::Boolean:
		out += static_cast<char>(column.Get<uint8_t>(row) ? 1 : 0);
		break;
	case TypeKind::TinyInt:
		PutBigEndian<int16_t>(out, column.Get<int8_t>(row));
		break;
	case TypeKind::UTinyInt:
		PutBigEndian<int16_t>(out, column.Get<uint8_t>(row));
		break;
	case TypeKind::SmallInt:
		PutBigEndian<int16_t>(out, column.Get<int16_t>(row));
		break;
	case TypeKind::USmallInt:
		PutBigEndian<int32_t>(out, column.Get<uint16_t>(row));
		break;
	case TypeKind::Integer:
		PutBigEndian<int32_t>(out, column.Get<int32_t>(row));
		break;
	case TypeKind::UInteger:
		PutBigEndian<int64_t>(out, column.Get<uint32_t>(row));
		break;
	case TypeKind::BigInt:
		PutBigEndian<int64_t>(out, column.Get<int64_t>(row));
		break;
	case TypeKind::Float:
		PutFloatBits(out, column.Get<float>(row));
		break;
	case TypeKind::Double:
		PutFloatBits(out, column.Get<double>(row));
		break;
	case TypeKind::HugeInt:
	case TypeKind::UBigInt:
	case TypeKind::UHugeInt:
	case TypeKind::Decimal: {
		std::string text;
		sql::AppendValueText(text, column, row);
		AppendNumericBinary(out, text);
		break;
	}
	case TypeKind::Date: {
		int32_t days = column.Get<int32_t>(row);
		bool infinite = days == INT32_MAX || days == -INT32_MAX;
		PutBigEndian<int32_t>(out, infinite ? (days > 0 ? INT32_MAX : INT32_MIN) : days - int32_t(kPostgresEpochDays));
		break;
	}
	case TypeKind::Time:
		PutBigEndian<int64_t>(out, column.Get<int64_t>(row));
		break;
	case TypeKind::TimeTz: {
		// DuckDB packs microseconds in the upper 40 bits and (15:59:59 - offset) in the lower 24.
		uint64_t bits = column.Get<uint64_t>(row);
		constexpr int32_t max_offset = 16 * 60 * 60 - 1;
		int32_t offset = max_offset - static_cast<int32_t>(bits & 0xFFFFFF);
		PutBigEndian<int64_t>(out, static_cast<int64_t>(bits >> 24));
		PutBigEndian<int32_t>(out, -offset);
		break;
	}
	case TypeKind::Timestamp:
	case TypeKind::TimestampTz: {
		int64_t micros = column.Get<int64_t>(row);
		bool infinite = micros == INT64_MAX || micros == -INT64_MAX;
		PutBigEndian<int64_t>(out, infinite ? (micros > 0 ? INT64_MAX : INT64_MIN) : micros - kPostgresEpochMicros);
		break;
	}
	case TypeKind::Interval: {
		auto interval = column.Get<engine::Interval>(row);
		PutBigEndian<int64_t>(out, interval.micros);
		PutBigEndian<int32_t>(out, interval.days);
		PutBigEndian<int32_t>(out, interval.months);
		break;
	}
	case TypeKind::Uuid: {
		auto value = column.Get<engine::Int128>(row);
		PutBigEndian<uint64_t>(out, static_cast<uint64_t>(value.upper) ^ (uint64_t(1) << 63));
		PutBigEndian<uint64_t>(out, value.lower);
		break;
	}
	case TypeKind::List:
	case TypeKind::Array:
		AppendBinaryArray(out, column, row);
		break;
	case TypeKind::Varchar:
	case TypeKind::Blob:
		out += column.strings[row];
		break;
	default:
		// Text-rendered types (enum, bit, ...) travel as their text, which is their binary form
		// for the text-like PostgreSQL types they map to.
		sql::AppendValueText(out, column, row);
		break;
	}
}

std::optional<engine::Param> DecodeParameter(std::string_view bytes, bool binary, int32_t type_oid) {
	engine::Param param;
	param.type = KindForOid(type_oid);
	if (!binary) {
		param.kind = engine::Param::Kind::Text;
		param.bytes = std::string(bytes);
		if (param.type == TypeKind::Blob) {
			param.type = TypeKind::Null;
			// bytea text input: \x hex, or the raw text.
			if (bytes.size() >= 2 && bytes[0] == '\\' && bytes[1] == 'x') {
				std::string raw;
				for (size_t i = 2; i + 1 < bytes.size(); i += 2) {
					auto hex = std::string(bytes.substr(i, 2));
					if (!std::isxdigit(static_cast<unsigned char>(hex[0])) || !std::isxdigit(static_cast<unsigned char>(hex[1]))) {
						return std::nullopt;
					}
					raw += static_cast<char>(std::stoi(hex, nullptr, 16));
				}
				param.bytes = raw;
			}
			param.kind = engine::Param::Kind::Blob;
		}
		return param;
	}
	switch (type_oid) {
	case oid::kBool:
		if (bytes.size() != 1) {
			return std::nullopt;
		}
		param.kind = engine::Param::Kind::Boolean;
		param.integer = bytes[0] != 0;
		return param;
	case oid::kInt2: {
		int16_t value;
		if (!ReadBigEndian(bytes, value)) {
			return std::nullopt;
		}
		param.kind = engine::Param::Kind::Integer;
		param.integer = value;
		return param;
	}
	case oid::kInt4:
	case oid::kOid: {
		int32_t value;
		if (!ReadBigEndian(bytes, value)) {
			return std::nullopt;
		}
		param.kind = engine::Param::Kind::Integer;
		param.integer = value;
		return param;
	}
	case oid::kInt8: {
		int64_t value;
		if (!ReadBigEndian(bytes, value)) {
			return std::nullopt;
		}
		param.kind = engine::Param::Kind::Integer;
		param.integer = value;
		return param;
	}
	case oid::kFloat4: {
		uint32_t bits;
		if (!ReadBigEndian(bytes, bits)) {
			return std::nullopt;
		}
		float value;
		std::memcpy(&value, &bits, 4);
		param.kind = engine::Param::Kind::Double;
		param.real = value;
		return param;
	}
	case oid::kFloat8: {
		uint64_t bits;
		if (!ReadBigEndian(bytes, bits)) {
			return std::nullopt;
		}
		std::memcpy(&param.real, &bits, 8);
		param.kind = engine::Param::Kind::Double;
		return param;
	}
	case oid::kBytea:
		param.kind = engine::Param::Kind::Blob;
		param.bytes = std::string(bytes);
		return param;
	case oid::kNumeric: {
		auto text = NumericFromBinary(bytes);
		if (!text) {
			return std::nullopt;
		}
		param.kind = engine::Param::Kind::Text;
		param.bytes = *text;
		return param;
	}
	case oid::kDate: {
		int32_t days;
		if (!ReadBigEndian(bytes, days)) {
			return std::nullopt;
		}
		param.kind = engine::Param::Kind::Text;
		param.bytes = TextOf(TypeKind::Date, static_cast<int32_t>(days + kPostgresEpochDays));
		return param;
	}
	case oid::kTime: {
		int64_t micros;
		if (!ReadBigEndian(bytes, micros)) {
			return std::nullopt;
		}
		param.kind = engine::Param::Kind::Text;
		param.bytes = TextOf(TypeKind::Time, micros);
		return param;
	}
	case oid::kTimestamp:
	case oid::kTimestampTz: {
		int64_t micros;
		if (!ReadBigEndian(bytes, micros)) {
			return std::nullopt;
		}
		param.kind = engine::Param::Kind::Text;
		param.bytes = TextOf(TypeKind::Timestamp, static_cast<int64_t>(micros + kPostgresEpochMicros));
		if (type_oid == oid::kTimestampTz) {
			param.bytes += "+00";
		}
		return param;
	}
	case oid::kInterval: {
		engine::Interval interval;
		if (bytes.size() != 16 || !ReadBigEndian(bytes.substr(0, 8), interval.micros) ||
		    !ReadBigEndian(bytes.substr(8, 4), interval.days) || !ReadBigEndian(bytes.substr(12, 4), interval.months)) {
			return std::nullopt;
		}
		param.kind = engine::Param::Kind::Text;
		param.bytes = TextOf(TypeKind::Interval, interval);
		return param;
	}
	case oid::kUuid: {
		if (bytes.size() != 16) {
			return std::nullopt;
		}
		static const char hex[] = "0123456789abcdef";
		std::string text;
		for (size_t i = 0; i < 16; i++) {
			if (i == 4 || i == 6 || i == 8 || i == 10) {
				text += '-';
			}
			text += hex[static_cast<uint8_t>(bytes[i]) >> 4];
			text += hex[static_cast<uint8_t>(bytes[i]) & 0xF];
		}
		param.kind = engine::Param::Kind::Text;
		param.bytes = text;
		return param;
	}
	case oid::kText:
	case oid::kVarchar:
	case oid::kBpchar:
	case oid::kName:
	case oid::kJson:
	case oid::kUnknown:
	case 0:
		param.kind = engine::Param::Kind::Text;
		param.bytes = std::string(bytes);
		return param;
	case oid::kJsonb:
		if (bytes.empty() || bytes[0] != 1) {
			return std::nullopt;
		}
		param.kind = engine::Param::Kind::Text;
		param.bytes = std::string(bytes.substr(1));
		return param;
	default:
		return std::nullopt;
	}
}

} // namespace akko::pgwire
