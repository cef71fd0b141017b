#pragma once
// Structured logs: one JSON object per line, {"ts", "level", "event", ...fields}.
#include <nlohmann/json_fwd.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace akko::log {

enum class Level { Trace, Debug, Info, Warn, Error };

// Called once at start-up; before it, lines go to standard error at info level.
void Init(const std::string &level, const std::string &file);
bool Enabled(Level level);
void Write(Level level, std::string_view event, const nlohmann::json &fields);

void Info(std::string_view event, const nlohmann::json &fields);
void Warn(std::string_view event, const nlohmann::json &fields);
void Error(std::string_view event, const nlohmann::json &fields);

// Beside its output, the log keeps its newest lines in memory for the cockpit's log view:
// at most kRecentLines; a line longer than kRecentLineBytes is kept as {"ts", "level", "event",
// "truncated": true, "text": its first kRecentLineBytes}. Newest first, at most `limit`.
inline constexpr size_t kRecentLines = 5000;
inline constexpr size_t kRecentLineBytes = 16 * 1024;
std::vector<std::string> Recent(size_t limit = kRecentLines);

} // namespace akko::log
