#include "sql/value_text.hpp"

#include "common/civil_time.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace akko::sql {

using engine::ColumnView;
using engine::Int128;
using engine::TypeKind;

namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

template <class T>
void AppendInteger(std::string &out, T value) {
	char buffer[24];
	auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
	out.append(buffer, result.ptr);
}

void AppendPadded(std::string &out, int64_t value, int width) {
	char buffer[24];
	auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
	for (int pad = width - static_cast<int>(result.ptr - buffer); pad > 0; pad--) {
		out += '0';
	}
	out.append(buffer, result.ptr);
}

// Whether `text` (a decimal that reads back as `value`) lies exactly halfway between `value`
// and its neighbour, so that only round-half-even makes it read back as `value`. A wider
// type holds that midpoint exactly.
template <class T>
bool IsRoundingTie(T value, std::string_view text) {
	using Wide = std::conditional_t<sizeof(T) == 4, double, long double>;
	std::string copy(text);
	Wide decimal = sizeof(T) == 4 ? static_cast<Wide>(std::strtod(copy.c_str(), nullptr))
	                              : static_cast<Wide>(std::strtold(copy.c_str(), nullptr));
	Wide exact = static_cast<Wide>(value);
	if (decimal == exact) {
		return false;
	}
	T neighbour = std::nextafter(value, decimal > exact ? std::numeric_limits<T>::infinity()
	                                                     : -std::numeric_limits<T>::infinity());
	return decimal == (exact + static_cast<Wide>(neighbour)) / 2;
}

// PostgreSQL's float output (extra_float_digits >= 1): the shortest digits that round-trip,
// in fixed notation unless the exponent is below -4 or at least the type's precision.
template <class T>
void AppendFloat(std::string &out, T value, int precision) {
	if (std::isnan(value)) {
		out += "NaN";
		return;
	}
	if (std::isinf(value)) {
		out += value > 0 ? "Infinity" : "-Infinity";
		return;
	}
	// "-d.ddde-XX": the shortest digits that round-trip, in scientific form.
	char buffer[64];
	auto result = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
	// PostgreSQL's Ryu keeps only digits strictly inside the value's rounding interval: where
	// the shortest digits land exactly between two floats, take the first longer correctly
	// rounded digits that are not such a tie.
	for (int fraction_digits = static_cast<int>(std::string_view(buffer, result.ptr - buffer).find('e')) -
	                           (value < 0 ? 2 : 1);
	     IsRoundingTie(value, std::string_view(buffer, result.ptr - buffer)) && fraction_digits < 20;
	     fraction_digits++) {
		result = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific, fraction_digits);
	}
	std::string_view text(buffer, result.ptr - buffer);
	bool negative = text[0] == '-';
	auto e = text.find('e');
	int exponent = 0;
	std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(), exponent);
	char digit_buffer[32];
	size_t digit_count = 0;
	for (size_t i = negative ? 1 : 0; i < e; i++) {
		if (text[i] != '.') {
			digit_buffer[digit_count++] = text[i];
		}
	}
	while (digit_count > 1 && digit_buffer[digit_count - 1] == '0') {
		digit_count--;
	}
	std::string_view digits(digit_buffer, digit_count);
	if (negative) {
		out += '-';
	}
	if (exponent < -4 || exponent >= precision) {
		out += digits[0];
		if (digits.size() > 1) {
			out += '.';
			out += digits.substr(1);
		}
		out += exponent < 0 ? "e-" : "e+";
		AppendPadded(out, std::abs(exponent), 2);
	} else if (exponent < 0) {
		out += "0.";
		out.append(static_cast<size_t>(-exponent - 1), '0');
		out += digits;
	} else {
		auto integer_digits = static_cast<size_t>(exponent) + 1;
		if (digits.size() <= integer_digits) {
			out += digits;
			out.append(integer_digits - digits.size(), '0');
		} else {
			out += digits.substr(0, integer_digits);
			out += '.';
			out += digits.substr(integer_digits);
		}
	}
}

void AppendDate(std::string &out, int64_t days, bool &bc) {
	int64_t year;
	unsigned month, day;
	CivilFromDays(days, year, month, day);
	bc = year <= 0;
	AppendPadded(out, bc ? 1 - year : year, 4);
	out += '-';
	AppendPadded(out, month, 2);
	out += '-';
	AppendPadded(out, day, 2);
}

void AppendTimeOfDay(std::string &out, int64_t micros) {
	AppendPadded(out, micros / (3600 * kMicrosPerSecond), 2);
	out += ':';
	AppendPadded(out, micros / (60 * kMicrosPerSecond) % 60, 2);
	out += ':';
	AppendPadded(out, micros / kMicrosPerSecond % 60, 2);
	int64_t fraction = micros % kMicrosPerSecond;
	if (fraction) {
		out += '.';
		int width = 6;
		while (fraction % 10 == 0) {
			fraction /= 10;
			width--;
		}
		AppendPadded(out, fraction, width);
	}
}

void AppendTimestamp(std::string &out, int64_t micros) {
	if (micros == INT64_MAX) {
		out += "infinity";
		return;
	}
	if (micros == -INT64_MAX) {
		out += "-infinity";
		return;
	}
	int64_t days = FloorDivide(micros, kMicrosPerDay);
	bool bc;
	AppendDate(out, days, bc);
	out += ' ';
	AppendTimeOfDay(out, micros - days * kMicrosPerDay);
	if (bc) {
		out += " BC";
	}
}

void AppendIntervalPart(std::string &out, int64_t value, const char *unit) {
	if (!out.empty() && out.back() != ' ' && !out.empty()) {
		out += ' ';
	}
	AppendInteger(out, value);
	out += ' ';
	out += unit;
	if (value != 1 && value != -1) {
		out += 's';
	}
}

void AppendInterval(std::string &out, const engine::Interval &interval) {
	std::string text;
	int32_t years = interval.months / 12;
	int32_t months = interval.months % 12;
	if (years) {
		AppendIntervalPart(text, years, "year");
	}
	if (months) {
		AppendIntervalPart(text, months, "mon");
	}
	if (interval.days) {
		AppendIntervalPart(text, interval.days, "day");
	}
	if (interval.micros || text.empty()) {
		if (!text.empty()) {
			text += ' ';
		}
		int64_t micros = interval.micros;
		if (micros < 0) {
			text += '-';
			micros = -micros;
		}
		AppendTimeOfDay(text, micros);
	}
	out += text;
}

bool ArrayElementNeedsQuotes(std::string_view text) {
	if (text.empty() || (text.size() == 4 && strncasecmp(text.data(), "null", 4) == 0)) {
		return true;
	}
	for (char c : text) {
		if (c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || std::isspace(static_cast<unsigned char>(c))) {
			return true;
		}
	}
	return false;
}

void AppendArray(std::string &out, const ColumnView &column, uint64_t row) {
	auto entry = column.lists[row];
	auto &child = column.children[0];
	// pg_index.indkey and friends are int2vector/oidvector, whose text is "1 2 3".
	if (column.type->name == "int2vector" || column.type->name == "oidvector") {
		for (uint64_t i = 0; i < entry.length; i++) {
			if (i) {
				out += ' ';
			}
			AppendValueText(out, child, entry.offset + i);
		}
		return;
	}
	out += '{';
	std::string element;
	for (uint64_t i = 0; i < entry.length; i++) {
		if (i) {
			out += ',';
		}
		auto index = entry.offset + i;
		if (child.IsNull(index)) {
			out += "NULL";
			continue;
		}
		element.clear();
		AppendValueText(element, child, index);
		if (!ArrayElementNeedsQuotes(element)) {
			out += element;
			continue;
		}
		out += '"';
		for (char c : element) {
			if (c == '"' || c == '\\') {
				out += '\\';
			}
			out += c;
		}
		out += '"';
	}
	out += '}';
}

void AppendInt128(std::string &out, Int128 value) {
	bool negative = value.upper < 0;
	unsigned __int128 magnitude = (static_cast<unsigned __int128>(static_cast<uint64_t>(value.upper)) << 64) | value.lower;
	if (negative) {
		magnitude = ~magnitude + 1;
	}
	char buffer[48];
	char *end = buffer + sizeof(buffer);
	char *p = end;
	do {
		*--p = static_cast<char>('0' + static_cast<int>(magnitude % 10));
		magnitude /= 10;
	} while (magnitude);
	if (negative) {
		*--p = '-';
	}
	out.append(p, end);
}

void AppendDecimal(std::string &out, Int128 unscaled, int scale) {
	std::string digits;
	AppendInt128(digits, unscaled);
	bool negative = !digits.empty() && digits[0] == '-';
	if (negative) {
		out += '-';
		digits.erase(0, 1);
	}
	if (scale == 0) {
		out += digits;
		return;
	}
	if (digits.size() <= static_cast<size_t>(scale)) {
		digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
	}
	out.append(digits, 0, digits.size() - scale);
	out += '.';
	out.append(digits, digits.size() - scale);
}

Int128 DecimalAt(const ColumnView &column, uint64_t row) {
	auto widen = [](int64_t v) { return Int128 {static_cast<uint64_t>(v), v < 0 ? -1 : 0}; };
	auto width = column.type->width;
	if (width <= 4) {
		return widen(column.Get<int16_t>(row));
	}
	if (width <= 9) {
		return widen(column.Get<int32_t>(row));
	}
	if (width <= 18) {
		return widen(column.Get<int64_t>(row));
	}
	return column.Get<Int128>(row);
}

void AppendUuid(std::string &out, Int128 value) {
	static const char hex[] = "0123456789abcdef";
	uint64_t upper = static_cast<uint64_t>(value.upper) ^ (uint64_t(1) << 63);
	uint64_t halves[2] = {upper, value.lower};
	int nibble = 0;
	for (auto half : halves) {
		for (int shift = 60; shift >= 0; shift -= 4, nibble++) {
			if (nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20) {
				out += '-';
			}
			out += hex[(half >> shift) & 0xF];
		}
	}
}

} // namespace

void AppendValueText(std::string &out, const ColumnView &column, uint64_t row) {
	const auto &type = *column.type;
	if (!column.strings.empty() && type.kind != TypeKind::Blob) {
		out += column.strings[row];
		return;
	}
	switch (type.kind) {
	case TypeKind::Boolean:
		out += column.Get<uint8_t>(row) ? 't' : 'f';
		break;
	case TypeKind::TinyInt:
		AppendInteger(out, static_cast<int>(column.Get<int8_t>(row)));
		break;
	case TypeKind::SmallInt:
		AppendInteger(out, column.Get<int16_t>(row));
		break;
	case TypeKind::Integer:
		AppendInteger(out, column.Get<int32_t>(row));
		break;
	case TypeKind::BigInt:
		AppendInteger(out, column.Get<int64_t>(row));
		break;
	case TypeKind::UTinyInt:
		AppendInteger(out, static_cast<unsigned>(column.Get<uint8_t>(row)));
		break;
	case TypeKind::USmallInt:
		AppendInteger(out, column.Get<uint16_t>(row));
		break;
	case TypeKind::UInteger:
		AppendInteger(out, column.Get<uint32_t>(row));
		break;
	case TypeKind::UBigInt:
		AppendInteger(out, column.Get<uint64_t>(row));
		break;
	case TypeKind::HugeInt:
		AppendInt128(out, column.Get<Int128>(row));
		break;
	case TypeKind::UHugeInt: {
		auto value = column.Get<Int128>(row);
		unsigned __int128 magnitude = (static_cast<unsigned __int128>(static_cast<uint64_t>(value.upper)) << 64) | value.lower;
		std::string digits;
		do {
			digits += static_cast<char>('0' + static_cast<int>(magnitude % 10));
			magnitude /= 10;
		} while (magnitude);
		out.append(digits.rbegin(), digits.rend());
		break;
	}
	case TypeKind::Float:
		AppendFloat(out, column.Get<float>(row), 6);
		break;
	case TypeKind::Double:
		AppendFloat(out, column.Get<double>(row), 15);
		break;
	case TypeKind::Decimal:
		AppendDecimal(out, DecimalAt(column, row), type.scale);
		break;
	case TypeKind::Varchar:
		out += column.strings[row];
		break;
	case TypeKind::Blob: {
		static const char hex[] = "0123456789abcdef";
		out += "\\x";
		for (unsigned char c : column.strings[row]) {
			out += hex[c >> 4];
			out += hex[c & 0xF];
		}
		break;
	}
	case TypeKind::Date: {
		int32_t days = column.Get<int32_t>(row);
		if (days == INT32_MAX) {
			out += "infinity";
		} else if (days == -INT32_MAX) {
			out += "-infinity";
		} else {
			bool bc;
			AppendDate(out, days, bc);
			if (bc) {
				out += " BC";
			}
		}
		break;
	}
	case TypeKind::Time:
		AppendTimeOfDay(out, column.Get<int64_t>(row));
		break;
	case TypeKind::Timestamp:
		AppendTimestamp(out, column.Get<int64_t>(row));
		break;
	case TypeKind::Interval:
		AppendInterval(out, column.Get<engine::Interval>(row));
		break;
	case TypeKind::Uuid:
		AppendUuid(out, column.Get<Int128>(row));
		break;
	case TypeKind::List:
	case TypeKind::Array:
		AppendArray(out, column, row);
		break;
	default:
		break;
	}
}

} // namespace akko::sql
