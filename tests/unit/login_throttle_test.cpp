// The login throttle's schedule, as issue 6 states it: five failures within 60 s lock a user
// or address out for a backoff that doubles up to 15 min; success resets.
#include "auth/login_throttle.hpp"

#include <gtest/gtest.h>

using akko::auth::LoginThrottle;
using namespace std::chrono_literals;

namespace {

class LoginThrottleTest : public testing::Test {
protected:
	std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point() + 1000h;
	LoginThrottle throttle {[this] { return now; }};
};

TEST_F(LoginThrottleTest, LocksAfterFiveFailuresAndDoubles) {
	for (int i = 0; i < 4; i++) {
		throttle.Failed("alice", "10.0.0.1");
		EXPECT_EQ(throttle.RetryAfter("alice", "10.0.0.1"), 0s);
	}
	throttle.Failed("alice", "10.0.0.1");
	EXPECT_EQ(throttle.RetryAfter("alice", "10.0.0.1"), 60s);
	// Per user and per address: another address for alice is locked too, as is bob from there.
	EXPECT_EQ(throttle.RetryAfter("alice", "10.0.0.2"), 60s);
	EXPECT_EQ(throttle.RetryAfter("bob", "10.0.0.1"), 60s);
	EXPECT_EQ(throttle.RetryAfter("bob", "10.0.0.2"), 0s);
	now += 61s;
	EXPECT_EQ(throttle.RetryAfter("alice", "10.0.0.1"), 0s);
	throttle.Failed("alice", "10.0.0.1");
	EXPECT_EQ(throttle.RetryAfter("alice", "10.0.0.1"), 120s);
	for (int i = 0; i < 10; i++) {
		now += 16min;
		throttle.Failed("alice", "10.0.0.1");
	}
	EXPECT_EQ(throttle.RetryAfter("alice", "10.0.0.1"), 15min);
}

TEST_F(LoginThrottleTest, FailuresSpreadBeyondTheWindowDoNotLock) {
	for (int i = 0; i < 10; i++) {
		throttle.Failed("alice", "10.0.0.1");
		now += 15s;
	}
	EXPECT_EQ(throttle.RetryAfter("alice", "10.0.0.1"), 0s);
}

TEST_F(LoginThrottleTest, SuccessResets) {
	for (int i = 0; i < 4; i++) {
		throttle.Failed("alice", "10.0.0.1");
	}
	throttle.Succeeded("alice", "10.0.0.1");
	throttle.Failed("alice", "10.0.0.1");
	EXPECT_EQ(throttle.RetryAfter("alice", "10.0.0.1"), 0s);
}

} // namespace
