#include "adapters/http_api/result_encoder.hpp"
#include "common/error.hpp"
#include "net/http_message.hpp"
#include "sql/value_text.hpp"

#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace akko::http_api {

namespace {

using engine::ColumnView;
using engine::TypeKind;

void AppendJsonString(std::string &out, std::string_view text) {
	static const char hex[] = "0123456789abcdef";
	out += '"';
	for (unsigned char c : text) {
		switch (c) {
		case '"':
			out += "\\\"";
			break;
		case '\\':
			out += "\\\\";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\r':
			out += "\\r";
			break;
		case '\t':
			out += "\\t";
			break;
		default:
			if (c < 0x20) {
				out += "\\u00";
				out += hex[c >> 4];
				out += hex[c & 0xF];
			} else {
				out += static_cast<char>(c);
			}
		}
	}
	out += '"';
}

template <class T>
void AppendFloat(std::string &out, const ColumnView &column, uint64_t row) {
	// JSON has no NaN or infinities: those go as PostgreSQL spells them, in a string.
	auto value = column.Get<T>(row);
	if (std::isfinite(value)) {
		sql::AppendValueText(out, column, row);
	} else {
		out += std::isnan(value) ? "\"NaN\"" : value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
	}
}

void AppendJsonValue(std::string &out, const ColumnView &column, uint64_t row) {
	if (column.IsNull(row)) {
		out += "null";
		return;
	}
	auto &type = *column.type;
	if (type.json && !column.strings.empty()) {
		// The engine renders these as JSON; a malformed one (a JSON column holding any
		// text) still must not break the document.
		auto text = column.strings[row];
		if (nlohmann::json::accept(text)) {
			out += text;
		} else {
			AppendJsonString(out, text);
		}
		return;
	}
	switch (type.kind) {
	case TypeKind::Boolean:
		out += column.Get<uint8_t>(row) ? "true" : "false";
		return;
	case TypeKind::TinyInt:
	case TypeKind::SmallInt:
	case TypeKind::Integer:
	case TypeKind::BigInt:
	case TypeKind::HugeInt:
	case TypeKind::UTinyInt:
	case TypeKind::USmallInt:
	case TypeKind::UInteger:
	case TypeKind::UBigInt:
	case TypeKind::UHugeInt:
	case TypeKind::Decimal:
		// Exact digits: a reader that wants them all can have them.
		sql::AppendValueText(out, column, row);
		return;
	case TypeKind::Float:
		AppendFloat<float>(out, column, row);
		return;
	case TypeKind::Double:
		AppendFloat<double>(out, column, row);
		return;
	case TypeKind::List:
	case TypeKind::Array:
		if (column.lists && column.children.size() == 1) {
			auto entry = column.lists[row];
			out += '[';
			for (uint64_t i = 0; i < entry.length; i++) {
				if (i) {
					out += ',';
				}
				AppendJsonValue(out, column.children[0], entry.offset + i);
			}
			out += ']';
			return;
		}
		break;
	default:
		break;
	}
	std::string text;
	sql::AppendValueText(text, column, row);
	AppendJsonString(out, text);
}

class JsonResultEncoder : public ResultEncoder {
public:
	const char *ContentType() const override {
		return "application/json";
	}

	void Begin(std::string &out, const std::vector<engine::Column> &columns) override {
		out += "{\"columns\":[";
		for (size_t i = 0; i < columns.size(); i++) {
			out += i ? ",{\"name\":" : "{\"name\":";
			AppendJsonString(out, columns[i].name);
			out += ",\"type\":";
			AppendJsonString(out, columns[i].type.name);
			out += '}';
		}
		out += "],\"rows\":[";
	}

	void Row(std::string &out, const engine::ResultChunk &chunk, uint64_t row) override {
		out += first_row ? "\n[" : ",\n[";
		first_row = false;
		auto &columns = chunk.Columns();
		for (size_t i = 0; i < columns.size(); i++) {
			if (i) {
				out += ',';
			}
			AppendJsonValue(out, columns[i], row);
		}
		out += ']';
	}

	void End(std::string &out, const std::string &command, uint64_t row_count, double elapsed_ms) override {
		out += "],\"row_count\":";
		out += std::to_string(row_count);
		out += ",\"command\":";
		AppendJsonString(out, command);
		fmt::format_to(std::back_inserter(out), ",\"elapsed_ms\":{:.3f}}}\n", elapsed_ms);
	}

	bool Fail(std::string &out, const akko::Error &error) override {
		// The error document's member goes where the counts would have: {"error":{...}}
		// becomes ],"error":{...}}.
		out += "],";
		out += std::string_view(net::ErrorResponse(error).body).substr(1);
		out += '\n';
		return true;
	}

private:
	bool first_row = true;
};

} // namespace

std::unique_ptr<ResultEncoder> MakeJsonEncoder() {
	return std::make_unique<JsonResultEncoder>();
}

} // namespace akko::http_api
