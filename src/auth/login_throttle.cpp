#include "auth/login_throttle.hpp"

#include <algorithm>

namespace akko::auth {

namespace {

constexpr int kFreeFailures = 5;
constexpr std::chrono::seconds kWindow {60};
constexpr std::chrono::seconds kFirstBackoff {60};
constexpr std::chrono::seconds kMaxBackoff {15 * 60};

std::chrono::seconds Remaining(std::chrono::steady_clock::time_point until, std::chrono::steady_clock::time_point now) {
	if (until <= now) {
		return std::chrono::seconds(0);
	}
	// Rounded up: a client told "0" would retry at once and be refused.
	return std::chrono::ceil<std::chrono::seconds>(until - now);
}

} // namespace

LoginThrottle::LoginThrottle(Clock clock_p) : clock(std::move(clock_p)) {
	if (!clock) {
		clock = [] { return std::chrono::steady_clock::now(); };
	}
}

std::chrono::seconds LoginThrottle::RetryAfter(const std::string &user, const std::string &client) {
	auto now = clock();
	std::lock_guard<std::mutex> guard(lock);
	std::chrono::seconds wait {0};
	if (auto found = by_user.find(user); found != by_user.end()) {
		wait = std::max(wait, Remaining(found->second.locked_until, now));
	}
	if (auto found = by_client.find(client); found != by_client.end()) {
		wait = std::max(wait, Remaining(found->second.locked_until, now));
	}
	return wait;
}

void LoginThrottle::Failed(const std::string &user, const std::string &client) {
	auto now = clock();
	std::lock_guard<std::mutex> guard(lock);
	Prune(now);
	Fail(by_user, user, now);
	Fail(by_client, client, now);
}

void LoginThrottle::Succeeded(const std::string &user, const std::string &client) {
	std::lock_guard<std::mutex> guard(lock);
	by_user.erase(user);
	by_client.erase(client);
}

void LoginThrottle::Fail(std::unordered_map<std::string, Record> &records, const std::string &key,
                         std::chrono::steady_clock::time_point now) {
	auto &record = records[key];
	bool locked_before = record.backoff.count() > 0;
	if (!locked_before && now - record.window_start >= kWindow) {
		record.failures = 0;
		record.window_start = now;
	}
	record.failures++;
	if (locked_before) {
		record.backoff = std::min(record.backoff * 2, kMaxBackoff);
	} else if (record.failures >= kFreeFailures) {
		record.backoff = kFirstBackoff;
	} else {
		return;
	}
	record.locked_until = now + record.backoff;
}

// Records of keys nobody has failed with lately are dropped, so a guesser who cycles through
// made-up user names cannot grow the maps without bound.
void LoginThrottle::Prune(std::chrono::steady_clock::time_point now) {
	if (now < next_prune) {
		return;
	}
	next_prune = now + kWindow;
	for (auto *records : {&by_user, &by_client}) {
		std::erase_if(*records, [&](const auto &entry) {
			auto &record = entry.second;
			return record.locked_until + kMaxBackoff <= now && record.window_start + kWindow <= now;
		});
	}
}

} // namespace akko::auth
