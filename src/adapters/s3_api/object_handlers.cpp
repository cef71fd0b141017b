// PutObject, GetObject and HeadObject, DeleteObject, CopyObject.
#include "adapters/s3_api/object_headers.hpp"
#include "adapters/s3_api/xml_writer.hpp"
#include "common/error.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace akko::s3_api {

namespace {

// Response headers GET may override with response-* parameters of a signed request.
constexpr std::pair<const char *, const char *> kResponseOverrides[] = {
    {"response-content-type", "Content-Type"},
    {"response-content-language", "Content-Language"},
    {"response-expires", "Expires"},
    {"response-cache-control", "Cache-Control"},
    {"response-content-disposition", "Content-Disposition"},
    {"response-content-encoding", "Content-Encoding"},
};

constexpr const char *kDefaultContentType = "binary/octet-stream";

void AddChecksumHeaders(net::HttpHeaders &headers, const std::map<std::string, std::string> &checksums) {
	for (auto &[algorithm, value] : checksums) {
		headers.emplace_back("x-amz-checksum-" + algorithm, value);
	}
}

} // namespace

void PutObject(S3Request &request) {
	RequireBucket(request);
	auto check = WriteConditions(request);
	auto attributes = AttributesFromHeaders(request);
	auto writer = request.store.Create(request.bucket, request.key);
	ReceiveInto(request, *writer);
	attributes.checksums = request.checksums;
	auto version = writer->Commit(attributes, check);
	net::HttpHeaders headers {{"ETag", QuotedEtag(version.etag)}};
	AddChecksumHeaders(headers, version.attributes.checksums);
	request.Send(200, "", std::move(headers), "");
}

void GetObject(S3Request &request, bool head) {
	RequireBucket(request);
	auto reader = request.store.Open(request.bucket, request.key);
	if (!reader) {
		throw S3Error(404, "NoSuchKey", "The specified key does not exist.");
	}
	auto &version = reader->Version();
	CheckReadConditions(request, version, false);
	auto range = ParseRange(request.http.Header("range"), version.size);
	auto headers = ObjectHeaders(version);
	auto content_type = version.attributes.content_headers.count("content-type")
	                        ? version.attributes.content_headers.at("content-type")
	                        : std::string(kDefaultContentType);
	for (auto [parameter, header] : kResponseOverrides) {
		if (request.Has(parameter)) {
			auto value = request.Param(parameter);
			if (std::any_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
				throw S3Error(400, "InvalidArgument", fmt::format("{} must not hold control characters", parameter));
			}
			if (std::string_view(header) == "Content-Type") {
				content_type = value;
				continue;
			}
			std::erase_if(headers, [&](auto &field) { return strcasecmp(field.first.c_str(), header) == 0; });
			headers.emplace_back(header, value);
		}
	}
	if (!range && request.http.Header("x-amz-checksum-mode") == "ENABLED") {
		AddChecksumHeaders(headers, version.attributes.checksums);
	}
	uint64_t offset = range ? range->first : 0;
	uint64_t length = range ? range->last - range->first + 1 : version.size;
	int status = range ? 206 : 200;
	if (range) {
		headers.emplace_back("Content-Range", fmt::format("bytes {}-{}/{}", range->first, range->last, version.size));
	}
	headers.emplace_back("Content-Length", std::to_string(length));
	headers.emplace_back("x-amz-request-id", request.request_id);
	request.status = status;
	if (head || length == 0) {
		request.responder.Send(net::HttpResponse {status, content_type, std::move(headers), ""});
		return;
	}
	auto &stream = request.responder.Stream(status, content_type, std::move(headers));
	std::string buffer(1024 * 1024, '\0');
	while (length > 0) {
		auto n = reader->Read(offset, buffer.data(), std::min<uint64_t>(length, buffer.size()));
		if (n == 0) {
			// The version we opened cannot shrink; a short read means the disk failed us.
			stream.Abort();
			return;
		}
		if (!stream.Write(std::string_view(buffer.data(), n))) {
			return;
		}
		request.bytes_sent += n;
		offset += n;
		length -= n;
	}
	stream.Finish();
}

void DeleteObject(S3Request &request) {
	RequireBucket(request);
	request.store.Delete(request.bucket, request.key);
	request.Send(204, "", {}, "");
}

void CopyObject(S3Request &request) {
	RequireBucket(request);
	auto source = ParseCopySource(request);
	auto reader = OpenCopySource(request, source);
	auto directive = request.http.Header("x-amz-metadata-directive");
	if (!directive.empty() && directive != "COPY" && directive != "REPLACE") {
		throw S3Error(400, "InvalidArgument", "Unknown metadata directive.");
	}
	bool replace = directive == "REPLACE";
	if (!replace && source.bucket == request.bucket && source.key == request.key) {
		throw S3Error(400, "InvalidRequest",
		              "This copy request is illegal because it is trying to copy an object to itself without "
		              "changing the object's metadata, storage class, website redirect location or encryption "
		              "attributes.");
	}
	auto &from = reader->Version();
	auto attributes = replace ? AttributesFromHeaders(request) : from.attributes;
	auto writer = request.store.Create(request.bucket, request.key);
	CopyInto(*reader, 0, from.size, *writer);
	auto version = writer->Commit(attributes, WriteConditions(request));
	XmlWriter xml("CopyObjectResult");
	xml.Element("LastModified", IsoDate(version.modified_unix_ms)).Element("ETag", QuotedEtag(version.etag));
	request.Send(200, xml.Finish());
}

} // namespace akko::s3_api
