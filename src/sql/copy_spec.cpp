#include "sql/copy_spec.hpp"

#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "sql/value_text.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace akko::sql {

namespace {

bool IsSymbol(const Token &token, char c) {
	return token.kind == Token::Kind::Symbol && token.text[0] == c;
}

char SingleChar(const std::string &option, const std::string &value) {
	if (value.size() != 1) {
		throw Error(ErrorCode::FeatureNotSupported, fmt::format("COPY {} must be a single one-byte character", option));
	}
	return value[0];
}

bool OptionBool(const Token *token) {
	if (!token) {
		return true;
	}
	auto text = ToLower(token->text);
	return !(text == "false" || text == "off" || text == "0");
}

void ApplyOption(CopySpec &spec, const std::string &name, const Token *value) {
	auto text = value ? value->text : std::string();
	if (name == "FORMAT") {
		auto format = ToLower(text);
		if (format == "csv") {
			spec.format = CopySpec::Format::Csv;
		} else if (format == "text") {
			spec.format = CopySpec::Format::Text;
		} else if (format == "binary") {
			spec.format = CopySpec::Format::Binary;
		} else {
			throw Error(ErrorCode::InvalidInput, fmt::format("COPY format \"{}\" not recognized", text));
		}
	} else if (name == "CSV") {
		spec.format = CopySpec::Format::Csv;
	} else if (name == "BINARY") {
		spec.format = CopySpec::Format::Binary;
	} else if (name == "DELIMITER") {
		spec.delimiter = SingleChar("delimiter", text);
		spec.delimiter_given = true;
	} else if (name == "NULL") {
		spec.null_string = text;
		spec.null_set = true;
	} else if (name == "HEADER") {
		spec.header = OptionBool(value);
	} else if (name == "QUOTE") {
		spec.quote = SingleChar("quote", text);
	} else if (name == "ESCAPE") {
		spec.escape = SingleChar("escape", text);
		spec.escape_set = true;
	} else if (name == "ENCODING") {
		auto encoding = ToLower(text);
		if (encoding != "utf8" && encoding != "utf-8" && encoding != "sql_ascii") {
			throw Error(ErrorCode::FeatureNotSupported, fmt::format("COPY encoding \"{}\" is not supported: use UTF8", text));
		}
	} else {
		throw Error(ErrorCode::SyntaxError, fmt::format("option \"{}\" not recognized", ToLower(name)));
	}
}

} // namespace

std::optional<CopySpec> ParseCopy(const std::string &sql, bool &from_stdin) {
	auto tokens = Tokenize(sql);
	if (tokens.size() < 4 || tokens[0].text != "COPY") {
		return std::nullopt;
	}
	CopySpec spec;
	size_t i = 1;
	if (IsSymbol(tokens[i], '(')) {
		int depth = 0;
		size_t open = i;
		for (; i < tokens.size(); i++) {
			depth += IsSymbol(tokens[i], '(') ? 1 : IsSymbol(tokens[i], ')') ? -1 : 0;
			if (depth == 0) {
				break;
			}
		}
		if (i == tokens.size()) {
			return std::nullopt;
		}
		spec.query = sql.substr(tokens[open].offset + 1, tokens[i].offset - tokens[open].offset - 1);
		i++;
	} else {
		while (i < tokens.size() && (tokens[i].kind == Token::Kind::Word || tokens[i].kind == Token::Kind::QuotedIdentifier)) {
			spec.table += QuoteIdentifier(IdentifierName(sql, tokens[i++]));
			if (i < tokens.size() && IsSymbol(tokens[i], '.')) {
				spec.table += '.';
				i++;
			} else {
				break;
			}
		}
		if (i < tokens.size() && IsSymbol(tokens[i], '(')) {
			for (i++; i < tokens.size() && !IsSymbol(tokens[i], ')'); i++) {
				if (!IsSymbol(tokens[i], ',')) {
					spec.columns.push_back(QuoteIdentifier(IdentifierName(sql, tokens[i])));
				}
			}
			i++;
		}
	}
	if (i + 1 >= tokens.size()) {
		return std::nullopt;
	}
	auto direction = tokens[i].text;
	auto endpoint = tokens[i + 1].text;
	if (!((direction == "FROM" && endpoint == "STDIN") || (direction == "TO" && endpoint == "STDOUT"))) {
		return std::nullopt;
	}
	from_stdin = direction == "FROM";
	i += 2;
	if (i < tokens.size() && tokens[i].text == "WITH") {
		i++;
	}
	if (i < tokens.size() && IsSymbol(tokens[i], '(')) {
		for (i++; i < tokens.size() && !IsSymbol(tokens[i], ')'); i++) {
			if (IsSymbol(tokens[i], ',')) {
				continue;
			}
			auto name = tokens[i].text;
			const Token *value = nullptr;
			if (i + 1 < tokens.size() && !IsSymbol(tokens[i + 1], ',') && !IsSymbol(tokens[i + 1], ')')) {
				value = &tokens[++i];
			}
			ApplyOption(spec, name, value);
		}
	} else {
		// The pre-9.0 syntax: COPY t FROM STDIN CSV HEADER DELIMITER ',' NULL ''
		for (; i < tokens.size(); i++) {
			auto name = tokens[i].text;
			const Token *value = nullptr;
			if ((name == "DELIMITER" || name == "NULL" || name == "QUOTE" || name == "ESCAPE") && i + 1 < tokens.size()) {
				value = &tokens[++i];
				if (name == "DELIMITER" || name == "NULL" || name == "QUOTE" || name == "ESCAPE") {
					if (value->text == "AS" && i + 1 < tokens.size()) {
						value = &tokens[++i];
					}
				}
			}
			ApplyOption(spec, name, value);
		}
	}
	if (spec.format == CopySpec::Format::Csv) {
		if (!spec.delimiter_given) {
			spec.delimiter = ',';
		}
		if (!spec.null_set) {
			spec.null_string.clear();
		}
		if (!spec.escape_set) {
			spec.escape = spec.quote;
		}
	}
	if (spec.format == CopySpec::Format::Binary) {
		throw Error(ErrorCode::FeatureNotSupported, "COPY BINARY is not supported: use FORMAT text or csv");
	}
	if (spec.table.empty() && spec.query.empty()) {
		throw Error(ErrorCode::SyntaxError, "COPY needs a table name or a (query)");
	}
	if (from_stdin && !spec.query.empty()) {
		throw Error(ErrorCode::SyntaxError, "COPY FROM STDIN needs a table, not a query");
	}
	return spec;
}

void AppendCopyHeader(std::string &out, const CopySpec &spec, const std::vector<engine::Column> &columns) {
	for (size_t i = 0; i < columns.size(); i++) {
		if (i) {
			out += spec.delimiter;
		}
		out += columns[i].name;
	}
	out += '\n';
}

void AppendCopyRow(std::string &out, const CopySpec &spec, const std::vector<engine::ColumnView> &columns, uint64_t row) {
	std::string value;
	for (size_t col = 0; col < columns.size(); col++) {
		if (col) {
			out += spec.delimiter;
		}
		auto &column = columns[col];
		if (column.IsNull(row)) {
			out += spec.null_string;
			continue;
		}
		value.clear();
		AppendValueText(value, column, row);
		if (spec.format == CopySpec::Format::Csv) {
			bool quote = value.empty() ? spec.null_string.empty() : value == spec.null_string;
			for (char c : value) {
				quote = quote || c == spec.delimiter || c == spec.quote || c == '\n' || c == '\r' || c == spec.escape;
			}
			if (!quote) {
				out += value;
				continue;
			}
			out += spec.quote;
			for (char c : value) {
				if (c == spec.quote || c == spec.escape) {
					out += spec.escape;
				}
				out += c;
			}
			out += spec.quote;
			continue;
		}
		for (char c : value) {
			switch (c) {
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
				if (c == spec.delimiter) {
					out += '\\';
				}
				out += c;
			}
		}
	}
	out += '\n';
}

size_t CopyRowParser::FindRowEnd(size_t from) const {
	if (spec.format != CopySpec::Format::Csv) {
		return pending.find('\n', from);
	}
	bool quoted = false;
	for (size_t i = from; i < pending.size(); i++) {
		char c = pending[i];
		if (quoted && c == spec.escape && spec.escape != spec.quote && i + 1 < pending.size()) {
			i++;
		} else if (c == spec.quote) {
			quoted = !quoted;
		} else if (c == '\n' && !quoted) {
			return i;
		}
	}
	return std::string::npos;
}

bool CopyRowParser::IsEndMarker(std::string_view text) {
	return text == "\\." || text == "\\.\r";
}

void CopyRowParser::ParseRow(std::string_view text) {
	line++;
	if (!text.empty() && text.back() == '\r') {
		text.remove_suffix(1);
	}
	fields.clear();
	storage.clear();
	storage.reserve(text.size() / 2 + 2);
	std::vector<bool> is_null;
	if (spec.format == CopySpec::Format::Csv) {
		size_t i = 0;
		while (true) {
			std::string field;
			bool quoted = false;
			while (i < text.size() && text[i] != spec.delimiter) {
				char c = text[i];
				if (c == spec.quote) {
					quoted = true;
					i++;
					while (i < text.size()) {
						if (text[i] == spec.escape && i + 1 < text.size() && text[i + 1] == spec.quote) {
							field += spec.quote;
							i += 2;
						} else if (text[i] == spec.escape && spec.escape != spec.quote && i + 1 < text.size() &&
						           text[i + 1] == spec.escape) {
							field += spec.escape;
							i += 2;
						} else if (text[i] == spec.quote) {
							i++;
							break;
						} else {
							field += text[i++];
						}
					}
				} else {
					field += c;
					i++;
				}
			}
			is_null.push_back(!quoted && field == spec.null_string);
			storage.push_back(std::move(field));
			if (i >= text.size()) {
				break;
			}
			i++;
		}
	} else {
		size_t i = 0;
		while (true) {
			std::string field;
			size_t start = i;
			while (i < text.size() && text[i] != spec.delimiter) {
				char c = text[i++];
				if (c != '\\' || i >= text.size()) {
					field += c;
					continue;
				}
				char e = text[i++];
				switch (e) {
				case 'n':
					field += '\n';
					break;
				case 'r':
					field += '\r';
					break;
				case 't':
					field += '\t';
					break;
				case 'b':
					field += '\b';
					break;
				case 'f':
					field += '\f';
					break;
				case 'v':
					field += '\v';
					break;
				case 'x':
					if (i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i]))) {
						int value = 0;
						for (int k = 0; k < 2 && i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i])); k++) {
							value = value * 16 + std::stoi(std::string(1, text[i++]), nullptr, 16);
						}
						field += static_cast<char>(value);
					} else {
						field += 'x';
					}
					break;
				default:
					if (e >= '0' && e <= '7') {
						int value = e - '0';
						for (int k = 0; k < 2 && i < text.size() && text[i] >= '0' && text[i] <= '7'; k++) {
							value = value * 8 + (text[i++] - '0');
						}
						field += static_cast<char>(value);
					} else {
						field += e;
					}
				}
			}
			is_null.push_back(text.substr(start, i - start) == spec.null_string);
			storage.push_back(std::move(field));
			if (i >= text.size()) {
				break;
			}
			i++;
		}
	}
	for (size_t k = 0; k < storage.size(); k++) {
		if (is_null[k]) {
			fields.emplace_back(std::nullopt);
		} else {
			fields.emplace_back(storage[k]);
		}
	}
}

} // namespace akko::sql
