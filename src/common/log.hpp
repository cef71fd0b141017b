#pragma once
// Structured logs: one JSON object per line, {"ts", "level", "event", ...fields}.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace akko::log {

enum class Level { Trace, Debug, Info, Warn, Error };

// Called once at start-up; before it, lines go to standard error at info level.
void Init(const std::string &level, const std::string &file);
bool Enabled(Level level);
void Write(Level level, std::string_view event, const nlohmann::json &fields);

void Info(std::string_view event, const nlohmann::json &fields);
void Warn(std::string_view event, const nlohmann::json &fields);
void Error(std::string_view event, const nlohmann::json &fields);

} // namespace akko::log
