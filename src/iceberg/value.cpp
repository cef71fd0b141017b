#include "iceberg/value.hpp"

#include "common/civil_time.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/sql_lexer.hpp"
#include "iceberg/transforms.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <limits>
#include <optional>

namespace akko::iceberg {

namespace {

[[noreturn]] void Invalid(const std::string &message) {
	throw Error(ErrorCode::InvalidInput, message);
}

int32_t ParseTypeParameter(std::string_view text, std::string_view whole) {
	text = TrimBlanks(text);
	int32_t value = 0;
	auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
		Invalid(fmt::format("invalid Iceberg type \"{}\"", whole));
	}
	return value;
}

const char *AlternativeName(TypeKind kind) {
	switch (kind) {
	case TypeKind::Boolean:
		return "a boolean";
	case TypeKind::Int:
	case TypeKind::Date:
		return "a 32-bit integer";
	case TypeKind::Long:
	case TypeKind::Time:
	case TypeKind::Timestamp:
	case TypeKind::TimestampTz:
	case TypeKind::TimestampNs:
	case TypeKind::TimestampTzNs:
		return "a 64-bit integer";
	case TypeKind::Float:
		return "a float";
	case TypeKind::Double:
		return "a double";
	case TypeKind::Decimal:
		return "a decimal";
	case TypeKind::String:
		return "a string";
	case TypeKind::Uuid:
		return "a uuid";
	case TypeKind::Fixed:
	case TypeKind::Binary:
		return "bytes";
	}
	return "?";
}

size_t AlternativeIndex(TypeKind kind) {
	switch (kind) {
	case TypeKind::Boolean:
		return 1;
	case TypeKind::Int:
	case TypeKind::Date:
		return 2;
	case TypeKind::Long:
	case TypeKind::Time:
	case TypeKind::Timestamp:
	case TypeKind::TimestampTz:
	case TypeKind::TimestampNs:
	case TypeKind::TimestampTzNs:
		return 3;
	case TypeKind::Float:
		return 4;
	case TypeKind::Double:
		return 5;
	case TypeKind::String:
		return 6;
	case TypeKind::Fixed:
	case TypeKind::Binary:
		return 7;
	case TypeKind::Decimal:
		return 8;
	case TypeKind::Uuid:
		return 9;
	}
	return 0;
}

template <class T>
std::string LittleEndian(T value) {
	using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
	auto bits = std::bit_cast<Bits>(value);
	std::string out(sizeof(T), '\0');
	for (size_t i = 0; i < sizeof(T); i++) {
		out[i] = static_cast<char>((bits >> (8 * i)) & 0xFF);
	}
	return out;
}

template <class T>
T FromLittleEndian(std::string_view bytes) {
	using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
	Bits bits = 0;
	for (size_t i = 0; i < sizeof(T); i++) {
		bits |= Bits(static_cast<uint8_t>(bytes[i])) << (8 * i);
	}
	return std::bit_cast<T>(bits);
}

__int128 FromTwosComplement(std::string_view bytes) {
	unsigned __int128 bits = (static_cast<uint8_t>(bytes[0]) & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
	for (char byte : bytes) {
		bits = (bits << 8) | static_cast<uint8_t>(byte);
	}
	return static_cast<__int128>(bits);
}

std::string UuidText(const Uuid &uuid) {
	auto hex = Hex(std::string_view(reinterpret_cast<const char *>(uuid.bytes.data()), 16));
	return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4), hex.substr(16, 4),
	                   hex.substr(20));
}

std::optional<Uuid> ParseUuid(std::string_view text) {
	if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') {
		return std::nullopt;
	}
	std::string digits;
	for (size_t i = 0; i < text.size(); i++) {
		if (i != 8 && i != 13 && i != 18 && i != 23) {
			digits.push_back(text[i]);
		}
	}
	auto bytes = Unhex(digits);
	if (!bytes) {
		return std::nullopt;
	}
	Uuid uuid;
	std::memcpy(uuid.bytes.data(), bytes->data(), 16);
	return uuid;
}

// The inverse of CivilFromDays (Howard Hinnant's days_from_civil).
bool IsLeapYear(int64_t year) {
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned DaysInMonth(int64_t year, unsigned month) {
	static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Java's ISO_LOCAL_DATE: four-digit years, a sign outside 0000-9999.
std::string DateText(int64_t days) {
	int64_t year;
	unsigned month, day;
	CivilFromDays(days, year, month, day);
	if (year > 9999) {
		return fmt::format("+{}-{:02}-{:02}", year, month, day);
	}
	if (year < 0) {
		return fmt::format("-{:04}-{:02}-{:02}", -year, month, day);
	}
	return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

// Seconds of the day and a fraction of `fraction_digits` digits; the fraction is left out
// when zero, as both Java's ISO_LOCAL_TIME and Python's isoformat do.
std::string TimeText(int64_t units_of_day, int64_t units_per_second, int fraction_digits) {
	int64_t seconds = units_of_day / units_per_second;
	int64_t fraction = units_of_day % units_per_second;
	auto text = fmt::format("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
	if (fraction != 0) {
		text += fmt::format(".{:0{}}", fraction, fraction_digits);
	}
	return text;
}

std::string TimestampText(int64_t units, int64_t units_per_second, int fraction_digits) {
	int64_t units_per_day = units_per_second * 86400;
	int64_t days = FloorDivide(units, units_per_day);
	return DateText(days) + "T" + TimeText(units - days * units_per_day, units_per_second, fraction_digits);
}

// A cursor over an ISO-8601 text, each step false when the text does not match.
class IsoScanner {
public:
	explicit IsoScanner(std::string_view text_p) : text(text_p) {
	}

	bool AtEnd() const {
		return position == text.size();
	}

	bool Skip(char c) {
		if (position < text.size() && text[position] == c) {
			position++;
			return true;
		}
		return false;
	}

	bool Digits(size_t count, int64_t &value) {
		value = 0;
		for (size_t i = 0; i < count; i++) {
			if (position >= text.size() || text[position] < '0' || text[position] > '9') {
				return false;
			}
			value = value * 10 + (text[position++] - '0');
		}
		return true;
	}

	bool Date(int64_t &days) {
		bool negative = false;
		size_t min_digits = 4;
		if (Skip('+')) {
			min_digits = 5;
		} else if (Skip('-')) {
			negative = true;
		}
		int64_t year = 0;
		size_t digits = 0;
		while (position < text.size() && text[position] >= '0' && text[position] <= '9' && digits < 9) {
			year = year * 10 + (text[position++] - '0');
			digits++;
		}
		if (digits < min_digits) {
			return false;
		}
		if (negative) {
			year = -year;
		}
		int64_t month, day;
		if (!Skip('-') || !Digits(2, month) || !Skip('-') || !Digits(2, day)) {
			return false;
		}
		if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, static_cast<unsigned>(month))) {
			return false;
		}
		days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
		return true;
	}

	// HH:MM[:SS[.fraction]] in units of 10^-fraction_digits seconds; more fraction digits
	// than that must be zeros (nothing is silently cut off).
	bool Time(int fraction_digits, int64_t &units) {
		int64_t hour, minute, second = 0;
		if (!Digits(2, hour) || !Skip(':') || !Digits(2, minute)) {
			return false;
		}
		int64_t fraction = 0;
		if (Skip(':')) {
			if (!Digits(2, second)) {
				return false;
			}
			if (Skip('.')) {
				int digits = 0;
				while (position < text.size() && text[position] >= '0' && text[position] <= '9') {
					int digit = text[position++] - '0';
					if (digits < fraction_digits) {
						fraction = fraction * 10 + digit;
					} else if (digit != 0 || digits >= 9) {
						return false;
					}
					digits++;
				}
				if (digits == 0) {
					return false;
				}
				for (int i = digits; i < fraction_digits; i++) {
					fraction *= 10;
				}
			}
		}
		if (hour > 23 || minute > 59 || second > 59) {
			return false;
		}
		int64_t per_second = 1;
		for (int i = 0; i < fraction_digits; i++) {
			per_second *= 10;
		}
		units = ((hour * 60 + minute) * 60 + second) * per_second + fraction;
		return true;
	}

	// The offset of a timestamptz, which the spec requires to be UTC.
	bool UtcOffset() {
		if (Skip('Z')) {
			return true;
		}
		if (!Skip('+') && !Skip('-')) {
			return false;
		}
		int64_t hours, minutes;
		return Digits(2, hours) && Skip(':') && Digits(2, minutes) && hours == 0 && minutes == 0;
	}

private:
	std::string_view text;
	size_t position = 0;
};

std::string UnsignedDigits(unsigned __int128 value) {
	if (value == 0) {
		return "0";
	}
	std::string digits;
	while (value != 0) {
		digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
		value /= 10;
	}
	return std::string(digits.rbegin(), digits.rend());
}

// Java's BigDecimal text: plain for a non-negative scale, scientific for a negative one.
std::string DecimalText(const Decimal &decimal) {
	bool negative = decimal.unscaled < 0;
	auto magnitude = negative ? -static_cast<unsigned __int128>(decimal.unscaled)
	                          : static_cast<unsigned __int128>(decimal.unscaled);
	auto digits = UnsignedDigits(magnitude);
	std::string text = negative ? "-" : "";
	if (decimal.scale == 0) {
		return text + digits;
	}
	if (decimal.scale > 0) {
		auto scale = static_cast<size_t>(decimal.scale);
		if (digits.size() <= scale) {
			digits.insert(0, scale - digits.size() + 1, '0');
		}
		return text + digits.substr(0, digits.size() - scale) + "." + digits.substr(digits.size() - scale);
	}
	int64_t exponent = -static_cast<int64_t>(decimal.scale) + static_cast<int64_t>(digits.size()) - 1;
	text += digits.substr(0, 1);
	if (digits.size() > 1) {
		text += "." + digits.substr(1);
	}
	return text + fmt::format("E+{}", exponent);
}

// Java's BigDecimal(String) grammar: [sign] digits [. digits] [e|E [sign] digits].
std::optional<Decimal> ParseDecimal(std::string_view text) {
	size_t position = 0;
	bool negative = false;
	if (position < text.size() && (text[position] == '+' || text[position] == '-')) {
		negative = text[position++] == '-';
	}
	unsigned __int128 magnitude = 0;
	int significant = 0;
	int64_t fraction_digits = 0;
	bool any_digit = false;
	bool in_fraction = false;
	for (; position < text.size(); position++) {
		char c = text[position];
		if (c == '.' && !in_fraction) {
			in_fraction = true;
			continue;
		}
		if (c < '0' || c > '9') {
			break;
		}
		any_digit = true;
		if (magnitude != 0 || c != '0') {
			if (++significant > 38) {
				return std::nullopt;
			}
		}
		magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
		if (in_fraction) {
			fraction_digits++;
		}
	}
	if (!any_digit) {
		return std::nullopt;
	}
	int64_t exponent = 0;
	if (position < text.size() && (text[position] == 'e' || text[position] == 'E')) {
		position++;
		bool negative_exponent = false;
		if (position < text.size() && (text[position] == '+' || text[position] == '-')) {
			negative_exponent = text[position++] == '-';
		}
		size_t start = position;
		for (; position < text.size() && text[position] >= '0' && text[position] <= '9'; position++) {
			exponent = exponent * 10 + (text[position] - '0');
			if (exponent > 1000000) {
				return std::nullopt;
			}
		}
		if (position == start) {
			return std::nullopt;
		}
		if (negative_exponent) {
			exponent = -exponent;
		}
	}
	if (position != text.size()) {
		return std::nullopt;
	}
	int64_t scale = fraction_digits - exponent;
	if (scale < std::numeric_limits<int32_t>::min() || scale > std::numeric_limits<int32_t>::max()) {
		return std::nullopt;
	}
	auto unscaled = static_cast<__int128>(magnitude);
	return Decimal {negative ? -unscaled : unscaled, static_cast<int32_t>(scale)};
}

// Shortest decimal text that reads back as the same float, so 1.23f is written as 1.23.
double FloatAsJsonNumber(float value) {
	char buffer[32];
	auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
	return std::strtod(std::string(buffer, result.ptr).c_str(), nullptr);
}

template <class T>
int CompareJavaFloat(T left, T right) {
	// Java's Float.compare and Double.compare: numeric order, then the bits of the canonical
	// NaN, which puts -0.0 before 0.0 and NaN after +infinity.
	if (left < right) {
		return -1;
	}
	if (left > right) {
		return 1;
	}
	using Bits = std::conditional_t<sizeof(T) == 4, int32_t, int64_t>;
	auto canonical = [](T value) {
		return std::isnan(value) ? std::bit_cast<Bits>(std::numeric_limits<T>::quiet_NaN()) : std::bit_cast<Bits>(value);
	};
	auto left_bits = canonical(left);
	auto right_bits = canonical(right);
	return left_bits == right_bits ? 0 : (left_bits < right_bits ? -1 : 1);
}

template <class T>
int Order(const T &left, const T &right) {
	return left < right ? -1 : (right < left ? 1 : 0);
}

} // namespace

PrimitiveType PrimitiveType::Parse(std::string_view text) {
	auto whole = text;
	text = TrimBlanks(text);
	static constexpr std::pair<std::string_view, TypeKind> kNames[] = {
	    {"boolean", TypeKind::Boolean},
	    {"int", TypeKind::Int},
	    {"long", TypeKind::Long},
	    {"float", TypeKind::Float},
	    {"double", TypeKind::Double},
	    {"date", TypeKind::Date},
	    {"time", TypeKind::Time},
	    {"timestamp", TypeKind::Timestamp},
	    {"timestamptz", TypeKind::TimestampTz},
	    {"timestamp_ns", TypeKind::TimestampNs},
	    {"timestamptz_ns", TypeKind::TimestampTzNs},
	    {"string", TypeKind::String},
	    {"uuid", TypeKind::Uuid},
	    {"binary", TypeKind::Binary},
	};
	for (auto &[name, kind] : kNames) {
		if (text == name) {
			return PrimitiveType {kind};
		}
	}
	if (text.starts_with("decimal") && text.ends_with(")")) {
		auto inner = TrimBlanks(text.substr(7));
		if (inner.starts_with("(")) {
			inner = inner.substr(1, inner.size() - 2);
			auto comma = inner.find(',');
			if (comma != std::string_view::npos) {
				PrimitiveType type {TypeKind::Decimal};
				type.precision = ParseTypeParameter(inner.substr(0, comma), whole);
				type.scale = ParseTypeParameter(inner.substr(comma + 1), whole);
				if (type.precision < 1 || type.precision > 38) {
					Invalid(fmt::format("decimal precision must be between 1 and 38: \"{}\"", whole));
				}
				return type;
			}
		}
	}
	if (text.starts_with("fixed") && text.ends_with("]")) {
		auto inner = TrimBlanks(text.substr(5));
		if (inner.starts_with("[")) {
			PrimitiveType type {TypeKind::Fixed};
			type.length = ParseTypeParameter(inner.substr(1, inner.size() - 2), whole);
			if (type.length < 1) {
				Invalid(fmt::format("fixed length must be positive: \"{}\"", whole));
			}
			return type;
		}
	}
	Invalid(fmt::format("unknown Iceberg primitive type \"{}\"", whole));
}

std::string ToString(const PrimitiveType &type) {
	switch (type.kind) {
	case TypeKind::Boolean:
		return "boolean";
	case TypeKind::Int:
		return "int";
	case TypeKind::Long:
		return "long";
	case TypeKind::Float:
		return "float";
	case TypeKind::Double:
		return "double";
	case TypeKind::Decimal:
		return fmt::format("decimal({}, {})", type.precision, type.scale);
	case TypeKind::Date:
		return "date";
	case TypeKind::Time:
		return "time";
	case TypeKind::Timestamp:
		return "timestamp";
	case TypeKind::TimestampTz:
		return "timestamptz";
	case TypeKind::TimestampNs:
		return "timestamp_ns";
	case TypeKind::TimestampTzNs:
		return "timestamptz_ns";
	case TypeKind::String:
		return "string";
	case TypeKind::Uuid:
		return "uuid";
	case TypeKind::Fixed:
		return fmt::format("fixed[{}]", type.length);
	case TypeKind::Binary:
		return "binary";
	}
	return "?";
}

void CheckLiteralType(const Literal &value, const PrimitiveType &type) {
	if (value.index() != 0 && value.index() != AlternativeIndex(type.kind)) {
		Invalid(fmt::format("a {} value must be {}", ToString(type), AlternativeName(type.kind)));
	}
	if (auto decimal = std::get_if<Decimal>(&value); decimal && decimal->scale != type.scale) {
		Invalid(fmt::format("a {} value must have scale {}, not {}", ToString(type), type.scale, decimal->scale));
	}
	if (auto bytes = std::get_if<Bytes>(&value);
	    bytes && type.kind == TypeKind::Fixed && bytes->data.size() != static_cast<size_t>(type.length)) {
		Invalid(fmt::format("a {} value must have {} bytes, not {}", ToString(type), type.length, bytes->data.size()));
	}
}

std::string SerializeBinary(const Literal &value, const PrimitiveType &type) {
	CheckLiteralType(value, type);
	switch (value.index()) {
	case 0:
		Invalid(fmt::format("a null {} has no binary serialization", ToString(type)));
	case 1:
		return std::string(1, std::get<bool>(value) ? '\x01' : '\x00');
	case 2:
		return LittleEndian(std::get<int32_t>(value));
	case 3:
		return LittleEndian(std::get<int64_t>(value));
	case 4:
		return LittleEndian(std::get<float>(value));
	case 5:
		return LittleEndian(std::get<double>(value));
	case 6:
		return std::get<std::string>(value);
	case 7:
		return std::get<Bytes>(value).data;
	case 8:
		return MinimalTwosComplement(std::get<Decimal>(value).unscaled);
	default:
		auto &uuid = std::get<Uuid>(value);
		return std::string(reinterpret_cast<const char *>(uuid.bytes.data()), 16);
	}
}

Literal DeserializeBinary(std::string_view bytes, const PrimitiveType &type) {
	auto expect = [&](size_t size) {
		if (bytes.size() != size) {
			Invalid(fmt::format("a binary {} value must have {} bytes, not {}", ToString(type), size, bytes.size()));
		}
	};
	switch (type.kind) {
	case TypeKind::Boolean:
		expect(1);
		return bytes[0] != 0;
	case TypeKind::Int:
	case TypeKind::Date:
		expect(4);
		return FromLittleEndian<int32_t>(bytes);
	case TypeKind::Long:
		if (bytes.size() == 4) {
			return static_cast<int64_t>(FromLittleEndian<int32_t>(bytes));
		}
		expect(8);
		return FromLittleEndian<int64_t>(bytes);
	case TypeKind::Time:
	case TypeKind::Timestamp:
	case TypeKind::TimestampTz:
	case TypeKind::TimestampNs:
	case TypeKind::TimestampTzNs:
		expect(8);
		return FromLittleEndian<int64_t>(bytes);
	case TypeKind::Float:
		expect(4);
		return FromLittleEndian<float>(bytes);
	case TypeKind::Double:
		if (bytes.size() == 4) {
			return static_cast<double>(FromLittleEndian<float>(bytes));
		}
		expect(8);
		return FromLittleEndian<double>(bytes);
	case TypeKind::Decimal:
		if (bytes.empty() || bytes.size() > 16) {
			Invalid(fmt::format("a binary {} value must have 1 to 16 bytes, not {}", ToString(type), bytes.size()));
		}
		return Decimal {FromTwosComplement(bytes), type.scale};
	case TypeKind::String:
		return std::string(bytes);
	case TypeKind::Uuid: {
		expect(16);
		Uuid uuid;
		std::memcpy(uuid.bytes.data(), bytes.data(), 16);
		return uuid;
	}
	case TypeKind::Fixed:
	case TypeKind::Binary:
		// Java does not check a fixed bound's length either: bounds may be truncated.
		return Bytes {std::string(bytes)};
	}
	Invalid("unknown Iceberg type");
}

nlohmann::json ToJson(const Literal &value, const PrimitiveType &type) {
	CheckLiteralType(value, type);
	if (value.index() == 0) {
		return nullptr;
	}
	switch (type.kind) {
	case TypeKind::Boolean:
		return std::get<bool>(value);
	case TypeKind::Int:
		return std::get<int32_t>(value);
	case TypeKind::Long:
		return std::get<int64_t>(value);
	case TypeKind::Float: {
		float number = std::get<float>(value);
		if (!std::isfinite(number)) {
			Invalid(fmt::format("JSON cannot hold the float {}", number));
		}
		return FloatAsJsonNumber(number);
	}
	case TypeKind::Double: {
		double number = std::get<double>(value);
		if (!std::isfinite(number)) {
			Invalid(fmt::format("JSON cannot hold the double {}", number));
		}
		return number;
	}
	case TypeKind::Decimal:
		return DecimalText(std::get<Decimal>(value));
	case TypeKind::Date:
		return DateText(std::get<int32_t>(value));
	case TypeKind::Time: {
		auto micros = std::get<int64_t>(value);
		if (micros < 0 || micros >= 86400LL * 1000000) {
			Invalid(fmt::format("time {} is outside a day", micros));
		}
		return TimeText(micros, 1000000, 6);
	}
	case TypeKind::Timestamp:
		return TimestampText(std::get<int64_t>(value), 1000000, 6);
	case TypeKind::TimestampTz:
		return TimestampText(std::get<int64_t>(value), 1000000, 6) + "+00:00";
	case TypeKind::TimestampNs:
		return TimestampText(std::get<int64_t>(value), 1000000000, 9);
	case TypeKind::TimestampTzNs:
		return TimestampText(std::get<int64_t>(value), 1000000000, 9) + "+00:00";
	case TypeKind::String:
		return std::get<std::string>(value);
	case TypeKind::Uuid:
		return UuidText(std::get<Uuid>(value));
	case TypeKind::Fixed:
	case TypeKind::Binary:
		return Hex(std::get<Bytes>(value).data);
	}
	Invalid("unknown Iceberg type");
}

Literal LiteralFromJson(const nlohmann::json &json, const PrimitiveType &type) {
	if (json.is_null()) {
		return std::monostate {};
	}
	auto fail = [&]() -> Literal { Invalid(fmt::format("cannot read {} as a {} value", json.dump(), ToString(type))); };
	auto integer = [&](int64_t min, int64_t max) -> std::optional<int64_t> {
		if (json.is_number_integer() && !json.is_number_unsigned()) {
			auto number = json.get<int64_t>();
			if (number >= min && number <= max) {
				return number;
			}
		} else if (json.is_number_unsigned()) {
			auto number = json.get<uint64_t>();
			if (number <= static_cast<uint64_t>(max)) {
				return static_cast<int64_t>(number);
			}
		}
		return std::nullopt;
	};
	switch (type.kind) {
	case TypeKind::Boolean:
		return json.is_boolean() ? Literal(json.get<bool>()) : fail();
	case TypeKind::Int: {
		auto number = integer(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
		return number ? Literal(static_cast<int32_t>(*number)) : fail();
	}
	case TypeKind::Long: {
		auto number = integer(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
		return number ? Literal(*number) : fail();
	}
	case TypeKind::Float:
		return json.is_number() ? Literal(static_cast<float>(json.get<double>())) : fail();
	case TypeKind::Double:
		return json.is_number() ? Literal(json.get<double>()) : fail();
	default:
		break;
	}
	if (!json.is_string()) {
		return fail();
	}
	auto text = json.get_ref<const std::string &>();
	IsoScanner scanner(text);
	switch (type.kind) {
	case TypeKind::Decimal: {
		auto decimal = ParseDecimal(text);
		if (!decimal) {
			return fail();
		}
		if (decimal->scale != type.scale) {
			Invalid(fmt::format("cannot read {} as a {} value: the scale is {}", json.dump(), ToString(type),
			                    decimal->scale));
		}
		return *decimal;
	}
	case TypeKind::Date: {
		int64_t days;
		if (!scanner.Date(days) || !scanner.AtEnd() || days < std::numeric_limits<int32_t>::min() ||
		    days > std::numeric_limits<int32_t>::max()) {
			return fail();
		}
		return static_cast<int32_t>(days);
	}
	case TypeKind::Time: {
		int64_t micros;
		return scanner.Time(6, micros) && scanner.AtEnd() ? Literal(micros) : fail();
	}
	case TypeKind::Timestamp:
	case TypeKind::TimestampTz:
	case TypeKind::TimestampNs:
	case TypeKind::TimestampTzNs: {
		bool nanos = type.kind == TypeKind::TimestampNs || type.kind == TypeKind::TimestampTzNs;
		bool zoned = type.kind == TypeKind::TimestampTz || type.kind == TypeKind::TimestampTzNs;
		int64_t days, units_of_day;
		if (!scanner.Date(days) || !scanner.Skip('T') || !scanner.Time(nanos ? 9 : 6, units_of_day)) {
			return fail();
		}
		if (zoned && !scanner.UtcOffset()) {
			Invalid(fmt::format("cannot read {} as a {} value: the offset must be +00:00", json.dump(), ToString(type)));
		}
		if (!scanner.AtEnd()) {
			return fail();
		}
		__int128 units = static_cast<__int128>(days) * (nanos ? 86400000000000LL : 86400000000LL) + units_of_day;
		if (units < std::numeric_limits<int64_t>::min() || units > std::numeric_limits<int64_t>::max()) {
			return fail();
		}
		return static_cast<int64_t>(units);
	}
	case TypeKind::String:
		return text;
	case TypeKind::Uuid: {
		auto uuid = ParseUuid(text);
		return uuid ? Literal(*uuid) : fail();
	}
	case TypeKind::Fixed:
	case TypeKind::Binary: {
		auto bytes = Unhex(text);
		if (!bytes || (type.kind == TypeKind::Fixed && bytes->size() != static_cast<size_t>(type.length))) {
			return fail();
		}
		return Bytes {std::move(*bytes)};
	}
	default:
		return fail();
	}
}

int Compare(const Literal &left, const Literal &right) {
	if (left.index() == 0 || right.index() == 0) {
		return Order(left.index() != 0, right.index() != 0);
	}
	if (left.index() != right.index()) {
		Invalid("cannot compare values of different types");
	}
	switch (left.index()) {
	case 1:
		return Order(std::get<bool>(left), std::get<bool>(right));
	case 2:
		return Order(std::get<int32_t>(left), std::get<int32_t>(right));
	case 3:
		return Order(std::get<int64_t>(left), std::get<int64_t>(right));
	case 4:
		return CompareJavaFloat(std::get<float>(left), std::get<float>(right));
	case 5:
		return CompareJavaFloat(std::get<double>(left), std::get<double>(right));
	case 6: {
		int order = std::string_view(std::get<std::string>(left)).compare(std::get<std::string>(right));
		return Order(order, 0);
	}
	case 7: {
		int order = std::string_view(std::get<Bytes>(left).data).compare(std::get<Bytes>(right).data);
		return Order(order, 0);
	}
	case 8: {
		auto &a = std::get<Decimal>(left);
		auto &b = std::get<Decimal>(right);
		if (a.scale != b.scale) {
			Invalid(fmt::format("cannot compare decimals of scales {} and {}", a.scale, b.scale));
		}
		return Order(a.unscaled, b.unscaled);
	}
	default:
		return Order(std::memcmp(std::get<Uuid>(left).bytes.data(), std::get<Uuid>(right).bytes.data(), 16), 0);
	}
}

int32_t DecimalRequiredBytes(int32_t precision) {
	if (precision < 1 || precision > 38) {
		Invalid(fmt::format("decimal precision must be between 1 and 38, not {}", precision));
	}
	unsigned __int128 power = 1;
	for (int32_t i = 0; i < precision; i++) {
		power *= 10;
	}
	for (int32_t bytes = 1; bytes < 16; bytes++) {
		if (power <= (static_cast<unsigned __int128>(1) << (8 * bytes - 1))) {
			return bytes;
		}
	}
	return 16;
}

} // namespace akko::iceberg
