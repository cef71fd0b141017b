#include "obs/readiness.hpp"

#include <chrono>
#include <exception>

namespace akko::obs {

void ReadinessChecks::Add(std::string name, Check check) {
	std::lock_guard<std::mutex> guard(lock);
	for (auto &entry : checks) {
		if (entry.first == name) {
			entry.second = std::move(check);
			return;
		}
	}
	checks.emplace_back(std::move(name), std::move(check));
}

std::vector<ReadinessChecks::Result> ReadinessChecks::Run() const {
	std::vector<std::pair<std::string, Check>> current;
	{
		// Copied so a slow check does not hold up Add.
		std::lock_guard<std::mutex> guard(lock);
		current = checks;
	}
	std::vector<Result> results;
	for (auto &[name, check] : current) {
		Result result;
		result.name = name;
		auto start = std::chrono::steady_clock::now();
		try {
			check();
			result.ok = true;
		} catch (const std::exception &error) {
			result.error = error.what();
		} catch (...) {
			result.error = "unknown failure";
		}
		result.latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
		results.push_back(std::move(result));
	}
	return results;
}

} // namespace akko::obs
