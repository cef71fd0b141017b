#pragma once
// Calendar arithmetic on day and microsecond counts since 1970-01-01, shared by the
// PostgreSQL text formats and Iceberg's time transforms.
#include <cstdint>

namespace akko {

// Division rounding toward negative infinity (times before 1970 belong to earlier units).
inline int64_t FloorDivide(int64_t a, int64_t b) {
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// The proleptic Gregorian date of a day number (Howard Hinnant's civil_from_days).
inline void CivilFromDays(int64_t days, int64_t &year, unsigned &month, unsigned &day) {
	days += 719468;
	const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	const unsigned doe = static_cast<unsigned>(days - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	month = mp < 10 ? mp + 3 : mp - 9;
	year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
}

// The day number of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
inline int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
	year -= month <= 2;
	const int64_t era = (year >= 0 ? year : year - 399) / 400;
	const unsigned yoe = static_cast<unsigned>(year - era * 400);
	const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

} // namespace akko
