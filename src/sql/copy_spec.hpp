#pragma once
// COPY ... FROM STDIN / TO STDOUT: the options PostgreSQL accepts, and the row codecs.
#include "engine/result_chunk.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akko::sql {

struct CopySpec {
	enum class Format { Text, Csv, Binary } format = Format::Text;
	char delimiter = '\t';
	std::string null_string = "\\N";
	char quote = '"';
	char escape = '"';
	bool header = false;
	bool delimiter_given = false;
	bool null_set = false;
	bool escape_set = false;
	std::string table;                // COPY table ...
	std::vector<std::string> columns; // optional column list
	std::string query;                // COPY (query) TO STDOUT
};

// Parses "COPY ... FROM STDIN" / "COPY ... TO STDOUT"; nullopt when the statement is another COPY.
std::optional<CopySpec> ParseCopy(const std::string &sql, bool &from_stdin);

// Appends one row in the spec's text or CSV format, with its line end.
void AppendCopyRow(std::string &out, const CopySpec &spec, const std::vector<engine::ColumnView> &columns, uint64_t row);
void AppendCopyHeader(std::string &out, const CopySpec &spec, const std::vector<engine::Column> &columns);

// Splits incoming COPY data into rows of fields; keeps partial lines between calls.
class CopyRowParser {
public:
	explicit CopyRowParser(const CopySpec &spec_p) : spec(spec_p) {
	}
	// Feeds bytes; calls on_row(fields) for each complete row. Throws akko::Error on bad input.
	template <class F>
	void Feed(std::string_view data, F &&on_row) {
		pending.append(data);
		size_t consumed = 0;
		while (true) {
			auto end = FindRowEnd(consumed);
			if (end == std::string::npos) {
				break;
			}
			auto text = std::string_view(pending).substr(consumed, end - consumed);
			consumed = end + 1;
			if (IsEndMarker(text)) {
				continue;
			}
			ParseRow(text);
			if (skip_header) {
				skip_header = false;
				continue;
			}
			on_row(fields);
		}
		pending.erase(0, consumed);
	}
	// The input ended: a last row without a line end still counts.
	template <class F>
	void Finish(F &&on_row) {
		if (!pending.empty()) {
			pending += '\n';
			Feed({}, on_row);
		}
	}
	uint64_t LineNumber() const {
		return line;
	}

private:
	size_t FindRowEnd(size_t from) const;
	void ParseRow(std::string_view text);
	static bool IsEndMarker(std::string_view text);

	const CopySpec &spec;
	std::string pending;
	std::vector<std::optional<std::string_view>> fields;
	std::vector<std::string> storage;
	bool skip_header = spec.header;
	uint64_t line = 0;
};

} // namespace akko::sql
