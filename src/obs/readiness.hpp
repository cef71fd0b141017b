#pragma once
// Readiness: named checks the server registers (engine, metastore, listeners), run on
// each /ready request.
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace akko::obs {

class ReadinessChecks {
public:
	// A check returns when healthy and throws (any std::exception) with the reason when not.
	// It runs on a worker thread and should answer within a few hundred milliseconds.
	using Check = std::function<void()>;

	struct Result {
		std::string name;
		bool ok = false;
		double latency_ms = 0;
		std::string error; // empty when ok
	};

	// Replaces a check of the same name. Safe while checks run.
	void Add(std::string name, Check check);
	// Runs every check, in registration order.
	std::vector<Result> Run() const;

private:
	mutable std::mutex lock;
	std::vector<std::pair<std::string, Check>> checks;
};

} // namespace akko::obs
