// Iceberg's partition transforms against the values the Iceberg table spec publishes
// (Appendix B's hash values, the partition transform examples).
#include "iceberg/transforms.hpp"

#include <gtest/gtest.h>

using namespace akko::iceberg;

namespace {

constexpr int32_t kDate20171116 = 17486; // days from 1970-01-01
constexpr int64_t kTime223108 = (22 * 3600 + 31 * 60 + 8) * 1000000LL;
constexpr int64_t kTimestamp20171116T223108 = kDate20171116 * 86400LL * 1000000 + kTime223108;

TEST(IcebergHash, SpecAppendixBValues) {
	EXPECT_EQ(HashLong(34), 2017239379);                    // int and long
	EXPECT_EQ(HashDecimal(1420), -500754589);               // decimal(9,2) 14.20
	EXPECT_EQ(HashLong(kDate20171116), -653330422);         // date 2017-11-16
	EXPECT_EQ(HashLong(kTime223108), -662762989);           // time 22:31:08
	EXPECT_EQ(HashLong(kTimestamp20171116T223108), -2047944441); // timestamp 2017-11-16T22:31:08
	// timestamptz 2017-11-16T14:31:08-08:00 is the same instant, 8 hours after 14:31:08 UTC.
	EXPECT_EQ(HashLong(kDate20171116 * 86400LL * 1000000 + (14 * 3600 + 31 * 60 + 8) * 1000000LL + 8 * 3600LL * 1000000),
	          -2047944441);
	EXPECT_EQ(HashBytes("iceberg"), 1210000089);            // string
	EXPECT_EQ(HashUuid(0xf79c3e09677c4bbdULL, 0xa4793f349cb785e7ULL), 1488055340); // uuid
	EXPECT_EQ(HashBytes(std::string("\x00\x01\x02\x03", 4)), -188683207);           // fixed and binary
}

TEST(IcebergHash, DecimalUsesMinimalTwosComplementBytes) {
	// The same unscaled value hashes as its shortest big-endian form: 1420 is 0x058C.
	EXPECT_EQ(HashDecimal(1420), HashBytes(std::string("\x05\x8c", 2)));
	EXPECT_EQ(HashDecimal(-1), HashBytes(std::string("\xff", 1)));
	EXPECT_EQ(HashDecimal(128), HashBytes(std::string("\x00\x80", 2)));
	EXPECT_EQ(HashDecimal(-129), HashBytes(std::string("\xff\x7f", 2)));
	EXPECT_EQ(HashDecimal(0), HashBytes(std::string("\x00", 1)));
}

TEST(IcebergTransforms, BucketOfTheSpecExample) {
	EXPECT_EQ(Bucket(HashLong(34), 16), 3);
	// A negative hash still lands in [0, N): -662762989 & 0x7FFFFFFF = 1484720659, mod 16 = 3.
	EXPECT_EQ(Bucket(HashLong(kTime223108), 16), 3);
}

TEST(IcebergTransforms, TruncateRoundsTowardNegativeInfinity) {
	EXPECT_EQ(TruncateInteger(1, 10), 0);
	EXPECT_EQ(TruncateInteger(-1, 10), -10);
	EXPECT_EQ(TruncateInteger(10, 10), 10);
	EXPECT_EQ(TruncateDecimal(1065, 50), 1050); // 10.65 -> 10.50
	EXPECT_EQ(TruncateString("iceberg", 3), "ice");
	// Code points, not bytes: "é" is two bytes.
	EXPECT_EQ(TruncateString("\xc3\xa9t\xc3\xa9", 2), "\xc3\xa9t");
	EXPECT_EQ(TruncateString("ab", 5), "ab");
}

TEST(IcebergTransforms, TimeUnitsSinceTheEpoch) {
	EXPECT_EQ(YearsFromDays(kDate20171116), 47);
	EXPECT_EQ(MonthsFromDays(kDate20171116), 47 * 12 + 10);
	EXPECT_EQ(DaysFromMicros(kTimestamp20171116T223108), kDate20171116);
	EXPECT_EQ(HoursFromMicros(kTimestamp20171116T223108), kDate20171116 * 24 + 22);
	// Before 1970 the units are negative: 1969-12-31 is year -1, month -1, day -1.
	EXPECT_EQ(YearsFromDays(-1), -1);
	EXPECT_EQ(MonthsFromDays(-1), -1);
	EXPECT_EQ(DaysFromMicros(-1), -1);
	EXPECT_EQ(HoursFromMicros(-1), -1);
	EXPECT_EQ(YearsFromDays(0), 0);
	EXPECT_EQ(MonthsFromDays(31), 1); // 1970-02-01
}

} // namespace
