#include "common/error.hpp"
#include "obs/audit_log.hpp"
#include "obs/metrics.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <unistd.h>

namespace fs = std::filesystem;
using akko::obs::AuditLog;
using akko::obs::AuditReader;
using akko::obs::AuditRecord;

namespace {

// Times and dates below were checked with GNU date, e.g. `date -u -d @1700000000 +%FT%T`
// prints 2023-11-14T22:13:20 and `date -u -d '2024-02-29T23:59:59.5Z' +%s%N` 1709251199500000000.
constexpr int64_t kNov14 = 1700000000LL * 1000000;          // 2023-11-14T22:13:20Z
constexpr int64_t kLeapDayEnd = 1709251199500000LL;          // 2024-02-29T23:59:59.500000Z
constexpr int64_t kMarch1 = 1709251199500000LL + 500000 + 7; // 2024-03-01T00:00:00.000007Z

class AuditLogTest : public ::testing::Test {
protected:
	void SetUp() override {
		dir = fs::temp_directory_path() / ("akko-audit-" + std::to_string(::getpid()) + "-" +
		                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
		fs::remove_all(dir);
	}
	void TearDown() override {
		fs::remove_all(dir);
	}

	std::vector<AuditRecord> ReadAll() {
		AuditReader reader(dir.string());
		std::vector<AuditRecord> records;
		AuditRecord record;
		while (reader.Next(record)) {
			records.push_back(record);
		}
		return records;
	}

	std::vector<std::string> FileNames() {
		std::vector<std::string> names;
		for (auto &entry : fs::directory_iterator(dir)) {
			names.push_back(entry.path().filename().string());
		}
		std::sort(names.begin(), names.end());
		return names;
	}

	static AuditRecord Sample(int64_t time_us, const std::string &operation) {
		AuditRecord record;
		record.time_us = time_us;
		record.user = "alice";
		record.roles = {"akko-analyst", "auditors"};
		record.protocol = "pgwire";
		record.client = "127.0.0.1:50000";
		record.operation = operation;
		record.tables_read = {"banking.customers"};
		record.tables_written = {"staging.copy"};
		record.restrictions = {"active_only", "email_mask"};
		record.rows = 42;
		record.duration_ms = 1.5;
		return record;
	}

	fs::path dir;
};

TEST_F(AuditLogTest, RecordsRoundTripThroughTheFilesAndTheReader) {
	{
		AuditLog log(dir.string());
		log.Write(Sample(kNov14, "SELECT 1"));
		auto failed = Sample(kNov14 + 1, "SELECT 1/0");
		failed.rows.reset();
		failed.outcome = "division_by_zero";
		failed.error = "division by zero";
		failed.operation = "SELECT '\xff' -- not UTF-8";
		log.Write(failed);
	}
	EXPECT_EQ(FileNames(), std::vector<std::string>({"audit-2023-11-14.jsonl"}));

	// The file as any JSON-lines reader sees it.
	std::ifstream file(dir / "audit-2023-11-14.jsonl");
	std::string line;
	ASSERT_TRUE(std::getline(file, line));
	auto first = nlohmann::json::parse(line);
	EXPECT_EQ(first["time"], "2023-11-14T22:13:20.000000Z");
	EXPECT_EQ(first["user"], "alice");
	EXPECT_EQ(first["roles"], nlohmann::json({"akko-analyst", "auditors"}));
	EXPECT_EQ(first["rows"], 42);
	EXPECT_EQ(first["outcome"], "ok");
	ASSERT_TRUE(std::getline(file, line));
	auto second = nlohmann::json::parse(line);
	EXPECT_EQ(second["time"], "2023-11-14T22:13:20.000001Z");
	EXPECT_TRUE(second["rows"].is_null());
	EXPECT_FALSE(std::getline(file, line));

	auto records = ReadAll();
	ASSERT_EQ(records.size(), 2u);
	auto &read = records[0];
	auto expected = Sample(kNov14, "SELECT 1");
	EXPECT_EQ(read.time_us, expected.time_us);
	EXPECT_EQ(read.user, expected.user);
	EXPECT_EQ(read.roles, expected.roles);
	EXPECT_EQ(read.protocol, expected.protocol);
	EXPECT_EQ(read.client, expected.client);
	EXPECT_EQ(read.operation, expected.operation);
	EXPECT_EQ(read.tables_read, expected.tables_read);
	EXPECT_EQ(read.tables_written, expected.tables_written);
	EXPECT_EQ(read.restrictions, expected.restrictions);
	EXPECT_EQ(read.rows, std::optional<uint64_t>(42));
	EXPECT_DOUBLE_EQ(read.duration_ms, 1.5);
	EXPECT_EQ(read.outcome, "ok");
	EXPECT_EQ(records[1].outcome, "division_by_zero");
	EXPECT_EQ(records[1].error, "division by zero");
	EXPECT_FALSE(records[1].rows.has_value());
	// Invalid UTF-8 is replaced (U+FFFD), not a reason to lose the record.
	EXPECT_EQ(records[1].operation, "SELECT '\xef\xbf\xbd' -- not UTF-8");
}

TEST_F(AuditLogTest, TimesFormatAsRfc3339Utc) {
	EXPECT_EQ(akko::obs::FormatAuditTime(kLeapDayEnd), "2024-02-29T23:59:59.500000Z");
	EXPECT_EQ(akko::obs::FormatAuditTime(kMarch1), "2024-03-01T00:00:00.000007Z");
	EXPECT_EQ(akko::obs::ParseAuditTime("2024-02-29T23:59:59.500000Z"), kLeapDayEnd);
	EXPECT_THROW(akko::obs::ParseAuditTime("2024-02-29 23:59:59"), akko::Error);
}

TEST_F(AuditLogTest, ATornLastLineIsSkippedAndDoesNotSwallowTheNextRecord) {
	{
		AuditLog log(dir.string());
		log.Write(Sample(kNov14, "one"));
		log.Write(Sample(kNov14, "two"));
	}
	// A crash in the middle of a record's write leaves part of a line.
	{
		std::ofstream file(dir / "audit-2023-11-14.jsonl", std::ios::app | std::ios::binary);
		file << R"({"time":"2023-11-14T22:13:20.000000Z","user":"ali)";
	}
	auto records = ReadAll();
	ASSERT_EQ(records.size(), 2u);
	EXPECT_EQ(records[1].operation, "two");

	// The restarted server appends on a line of its own.
	{
		AuditLog log(dir.string());
		log.Write(Sample(kNov14, "three"));
	}
	records = ReadAll();
	ASSERT_EQ(records.size(), 3u);
	EXPECT_EQ(records[2].operation, "three");
}

TEST_F(AuditLogTest, ANewFileEachUtcDay) {
	{
		AuditLog log(dir.string());
		log.Write(Sample(kLeapDayEnd, "before midnight"));
		log.Write(Sample(kMarch1, "after midnight"));
		// A late record never reopens an earlier day's file.
		log.Write(Sample(kLeapDayEnd, "late"));
	}
	EXPECT_EQ(FileNames(), std::vector<std::string>({"audit-2024-02-29.jsonl", "audit-2024-03-01.jsonl"}));
	auto records = ReadAll();
	ASSERT_EQ(records.size(), 3u);
	EXPECT_EQ(records[0].operation, "before midnight");
	EXPECT_EQ(records[1].operation, "after midnight");
	EXPECT_EQ(records[2].operation, "late");
}

TEST_F(AuditLogTest, ANewFileWhenOnePassesTheSizeLimit) {
	// Each record is ~330 bytes: with a 1000-byte limit, four to a file.
	constexpr int kRecords = 50;
	{
		AuditLog log(dir.string(), 1000);
		for (int i = 0; i < kRecords; i++) {
			log.Write(Sample(kNov14 + i, std::to_string(i)));
		}
	}
	auto names = FileNames();
	EXPECT_GT(names.size(), 10u); // so that ".10" must sort after ".9"
	EXPECT_TRUE(std::find(names.begin(), names.end(), "audit-2023-11-14.jsonl") != names.end());
	EXPECT_TRUE(std::find(names.begin(), names.end(), "audit-2023-11-14.10.jsonl") != names.end());
	for (auto &name : names) {
		EXPECT_LT(fs::file_size(dir / name), 1000u + 400u) << name;
	}
	auto records = ReadAll();
	ASSERT_EQ(records.size(), static_cast<size_t>(kRecords));
	for (int i = 0; i < kRecords; i++) {
		EXPECT_EQ(records[i].operation, std::to_string(i));
	}
}

TEST_F(AuditLogTest, ConcurrentWritersLoseNothing) {
	constexpr int kThreads = 8;
	constexpr int kPerThread = 500;
	{
		AuditLog log(dir.string());
		std::vector<std::thread> threads;
		for (int t = 0; t < kThreads; t++) {
			threads.emplace_back([&, t] {
				for (int i = 0; i < kPerThread; i++) {
					auto record = Sample(0, std::to_string(t) + ":" + std::to_string(i));
					log.Write(record);
				}
			});
		}
		for (auto &thread : threads) {
			thread.join();
		}
	}
	std::set<std::string> seen;
	int64_t previous = 0;
	for (auto &record : ReadAll()) {
		seen.insert(record.operation);
		// Stamped under the writer's lock: times never go backwards through the file.
		EXPECT_GE(record.time_us, previous);
		previous = record.time_us;
	}
	EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_F(AuditLogTest, AnIoErrorIsCountedNotThrown) {
	auto &errors = akko::obs::DefaultRegistry()
	                   .AddCounter("aden_audit_write_errors_total",
	                               "Audit records that could not be written (or were torn) by an I/O error.")
	                   .Labels({});
	auto before = errors.Value();
	AuditLog log(dir.string());
	fs::remove_all(dir); // the file cannot be created
	EXPECT_NO_THROW(log.Write(Sample(kNov14, "lost")));
	EXPECT_EQ(errors.Value(), before + 1);
}

} // namespace
