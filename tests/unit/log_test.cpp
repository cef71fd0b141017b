// The log's in-memory ring of recent lines (what the cockpit's log view reads).
#include "common/log.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace akko_log = akko::log;

namespace {

// The lines go to /dev/null; the ring keeps them all the same.
class RecentLines : public testing::Test {
protected:
	static void SetUpTestSuite() {
		akko_log::Init("info", "/dev/null");
	}

	// The "n" field of the newest lines, newest first.
	static std::vector<int64_t> Numbers(size_t limit) {
		std::vector<int64_t> numbers;
		for (auto &line : akko_log::Recent(limit)) {
			numbers.push_back(nlohmann::json::parse(line).at("n").get<int64_t>());
		}
		return numbers;
	}
};

} // namespace

TEST_F(RecentLines, NewestFirstAndLimited) {
	for (int i = 0; i < 10; i++) {
		akko_log::Info("ring_test", {{"n", i}});
	}
	EXPECT_EQ(Numbers(3), (std::vector<int64_t> {9, 8, 7}));
	auto line = nlohmann::json::parse(akko_log::Recent(1).at(0));
	EXPECT_EQ(line["event"], "ring_test");
	EXPECT_EQ(line["level"], "info");
	EXPECT_TRUE(line.contains("ts"));
}

TEST_F(RecentLines, KeepsTheNewestLinesAtTheLogLevel) {
	for (size_t i = 0; i < akko_log::kRecentLines + 100; i++) {
		akko_log::Info("ring_test", {{"n", i}});
	}
	// Below the configured level: neither written nor kept.
	akko_log::Write(akko_log::Level::Debug, "ring_test", {{"n", -1}});
	auto all = akko_log::Recent();
	ASSERT_EQ(all.size(), akko_log::kRecentLines);
	EXPECT_EQ(Numbers(1), (std::vector<int64_t> {static_cast<int64_t>(akko_log::kRecentLines + 99)}));
	EXPECT_EQ(nlohmann::json::parse(all.back()).at("n"), 100);
	EXPECT_EQ(akko_log::Recent(akko_log::kRecentLines * 2).size(), akko_log::kRecentLines);
}

TEST_F(RecentLines, LongLinesAreKeptCut) {
	std::string blob(akko_log::kRecentLineBytes * 2, 'x');
	akko_log::Warn("ring_test_long", {{"blob", blob}});
	auto newest = nlohmann::json::parse(akko_log::Recent(1).at(0));
	EXPECT_EQ(newest["event"], "ring_test_long");
	EXPECT_EQ(newest["level"], "warn");
	EXPECT_EQ(newest["truncated"], true);
	EXPECT_TRUE(newest.contains("ts"));
	// The line as written, cut: its keys come sorted, so the blob first.
	auto expected = "{\"blob\":\"" + blob;
	EXPECT_EQ(newest["text"], expected.substr(0, akko_log::kRecentLineBytes));
}

TEST_F(RecentLines, ConcurrentWritersLoseNoLine) {
	constexpr int kThreads = 4;
	constexpr int kEach = 500;
	std::vector<std::thread> threads;
	for (int t = 0; t < kThreads; t++) {
		threads.emplace_back([t] {
			for (int i = 0; i < kEach; i++) {
				akko_log::Info("ring_test", {{"n", t * kEach + i}});
			}
		});
	}
	for (auto &thread : threads) {
		thread.join();
	}
	auto numbers = Numbers(kThreads * kEach);
	std::set<int64_t> seen(numbers.begin(), numbers.end());
	EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kEach));
	EXPECT_EQ(*seen.begin(), 0);
	EXPECT_EQ(*seen.rbegin(), kThreads * kEach - 1);
}
