// Iceberg single-value serialization against published values: the Iceberg spec's Appendix D
// examples, the byte arrays of Java's TestConversions and the strings of Java's
// TestSingleValueParser (apache/iceberg), and Appendix B's hash values, which hash the same
// bytes the binary serialization produces.
#include "common/error.hpp"
#include "iceberg/transforms.hpp"
#include "iceberg/value.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>

using namespace akko::iceberg;
using akko::Error;

namespace {

PrimitiveType T(std::string_view text) {
	return PrimitiveType::Parse(text);
}

std::string Bytes8(std::initializer_list<int> values) {
	std::string out;
	for (int value : values) {
		out.push_back(static_cast<char>(static_cast<uint8_t>(value)));
	}
	return out;
}

Uuid UuidOf(std::initializer_list<int> values) {
	Uuid uuid;
	size_t i = 0;
	for (int value : values) {
		uuid.bytes[i++] = static_cast<uint8_t>(value);
	}
	return uuid;
}

// f79c3e09-677c-4bbd-a479-3f349cb785e7, the spec's example uuid.
const Uuid kSpecUuid = UuidOf({0xf7, 0x9c, 0x3e, 0x09, 0x67, 0x7c, 0x4b, 0xbd, 0xa4, 0x79, 0x3f, 0x34, 0x9c, 0xb7, 0x85, 0xe7});

constexpr int32_t kDate20171116 = 17486;
constexpr int64_t kTime223108123456 = (22 * 3600 + 31 * 60 + 8) * 1000000LL + 123456;
constexpr int64_t kTimestamp20171116T223108123456 = kDate20171116 * 86400LL * 1000000 + kTime223108123456;

TEST(IcebergPrimitiveType, ParsesTheSpecTypeStrings) {
	EXPECT_EQ(T("boolean").kind, TypeKind::Boolean);
	EXPECT_EQ(T("int").kind, TypeKind::Int);
	EXPECT_EQ(T("long").kind, TypeKind::Long);
	EXPECT_EQ(T("float").kind, TypeKind::Float);
	EXPECT_EQ(T("double").kind, TypeKind::Double);
	EXPECT_EQ(T("date").kind, TypeKind::Date);
	EXPECT_EQ(T("time").kind, TypeKind::Time);
	EXPECT_EQ(T("timestamp").kind, TypeKind::Timestamp);
	EXPECT_EQ(T("timestamptz").kind, TypeKind::TimestampTz);
	EXPECT_EQ(T("timestamp_ns").kind, TypeKind::TimestampNs);
	EXPECT_EQ(T("timestamptz_ns").kind, TypeKind::TimestampTzNs);
	EXPECT_EQ(T("string").kind, TypeKind::String);
	EXPECT_EQ(T("uuid").kind, TypeKind::Uuid);
	EXPECT_EQ(T("binary").kind, TypeKind::Binary);
	// Appendix C: "decimal(9,2)" and "decimal(9, 2)" are the same type; readers accept
	// whitespace around parameters.
	auto decimal = T("decimal(9,2)");
	EXPECT_EQ(decimal.kind, TypeKind::Decimal);
	EXPECT_EQ(decimal.precision, 9);
	EXPECT_EQ(decimal.scale, 2);
	EXPECT_EQ(T("decimal(9, 2)"), decimal);
	EXPECT_EQ(T(" decimal ( 9 , 2 ) "), decimal);
	EXPECT_EQ(T("fixed[16]").length, 16);
	EXPECT_EQ(T("fixed[ 16 ]"), T("fixed[16]"));
	// Java's DecimalType and FixedType toString, as in its error messages ("decimal(5, 2)").
	EXPECT_EQ(ToString(decimal), "decimal(9, 2)");
	EXPECT_EQ(ToString(T("fixed[16]")), "fixed[16]");
	EXPECT_EQ(ToString(T("timestamptz_ns")), "timestamptz_ns");
}

TEST(IcebergPrimitiveType, RefusesOtherStrings) {
	for (auto text : {"varchar", "decimal(39,2)", "decimal(0,0)", "decimal(9)", "fixed[0]", "fixed[x]", "fixed",
	                  "struct", "list<int>", ""}) {
		EXPECT_THROW(T(text), Error) << text;
	}
}

TEST(IcebergBinaryValue, JavaTestConversionsBytes) {
	EXPECT_EQ(SerializeBinary(false, T("boolean")), Bytes8({0x00}));
	EXPECT_EQ(SerializeBinary(true, T("boolean")), Bytes8({0x01}));
	EXPECT_EQ(SerializeBinary(int32_t(84202), T("int")), Bytes8({-22, 72, 1, 0}));
	EXPECT_EQ(SerializeBinary(int64_t(200), T("long")), Bytes8({-56, 0, 0, 0, 0, 0, 0, 0}));
	EXPECT_EQ(SerializeBinary(-4.5F, T("float")), Bytes8({0, 0, -112, -64}));
	EXPECT_EQ(SerializeBinary(6.0, T("double")), Bytes8({0, 0, 0, 0, 0, 0, 24, 64}));
	EXPECT_EQ(SerializeBinary(int32_t(1000), T("date")), Bytes8({-24, 3, 0, 0}));
	EXPECT_EQ(SerializeBinary(int64_t(10000), T("time")), Bytes8({16, 39, 0, 0, 0, 0, 0, 0}));
	EXPECT_EQ(SerializeBinary(int64_t(400000), T("timestamp")), Bytes8({-128, 26, 6, 0, 0, 0, 0, 0}));
	EXPECT_EQ(SerializeBinary(int64_t(400000), T("timestamptz")), Bytes8({-128, 26, 6, 0, 0, 0, 0, 0}));
	EXPECT_EQ(SerializeBinary(int64_t(400000000), T("timestamp_ns")), Bytes8({0, -124, -41, 23, 0, 0, 0, 0}));
	EXPECT_EQ(SerializeBinary(int64_t(400000000), T("timestamptz_ns")), Bytes8({0, -124, -41, 23, 0, 0, 0, 0}));
	EXPECT_EQ(SerializeBinary(std::string("ABC"), T("string")), "ABC");
	EXPECT_EQ(SerializeBinary(kSpecUuid, T("uuid")),
	          Bytes8({-9, -100, 62, 9, 103, 124, 75, -67, -92, 121, 63, 52, -100, -73, -123, -25}));
	EXPECT_EQ(SerializeBinary(Bytes {"ab"}, T("fixed[2]")), "ab");
	EXPECT_EQ(SerializeBinary(Bytes {"Z"}, T("binary")), "Z");
	// Decimals: the unscaled value in the fewest two's-complement bytes.
	EXPECT_EQ(SerializeBinary(Decimal {345, 2}, T("decimal(3,2)")), Bytes8({1, 89}));
	EXPECT_EQ(SerializeBinary(Decimal {1234567, 4}, T("decimal(7,4)")), Bytes8({18, -42, -121}));
	EXPECT_EQ(SerializeBinary(Decimal {-1234567, 4}, T("decimal(7,4)")), Bytes8({-19, 41, 121}));
	EXPECT_EQ(SerializeBinary(Decimal {11, 3}, T("decimal(10,3)")), Bytes8({11}));
}

TEST(IcebergBinaryValue, RoundTripsEveryType) {
	std::vector<std::pair<Literal, PrimitiveType>> values = {
	    {true, T("boolean")},
	    {int32_t(-84202), T("int")},
	    {std::numeric_limits<int64_t>::min(), T("long")},
	    {-0.0F, T("float")},
	    {std::numeric_limits<double>::infinity(), T("double")},
	    {kDate20171116, T("date")},
	    {kTime223108123456, T("time")},
	    {kTimestamp20171116T223108123456, T("timestamptz")},
	    {std::string("\xc3\xa9t\xc3\xa9"), T("string")},
	    {kSpecUuid, T("uuid")},
	    {Bytes {std::string("\x00\xff", 2)}, T("fixed[2]")},
	    {Bytes {""}, T("binary")},
	    {Decimal {-(static_cast<__int128>(1) << 100), 0}, T("decimal(38,0)")},
	    {Decimal {-1, 5}, T("decimal(9,5)")},
	    {Decimal {0, 2}, T("decimal(9,2)")},
	};
	for (auto &[value, type] : values) {
		auto bytes = SerializeBinary(value, type);
		EXPECT_EQ(DeserializeBinary(bytes, type), value) << ToString(type);
	}
	// -0.0 keeps its sign bit.
	EXPECT_TRUE(std::signbit(std::get<float>(DeserializeBinary(SerializeBinary(-0.0F, T("float")), T("float")))));
}

TEST(IcebergBinaryValue, SpecAppendixBHashesTheseBytes) {
	// Appendix B hashes a decimal's minimal two's-complement bytes and a uuid's 16 big-endian
	// bytes, the very bytes Appendix D stores, so the published hashes pin them too.
	EXPECT_EQ(HashBytes(SerializeBinary(Decimal {1420, 2}, T("decimal(9,2)"))), -500754589);
	EXPECT_EQ(HashBytes(SerializeBinary(kSpecUuid, T("uuid"))), 1488055340);
	EXPECT_EQ(HashBytes(SerializeBinary(std::string("iceberg"), T("string"))), 1210000089);
	EXPECT_EQ(HashBytes(SerializeBinary(Bytes {std::string("\x00\x01\x02\x03", 4)}, T("binary"))), -188683207);
}

TEST(IcebergBinaryValue, ReadsPromotedBoundsAsJavaDoes) {
	// Java's Conversions.fromByteBuffer reads a 4-byte long bound as an int and a 4-byte
	// double bound as a float: bounds written before int->long or float->double promotion.
	EXPECT_EQ(DeserializeBinary(Bytes8({-22, 72, 1, 0}), T("long")), Literal(int64_t(84202)));
	EXPECT_EQ(DeserializeBinary(Bytes8({0, 0, -112, -64}), T("double")), Literal(-4.5));
}

TEST(IcebergBinaryValue, RefusesWrongSizesAndTypes) {
	EXPECT_THROW(DeserializeBinary("abc", T("int")), Error);
	EXPECT_THROW(DeserializeBinary("", T("boolean")), Error);
	EXPECT_THROW(DeserializeBinary("abcdefg", T("long")), Error);
	EXPECT_THROW(DeserializeBinary(std::string(15, 'x'), T("uuid")), Error);
	EXPECT_THROW(DeserializeBinary("", T("decimal(9,2)")), Error);
	EXPECT_THROW(DeserializeBinary(std::string(17, 'x'), T("decimal(38,2)")), Error);
	EXPECT_THROW(SerializeBinary(std::monostate {}, T("int")), Error);
	EXPECT_THROW(SerializeBinary(int64_t(1), T("int")), Error);
	EXPECT_THROW(SerializeBinary(Decimal {1, 3}, T("decimal(9,2)")), Error);
	EXPECT_THROW(SerializeBinary(Bytes {"abc"}, T("fixed[2]")), Error);
}

TEST(IcebergJsonValue, SpecAppendixDExamples) {
	EXPECT_EQ(ToJson(true, T("boolean")), nlohmann::json(true));
	EXPECT_EQ(ToJson(int32_t(34), T("int")), nlohmann::json(34));
	EXPECT_EQ(ToJson(int64_t(34), T("long")), nlohmann::json(34));
	EXPECT_EQ(ToJson(1.0F, T("float")).dump(), "1.0");
	EXPECT_EQ(ToJson(1.0, T("double")).dump(), "1.0");
	EXPECT_EQ(ToJson(Decimal {1420, 2}, T("decimal(9,2)")), "14.20");
	EXPECT_EQ(ToJson(Decimal {2, -20}, T("decimal(9,-20)")), "2E+20");
	EXPECT_EQ(ToJson(kDate20171116, T("date")), "2017-11-16");
	EXPECT_EQ(ToJson(kTime223108123456, T("time")), "22:31:08.123456");
	EXPECT_EQ(ToJson(kTimestamp20171116T223108123456, T("timestamp")), "2017-11-16T22:31:08.123456");
	EXPECT_EQ(ToJson(kTimestamp20171116T223108123456, T("timestamptz")), "2017-11-16T22:31:08.123456+00:00");
	EXPECT_EQ(ToJson(kTimestamp20171116T223108123456 * 1000 + 789, T("timestamp_ns")),
	          "2017-11-16T22:31:08.123456789");
	EXPECT_EQ(ToJson(kTimestamp20171116T223108123456 * 1000 + 789, T("timestamptz_ns")),
	          "2017-11-16T22:31:08.123456789+00:00");
	EXPECT_EQ(ToJson(std::string("iceberg"), T("string")), "iceberg");
	EXPECT_EQ(ToJson(kSpecUuid, T("uuid")), "f79c3e09-677c-4bbd-a479-3f349cb785e7");
	EXPECT_EQ(ToJson(Bytes {Bytes8({0x00, 0x01, 0x02, 0xff})}, T("fixed[4]")), "000102ff");
	EXPECT_EQ(ToJson(Bytes {Bytes8({0x00, 0x01, 0x02, 0xff})}, T("binary")), "000102ff");
	EXPECT_EQ(ToJson(std::monostate {}, T("int")), nlohmann::json(nullptr));

	// And back.
	EXPECT_EQ(LiteralFromJson("14.20", T("decimal(9,2)")), Literal(Decimal {1420, 2}));
	EXPECT_EQ(LiteralFromJson("2E+20", T("decimal(9,-20)")), Literal(Decimal {2, -20}));
	EXPECT_EQ(LiteralFromJson("2017-11-16", T("date")), Literal(kDate20171116));
	EXPECT_EQ(LiteralFromJson("22:31:08.123456", T("time")), Literal(kTime223108123456));
	EXPECT_EQ(LiteralFromJson("2017-11-16T22:31:08.123456", T("timestamp")), Literal(kTimestamp20171116T223108123456));
	EXPECT_EQ(LiteralFromJson("2017-11-16T22:31:08.123456+00:00", T("timestamptz")),
	          Literal(kTimestamp20171116T223108123456));
	EXPECT_EQ(LiteralFromJson("2017-11-16T22:31:08.123456789+00:00", T("timestamptz_ns")),
	          Literal(kTimestamp20171116T223108123456 * 1000 + 789));
	EXPECT_EQ(LiteralFromJson("f79c3e09-677c-4bbd-a479-3f349cb785e7", T("uuid")), Literal(kSpecUuid));
	EXPECT_EQ(LiteralFromJson("000102ff", T("binary")), Literal(Bytes {Bytes8({0x00, 0x01, 0x02, 0xff})}));
	EXPECT_EQ(LiteralFromJson(1.0, T("float")), Literal(1.0F));
	EXPECT_EQ(LiteralFromJson(nullptr, T("string")), Literal(std::monostate {}));
}

TEST(IcebergJsonValue, JavaSingleValueParserExamples) {
	// The pairs Java's TestSingleValueParser round-trips.
	struct Case {
		const char *type;
		const char *json;
	};
	for (auto [type, json] : {Case {"boolean", "true"},
	                          Case {"int", "1"},
	                          Case {"long", "9999999"},
	                          Case {"float", "1.23"},
	                          Case {"double", "123.456"},
	                          Case {"date", "\"2007-12-03\""},
	                          Case {"time", "\"10:15:30\""},
	                          Case {"timestamp", "\"2007-12-03T10:15:30\""},
	                          Case {"timestamptz", "\"2007-12-03T10:15:30+00:00\""},
	                          Case {"timestamp_ns", "\"2007-12-03T10:15:30.123456789\""},
	                          Case {"timestamptz_ns", "\"2007-12-03T10:15:30.123456789+00:00\""},
	                          Case {"string", "\"foo\""},
	                          Case {"uuid", "\"eb26bdb1-a1d8-4aa6-990e-da940875492c\""},
	                          Case {"fixed[2]", "\"111f\""},
	                          Case {"binary", "\"0000ff\""},
	                          Case {"decimal(9,4)", "\"123.4500\""},
	                          Case {"decimal(9,0)", "\"2\""},
	                          Case {"decimal(9,-20)", "\"2E+20\""}}) {
		auto parsed = nlohmann::json::parse(json);
		EXPECT_EQ(ToJson(LiteralFromJson(parsed, T(type)), T(type)), parsed) << type << " " << json;
	}
	// Java writes hex in upper case; both cases read.
	EXPECT_EQ(LiteralFromJson("111F", T("fixed[2]")), Literal(Bytes {Bytes8({0x11, 0x1f})}));
	// And refuses these.
	EXPECT_THROW(LiteralFromJson("111ff", T("fixed[2]")), Error);
	EXPECT_THROW(LiteralFromJson("eb26bdb1-a1d8-4aa6-990e-da940875492c-abcde", T("uuid")), Error);
	EXPECT_THROW(LiteralFromJson(123.456, T("decimal(5,2)")), Error);
	EXPECT_THROW(LiteralFromJson("2007-12-03T10:15:30+01:00", T("timestamptz")), Error);
	EXPECT_THROW(LiteralFromJson("2007-12-03T10:15:30+01:00", T("timestamptz_ns")), Error);
}

TEST(IcebergJsonValue, EdgesOfTheFormats) {
	// Before 1970 and around leap days.
	EXPECT_EQ(ToJson(int32_t(-1), T("date")), "1969-12-31");
	EXPECT_EQ(ToJson(int64_t(-1), T("timestamp")), "1969-12-31T23:59:59.999999");
	EXPECT_EQ(LiteralFromJson("1969-12-31T23:59:59.999999", T("timestamp")), Literal(int64_t(-1)));
	EXPECT_EQ(LiteralFromJson("2000-02-29", T("date")), Literal(int32_t(11016)));
	EXPECT_THROW(LiteralFromJson("1900-02-29", T("date")), Error);
	EXPECT_THROW(LiteralFromJson("2017-13-01", T("date")), Error);
	// Java's ISO_LOCAL_DATE signs years outside 0000-9999.
	EXPECT_EQ(ToJson(int32_t(2932897), T("date")), "+10000-01-01");
	EXPECT_EQ(LiteralFromJson("+10000-01-01", T("date")), Literal(int32_t(2932897)));
	// A zero fraction is left out, as Java's ISO_LOCAL_TIME and Python's isoformat() do.
	EXPECT_EQ(ToJson(int64_t(0), T("time")), "00:00:00");
	EXPECT_EQ(LiteralFromJson("10:15", T("time")), Literal(int64_t((10 * 60 + 15) * 60 * 1000000LL)));
	EXPECT_EQ(LiteralFromJson("10:15:30.5", T("time")), Literal(int64_t((36930 * 1000000LL) + 500000)));
	EXPECT_THROW(LiteralFromJson("10:15:30.1234567", T("time")), Error); // would lose a digit
	EXPECT_THROW(LiteralFromJson("24:00:00", T("time")), Error);
	EXPECT_THROW(LiteralFromJson("2017-11-16T22:31:08+00:00", T("timestamp")), Error);
	EXPECT_EQ(LiteralFromJson("2017-11-16T22:31:08Z", T("timestamptz")),
	          Literal(int64_t((kDate20171116 * 86400LL + 81068) * 1000000)));
	// Decimals: a scale the type does not have is refused, as Java does.
	EXPECT_THROW(LiteralFromJson("14.2", T("decimal(9,2)")), Error);
	EXPECT_EQ(LiteralFromJson("-0.05", T("decimal(9,2)")), Literal(Decimal {-5, 2}));
	EXPECT_EQ(ToJson(Decimal {-5, 2}, T("decimal(9,2)")), "-0.05");
	EXPECT_EQ(ToJson(Decimal {-12345, -2}, T("decimal(9,-2)")), "-1.2345E+6");
	EXPECT_EQ(LiteralFromJson("-1.2345E+6", T("decimal(9,-2)")), Literal(Decimal {-12345, -2}));
	EXPECT_THROW(LiteralFromJson("1" + std::string(39, '0'), T("decimal(38,0)")), Error);
	// Integers must be integral and in range.
	EXPECT_THROW(LiteralFromJson(1.5, T("int")), Error);
	EXPECT_THROW(LiteralFromJson(int64_t(1) << 40, T("int")), Error);
	EXPECT_THROW(LiteralFromJson(uint64_t(1) << 63, T("long")), Error);
	EXPECT_THROW(LiteralFromJson("34", T("int")), Error);
	// JSON has no NaN.
	EXPECT_THROW(ToJson(std::numeric_limits<double>::quiet_NaN(), T("double")), Error);
}

TEST(IcebergCompare, OrdersAsJavaComparators) {
	// Strings by code point, which is UTF-8 byte order: Java's CharSeqComparator puts a
	// 4-byte character (a surrogate pair in UTF-16) after every 3-byte one.
	EXPECT_LT(Compare(std::string("\xef\xbf\xbf"), std::string("\xf0\x9f\x98\x80")), 0); // U+FFFF < U+1F600
	EXPECT_LT(Compare(std::string("a"), std::string("\xc3\xa9")), 0);
	EXPECT_LT(Compare(std::string("ab"), std::string("abc")), 0);
	EXPECT_EQ(Compare(std::string("x"), std::string("x")), 0);
	// Binary by unsigned bytes.
	EXPECT_LT(Compare(Bytes {"\x7f"}, Bytes {"\x80"}), 0);
	// Floats by Float.compare: -0.0 before 0.0, NaN after +infinity and equal to itself.
	EXPECT_LT(Compare(-0.0F, 0.0F), 0);
	EXPECT_LT(Compare(-0.0, 0.0), 0);
	EXPECT_GT(Compare(std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()), 0);
	EXPECT_EQ(Compare(std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN()), 0);
	EXPECT_LT(Compare(-1.0, std::numeric_limits<double>::quiet_NaN()), 0);
	// UUIDs as RFC 4122 byte strings (apache/iceberg#14500 moved Java there from signed longs).
	EXPECT_GT(Compare(UuidOf({0x80}), UuidOf({0x7f})), 0);
	EXPECT_LT(Compare(Decimal {-1, 2}, Decimal {1, 2}), 0);
	EXPECT_LT(Compare(false, true), 0);
	EXPECT_LT(Compare(int64_t(-5), int64_t(3)), 0);
	// Null first; different types refuse.
	EXPECT_LT(Compare(std::monostate {}, int32_t(1)), 0);
	EXPECT_EQ(Compare(std::monostate {}, std::monostate {}), 0);
	EXPECT_THROW(Compare(int32_t(1), int64_t(1)), Error);
	EXPECT_THROW(Compare(Decimal {1, 2}, Decimal {1, 3}), Error);
}

TEST(IcebergDecimal, RequiredBytesMatchParquetsTable) {
	// Parquet's LogicalTypes.md: n bytes hold floor(log10(2^(8n-1) - 1)) digits.
	const int kMaxDigits[] = {2, 4, 6, 9, 11, 14, 16, 18, 21, 23, 26, 28, 31, 33, 35, 38};
	for (int32_t bytes = 1; bytes <= 16; bytes++) {
		EXPECT_EQ(DecimalRequiredBytes(kMaxDigits[bytes - 1]), bytes);
		if (bytes < 16) {
			EXPECT_EQ(DecimalRequiredBytes(kMaxDigits[bytes - 1] + 1), bytes + 1);
		}
	}
	EXPECT_THROW(DecimalRequiredBytes(39), Error);
}

} // namespace
