#pragma once
// Pieces of the Prometheus text format 0.0.4, for families and collectors.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace akko::obs {

// "# HELP name help" (help escaped) and "# TYPE name type" lines.
void AppendHeader(std::string &out, std::string_view name, std::string_view help, std::string_view type);
// Go's float text, as Prometheus parses it: shortest round trip, +Inf, -Inf, NaN.
void AppendNumber(std::string &out, double value);
// {a="x",b="y"} with values escaped; nothing for no labels. `extra` is appended last
// (the histogram's le).
void AppendLabels(std::string &out, const std::vector<std::string> &names, const std::vector<std::string> &values,
                  const std::pair<std::string_view, std::string_view> *extra = nullptr);
// name{labels} value
void AppendSample(std::string &out, std::string_view name, std::string_view labels, double value);

} // namespace akko::obs
