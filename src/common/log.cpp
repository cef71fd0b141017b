#include "common/log.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <mutex>
#include <nlohmann/json.hpp>

namespace akko::log {

namespace {
std::atomic<Level> min_level {Level::Info};
std::mutex output_lock;
FILE *output = stderr;
std::deque<std::string> recent; // under output_lock, newest last

std::string_view LevelName(Level level) {
	switch (level) {
	case Level::Trace:
		return "trace";
	case Level::Debug:
		return "debug";
	case Level::Info:
		return "info";
	case Level::Warn:
		return "warn";
	case Level::Error:
		return "error";
	}
	return "info";
}

std::string Timestamp() {
	auto now = std::chrono::system_clock::now();
	auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
	return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), micros);
}
} // namespace

void Init(const std::string &level, const std::string &file) {
	static const std::pair<std::string_view, Level> names[] = {
	    {"trace", Level::Trace}, {"debug", Level::Debug}, {"info", Level::Info}, {"warn", Level::Warn}, {"error", Level::Error}};
	bool known = false;
	for (auto &[name, value] : names) {
		if (name == level) {
			min_level = value;
			known = true;
		}
	}
	if (!known) {
		throw akko::Error(ErrorCode::ConfigurationError,
		                  fmt::format("log_level: \"{}\" is not one of trace, debug, info, warn, error", level));
	}
	if (!file.empty()) {
		FILE *f = std::fopen(file.c_str(), "a");
		if (!f) {
			throw akko::Error(ErrorCode::ConfigurationError, fmt::format("log_file: cannot open \"{}\"", file));
		}
		std::lock_guard<std::mutex> guard(output_lock);
		output = f;
	}
}

bool Enabled(Level level) {
	return level >= min_level.load(std::memory_order_relaxed);
}

void Write(Level level, std::string_view event, const nlohmann::json &fields) {
	if (!Enabled(level)) {
		return;
	}
	nlohmann::json line = {{"ts", Timestamp()}, {"level", LevelName(level)}, {"event", event}};
	if (fields.is_object()) {
		line.update(fields);
	}
	auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
	// The ring keeps a long line as a short one that still is JSON, with the level to filter on.
	auto kept = text.size() <= kRecentLineBytes
	                ? text
	                : nlohmann::json {{"ts", line["ts"]},
	                                  {"level", line["level"]},
	                                  {"event", event},
	                                  {"truncated", true},
	                                  {"text", text.substr(0, kRecentLineBytes)}}
	                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
	std::lock_guard<std::mutex> guard(output_lock);
	std::fwrite(text.data(), 1, text.size(), output);
	std::fputc('\n', output);
	std::fflush(output);
	if (recent.size() == kRecentLines) {
		recent.pop_front();
	}
	recent.push_back(std::move(kept));
}

std::vector<std::string> Recent(size_t limit) {
	std::lock_guard<std::mutex> guard(output_lock);
	return std::vector<std::string>(recent.rbegin(), recent.rbegin() + std::min(limit, recent.size()));
}

void Info(std::string_view event, const nlohmann::json &fields) {
	Write(Level::Info, event, fields);
}
void Warn(std::string_view event, const nlohmann::json &fields) {
	Write(Level::Warn, event, fields);
}
void Error(std::string_view event, const nlohmann::json &fields) {
	Write(Level::Error, event, fields);
}

} // namespace akko::log
