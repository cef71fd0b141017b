#include "obs/exposition.hpp"

#include <cmath>
#include <fmt/format.h>

namespace akko::obs {

namespace {
// HELP text escapes backslash and line feed; label values also escape the double quote.
void AppendEscaped(std::string &out, std::string_view text, bool quote) {
	for (char c : text) {
		if (c == '\\') {
			out += "\\\\";
		} else if (c == '\n') {
			out += "\\n";
		} else if (quote && c == '"') {
			out += "\\\"";
		} else {
			out += c;
		}
	}
}

void AppendLabel(std::string &out, std::string_view name, std::string_view value) {
	out += out.back() == '{' ? "" : ",";
	out += name;
	out += "=\"";
	AppendEscaped(out, value, true);
	out += '"';
}
} // namespace

void AppendHeader(std::string &out, std::string_view name, std::string_view help, std::string_view type) {
	out += "# HELP ";
	out += name;
	out += ' ';
	AppendEscaped(out, help, false);
	out += "\n# TYPE ";
	out += name;
	out += ' ';
	out += type;
	out += '\n';
}

void AppendNumber(std::string &out, double value) {
	if (std::isnan(value)) {
		out += "NaN";
	} else if (std::isinf(value)) {
		out += value > 0 ? "+Inf" : "-Inf";
	} else {
		fmt::format_to(std::back_inserter(out), "{}", value);
	}
}

void AppendLabels(std::string &out, const std::vector<std::string> &names, const std::vector<std::string> &values,
                  const std::pair<std::string_view, std::string_view> *extra) {
	if (names.empty() && !extra) {
		return;
	}
	out += '{';
	for (size_t i = 0; i < names.size(); i++) {
		AppendLabel(out, names[i], values[i]);
	}
	if (extra) {
		AppendLabel(out, extra->first, extra->second);
	}
	out += '}';
}

void AppendSample(std::string &out, std::string_view name, std::string_view labels, double value) {
	out += name;
	out += labels;
	out += ' ';
	AppendNumber(out, value);
	out += '\n';
}

} // namespace akko::obs
