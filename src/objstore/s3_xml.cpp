#include "objstore/s3_xml.hpp"

#include "common/error.hpp"

#include <charconv>
#include <ctime>
#include <fmt/format.h>

namespace akko::objstore {

namespace {

// The position just past the opening tag of the next element `name` at or after `from`, and
// where its content ends; nullopt when there is none. `<name/>` is an element with no content.
struct Element {
	std::string_view content;
	size_t end = 0; // past the closing tag
};

std::optional<Element> NextElement(std::string_view xml, std::string_view name, size_t from) {
	while (true) {
		auto open = xml.find('<', from);
		if (open == std::string_view::npos) {
			return std::nullopt;
		}
		auto rest = xml.substr(open + 1);
		if (rest.substr(0, name.size()) != name || rest.size() == name.size()) {
			from = open + 1;
			continue;
		}
		char after = rest[name.size()];
		if (after != '>' && after != '/' && after != ' ' && after != '\t' && after != '\n' && after != '\r') {
			from = open + 1;
			continue;
		}
		auto close = xml.find('>', open);
		if (close == std::string_view::npos) {
			return std::nullopt;
		}
		if (xml[close - 1] == '/') {
			return Element {std::string_view(), close + 1};
		}
		auto end_tag = fmt::format("</{}>", name);
		auto end = xml.find(end_tag, close + 1);
		if (end == std::string_view::npos) {
			return std::nullopt;
		}
		return Element {xml.substr(close + 1, end - close - 1), end + end_tag.size()};
	}
}

std::optional<std::string> Text(std::string_view xml, std::string_view name) {
	auto element = NextElement(xml, name, 0);
	if (!element) {
		return std::nullopt;
	}
	return XmlUnescape(element->content);
}

void AppendUtf8(std::string &out, uint32_t code) {
	if (code < 0x80) {
		out += static_cast<char>(code);
	} else if (code < 0x800) {
		out += static_cast<char>(0xC0 | (code >> 6));
		out += static_cast<char>(0x80 | (code & 0x3F));
	} else if (code < 0x10000) {
		out += static_cast<char>(0xE0 | (code >> 12));
		out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (code & 0x3F));
	} else {
		out += static_cast<char>(0xF0 | (code >> 18));
		out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
		out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (code & 0x3F));
	}
}

[[noreturn]] void Malformed(std::string_view what) {
	throw Error(ErrorCode::Internal, fmt::format("the S3 service sent a malformed {}", what));
}

} // namespace

std::string XmlUnescape(std::string_view text) {
	std::string out;
	out.reserve(text.size());
	for (size_t i = 0; i < text.size(); i++) {
		if (text[i] != '&') {
			out += text[i];
			continue;
		}
		auto semicolon = text.find(';', i);
		if (semicolon == std::string_view::npos) {
			out += text.substr(i);
			break;
		}
		auto entity = text.substr(i + 1, semicolon - i - 1);
		if (entity == "amp") {
			out += '&';
		} else if (entity == "lt") {
			out += '<';
		} else if (entity == "gt") {
			out += '>';
		} else if (entity == "quot") {
			out += '"';
		} else if (entity == "apos") {
			out += '\'';
		} else if (entity.size() > 1 && entity[0] == '#') {
			bool hex = entity[1] == 'x' || entity[1] == 'X';
			auto digits = entity.substr(hex ? 2 : 1);
			uint32_t code = 0;
			auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
			if (error != std::errc() || end != digits.data() + digits.size() || code > 0x10FFFF) {
				out += text.substr(i, semicolon - i + 1);
			} else {
				AppendUtf8(out, code);
			}
		} else {
			out += text.substr(i, semicolon - i + 1);
		}
		i = semicolon;
	}
	return out;
}

std::string XmlEscape(std::string_view text) {
	std::string out;
	for (char c : text) {
		switch (c) {
		case '&': out += "&amp;"; break;
		case '<': out += "&lt;"; break;
		case '>': out += "&gt;"; break;
		case '"': out += "&quot;"; break;
		case '\'': out += "&apos;"; break;
		default: out += c;
		}
	}
	return out;
}

std::optional<int64_t> ParseIso8601Millis(std::string_view text) {
	// YYYY-MM-DDTHH:MM:SS[.fff]Z
	if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':') {
		return std::nullopt;
	}
	auto number = [&](size_t at, size_t length) -> std::optional<int> {
		int value = 0;
		auto [end, error] = std::from_chars(text.data() + at, text.data() + at + length, value);
		if (error != std::errc() || end != text.data() + at + length) {
			return std::nullopt;
		}
		return value;
	};
	auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
	auto hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
	if (!year || !month || !day || !hour || !minute || !second) {
		return std::nullopt;
	}
	int millis = 0;
	size_t at = 19;
	if (text[at] == '.') {
		int scale = 100;
		for (at++; at < text.size() && text[at] >= '0' && text[at] <= '9'; at++) {
			millis += (text[at] - '0') * scale;
			scale /= 10;
		}
	}
	if (at != text.size() - 1 || text[at] != 'Z') {
		return std::nullopt;
	}
	std::tm tm {};
	tm.tm_year = *year - 1900;
	tm.tm_mon = *month - 1;
	tm.tm_mday = *day;
	tm.tm_hour = *hour;
	tm.tm_min = *minute;
	tm.tm_sec = *second;
	return static_cast<int64_t>(timegm(&tm)) * 1000 + millis;
}

std::optional<S3ErrorBody> ParseS3Error(std::string_view xml) {
	auto error = NextElement(xml, "Error", 0);
	if (!error) {
		return std::nullopt;
	}
	return S3ErrorBody {Text(error->content, "Code").value_or(""), Text(error->content, "Message").value_or("")};
}

S3ListPage ParseListObjectsV2(std::string_view xml) {
	auto result = NextElement(xml, "ListBucketResult", 0);
	if (!result) {
		Malformed("ListObjectsV2 answer (no ListBucketResult)");
	}
	S3ListPage page;
	// The result's own fields, read from what is outside every Contents element.
	std::string outside;
	size_t from = 0;
	while (auto contents = NextElement(result->content, "Contents", from)) {
		auto start = result->content.rfind("<Contents", contents->end - 1);
		outside += result->content.substr(from, start - from);
		from = contents->end;
		auto key = Text(contents->content, "Key");
		auto size = Text(contents->content, "Size");
		if (!key || !size) {
			Malformed("ListObjectsV2 answer (Contents without Key or Size)");
		}
		S3ListedObject object;
		object.key = std::move(*key);
		auto [end, error] = std::from_chars(size->data(), size->data() + size->size(), object.size);
		if (error != std::errc() || end != size->data() + size->size()) {
			Malformed(fmt::format("ListObjectsV2 answer (Size \"{}\")", *size));
		}
		if (auto modified = Text(contents->content, "LastModified")) {
			object.modified_unix_ms = ParseIso8601Millis(*modified).value_or(0);
		}
		page.objects.push_back(std::move(object));
	}
	outside += result->content.substr(from);
	std::string_view tail = outside;
	page.truncated = Text(tail, "IsTruncated").value_or("false") == "true";
	page.next_continuation_token = Text(tail, "NextContinuationToken").value_or("");
	if (page.truncated && page.next_continuation_token.empty()) {
		Malformed("ListObjectsV2 answer (truncated without NextContinuationToken)");
	}
	return page;
}

std::string ParseUploadId(std::string_view xml) {
	auto id = Text(xml, "UploadId");
	if (!id || id->empty()) {
		Malformed("InitiateMultipartUpload answer (no UploadId)");
	}
	return *id;
}

std::string CompleteMultipartUploadXml(const std::vector<std::string> &etags) {
	std::string out = "<CompleteMultipartUpload>";
	for (size_t i = 0; i < etags.size(); i++) {
		out += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1, XmlEscape(etags[i]));
	}
	out += "</CompleteMultipartUpload>";
	return out;
}

namespace {

// The elements `name` directly or indirectly in `xml`, in order.
std::vector<std::string_view> Elements(std::string_view xml, std::string_view name) {
	std::vector<std::string_view> found;
	size_t from = 0;
	while (auto element = NextElement(xml, name, from)) {
		found.push_back(element->content);
		from = element->end;
	}
	return found;
}

// A request body holds one document: its root, and nothing but blanks and an XML
// declaration around it.
std::optional<std::string_view> Root(std::string_view xml, std::string_view name) {
	auto element = NextElement(xml, name, 0);
	if (!element) {
		return std::nullopt;
	}
	auto after = xml.substr(element->end);
	if (after.find_first_not_of(" \t\r\n") != std::string_view::npos) {
		return std::nullopt;
	}
	return element->content;
}

} // namespace

std::optional<S3DeleteRequest> ParseDeleteObjects(std::string_view xml) {
	auto root = Root(xml, "Delete");
	if (!root) {
		return std::nullopt;
	}
	S3DeleteRequest request;
	for (auto object : Elements(*root, "Object")) {
		auto key = Text(object, "Key");
		if (!key) {
			return std::nullopt;
		}
		request.keys.push_back(std::move(*key));
	}
	auto quiet = Text(*root, "Quiet").value_or("false");
	if (quiet != "true" && quiet != "false") {
		return std::nullopt;
	}
	request.quiet = quiet == "true";
	return request;
}

std::optional<std::vector<S3CompletedPart>> ParseCompleteMultipartUpload(std::string_view xml) {
	auto root = Root(xml, "CompleteMultipartUpload");
	if (!root) {
		return std::nullopt;
	}
	std::vector<S3CompletedPart> parts;
	for (auto part : Elements(*root, "Part")) {
		auto number = Text(part, "PartNumber");
		auto etag = Text(part, "ETag");
		if (!number || !etag) {
			return std::nullopt;
		}
		S3CompletedPart completed;
		auto [end, error] = std::from_chars(number->data(), number->data() + number->size(), completed.part_number);
		if (error != std::errc() || end != number->data() + number->size()) {
			return std::nullopt;
		}
		completed.etag = std::move(*etag);
		parts.push_back(std::move(completed));
	}
	return parts;
}

std::optional<std::string> ParseLocationConstraint(std::string_view xml) {
	if (xml.find_first_not_of(" \t\r\n") == std::string_view::npos) {
		return std::string();
	}
	auto root = Root(xml, "CreateBucketConfiguration");
	if (!root) {
		return std::nullopt;
	}
	return Text(*root, "LocationConstraint").value_or("");
}

} // namespace akko::objstore
