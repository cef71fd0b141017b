#pragma once
// Iceberg partition transforms and the 32-bit hash bucket[N] uses, as the Iceberg table
// spec defines them ("Partition Transforms", "Appendix B: 32-bit Hash Requirements"), so
// partitions written here agree with Spark, Trino and PyIceberg.
#include <cstdint>
#include <string>
#include <string_view>

namespace akko::iceberg {

// MurmurHash3 x86 32-bit, seed 0.
int32_t Murmur3(std::string_view bytes);

// The spec's hash of each value kind: int and long (and date, time, timestamp) as an 8-byte
// little-endian long; decimal as the minimal big-endian two's-complement bytes of its
// unscaled value; string as UTF-8 bytes; uuid as its 16 bytes big-endian; binary as is.
int32_t HashLong(int64_t value);
int32_t HashBytes(std::string_view bytes);
int32_t HashDecimal(__int128 unscaled);
int32_t HashUuid(uint64_t most_significant, uint64_t least_significant);

// A decimal's unscaled value as the spec stores and hashes it: big-endian two's complement
// without the leading bytes that only repeat the sign (Java's BigInteger.toByteArray).
std::string MinimalTwosComplement(__int128 unscaled);

// bucket[N]: (hash & Integer.MAX_VALUE) % N.
int32_t Bucket(int32_t hash, int32_t buckets);

// truncate[W]: integers round down to a multiple of W (also when negative); strings keep
// their first W code points; binary its first W bytes.
int64_t TruncateInteger(int64_t value, int64_t width);
__int128 TruncateDecimal(__int128 unscaled, int64_t width);
std::string TruncateString(std::string_view utf8, int32_t width);

// year, month, day and hour, as whole units since 1970-01-01 (negative before it).
int32_t YearsFromDays(int32_t days);
int32_t MonthsFromDays(int32_t days);
int32_t DaysFromMicros(int64_t micros);
int32_t HoursFromMicros(int64_t micros);

} // namespace akko::iceberg
