#include "adapters/http_api/result_encoder.hpp"
#include "sql/value_text.hpp"

namespace akko::http_api {

namespace {

void AppendField(std::string &out, std::string_view text) {
	// An empty string is quoted, so it differs from NULL (an empty field).
	bool quote = text.empty() || text.find_first_of(",\"\r\n") != std::string_view::npos;
	if (!quote) {
		out += text;
		return;
	}
	out += '"';
	for (char c : text) {
		if (c == '"') {
			out += '"';
		}
		out += c;
	}
	out += '"';
}

class CsvResultEncoder : public ResultEncoder {
public:
	const char *ContentType() const override {
		return "text/csv; charset=utf-8; header=present";
	}

	void Begin(std::string &out, const std::vector<engine::Column> &columns) override {
		for (size_t i = 0; i < columns.size(); i++) {
			if (i) {
				out += ',';
			}
			AppendField(out, columns[i].name);
		}
		if (!columns.empty()) {
			out += "\r\n";
		}
	}

	void Row(std::string &out, const engine::ResultChunk &chunk, uint64_t row) override {
		auto &columns = chunk.Columns();
		for (size_t i = 0; i < columns.size(); i++) {
			if (i) {
				out += ',';
			}
			if (columns[i].IsNull(row)) {
				continue;
			}
			text.clear();
			sql::AppendValueText(text, columns[i], row);
			AppendField(out, text);
		}
		out += "\r\n";
	}

	void End(std::string &out, const std::string &command, uint64_t row_count, double elapsed_ms) override {
	}

	bool Fail(std::string &out, const akko::Error &error) override {
		return false;
	}

private:
	std::string text;
};

} // namespace

std::unique_ptr<ResultEncoder> MakeCsvEncoder() {
	return std::make_unique<CsvResultEncoder>();
}

} // namespace akko::http_api
