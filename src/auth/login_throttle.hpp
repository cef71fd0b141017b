#pragma once
// Slows password guessing: after 5 failed logins within 60 s for one user, or from one client
// address, further attempts are refused without checking the password, for a backoff that starts
// at 60 s and doubles with each further failure up to 15 min. A success clears the user's and the
// address's record. Shared by every protocol that takes a password.
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace akko::auth {

class LoginThrottle {
public:
	using Clock = std::function<std::chrono::steady_clock::time_point()>;

	// `clock_p` empty: the steady clock.
	explicit LoginThrottle(Clock clock_p = {});

	// Zero when the attempt may go ahead; otherwise how long the caller must wait.
	std::chrono::seconds RetryAfter(const std::string &user, const std::string &client);
	void Failed(const std::string &user, const std::string &client);
	void Succeeded(const std::string &user, const std::string &client);

private:
	struct Record {
		int failures = 0; // within the window, or since the lockout began
		std::chrono::steady_clock::time_point window_start;
		std::chrono::steady_clock::time_point locked_until;
		std::chrono::seconds backoff {0};
	};

	void Fail(std::unordered_map<std::string, Record> &records, const std::string &key,
	          std::chrono::steady_clock::time_point now);
	void Prune(std::chrono::steady_clock::time_point now);

	Clock clock;
	std::mutex lock;
	std::unordered_map<std::string, Record> by_user;
	std::unordered_map<std::string, Record> by_client;
	std::chrono::steady_clock::time_point next_prune;
};

} // namespace akko::auth
