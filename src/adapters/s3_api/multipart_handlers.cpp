// Multipart uploads: create, upload a part (or copy one), complete, abort, list parts and uploads.
#include "adapters/s3_api/object_headers.hpp"
#include "adapters/s3_api/xml_writer.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "objstore/s3_xml.hpp"

#include <charconv>
#include <fmt/format.h>

namespace akko::s3_api {

namespace {

constexpr int kMaxPartNumber = 10000;
constexpr size_t kMaxListedParts = 1000;

int IntegerParam(const S3Request &request, const std::string &name, int low, int high, int fallback) {
	if (!request.Has(name)) {
		return fallback;
	}
	auto text = request.Param(name);
	int value = 0;
	auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (error != std::errc() || end != text.data() + text.size() || value < low || value > high) {
		throw S3Error(400, "InvalidArgument",
		              fmt::format("Argument {} must be an integer between {} and {}", name, low, high));
	}
	return value;
}

int PartNumber(const S3Request &request) {
	return IntegerParam(request, "partNumber", 1, kMaxPartNumber, 0);
}

void RequireUpload(S3Request &request) {
	RequireBucket(request);
	request.store.FindUpload(request.bucket, request.key, request.Param("uploadId"));
}

} // namespace

void CreateMultipartUpload(S3Request &request) {
	RequireBucket(request);
	auto upload_id = request.store.CreateUpload(request.bucket, request.key, AttributesFromHeaders(request));
	XmlWriter xml("InitiateMultipartUploadResult");
	xml.Element("Bucket", request.bucket).Element("Key", request.key).Element("UploadId", upload_id);
	request.Send(200, xml.Finish());
}

void UploadPart(S3Request &request) {
	auto part_number = PartNumber(request);
	RequireUpload(request);
	auto writer = request.store.CreatePart(request.bucket, request.key, request.Param("uploadId"), part_number);
	ReceiveInto(request, *writer);
	writer->Commit({});
	net::HttpHeaders headers {{"ETag", QuotedEtag(writer->Md5Hex())}};
	for (auto &[algorithm, value] : request.checksums) {
		headers.emplace_back("x-amz-checksum-" + algorithm, value);
	}
	request.Send(200, "", std::move(headers), "");
}

void UploadPartCopy(S3Request &request) {
	auto part_number = PartNumber(request);
	RequireUpload(request);
	auto reader = OpenCopySource(request, ParseCopySource(request));
	auto size = reader->Version().size;
	uint64_t first = 0;
	uint64_t length = size;
	if (auto range_header = request.http.Header("x-amz-copy-source-range"); !range_header.empty()) {
		auto range = ParseRange(range_header, size);
		if (!range || range_header.substr(6).starts_with('-') || range_header.ends_with('-')) {
			throw S3Error(400, "InvalidArgument",
			              "The x-amz-copy-source-range value must be of the form bytes=first-last where first and "
			              "last are the zero-based offsets of the first and last bytes to copy");
		}
		first = range->first;
		length = range->last - range->first + 1;
	}
	auto writer = request.store.CreatePart(request.bucket, request.key, request.Param("uploadId"), part_number);
	CopyInto(*reader, first, length, *writer);
	writer->Commit({});
	XmlWriter xml("CopyPartResult");
	xml.Element("LastModified", IsoDate(reader->Version().modified_unix_ms))
	    .Element("ETag", QuotedEtag(writer->Md5Hex()));
	request.Send(200, xml.Finish());
}

void CompleteMultipartUpload(S3Request &request) {
	RequireUpload(request);
	auto upload_id = request.Param("uploadId");
	auto parsed = objstore::ParseCompleteMultipartUpload(request.ReadSmallBody(4 * 1024 * 1024));
	if (!parsed || parsed->empty()) {
		throw S3Error(400, "MalformedXML",
		              "The XML you provided was not well-formed or did not validate against our published schema.");
	}
	auto stored = request.store.ListParts(request.bucket, request.key, upload_id);
	std::map<int, const objstore::PartInfo *> by_number;
	for (auto &part : stored) {
		by_number[part.part_number] = &part;
	}
	// The order is a property of the whole list, so it is judged before any single part is.
	int previous = 0;
	for (auto &part : *parsed) {
		if (part.part_number <= previous) {
			throw S3Error(400, "InvalidPartOrder",
			              "The list of parts was not in ascending order. The parts list must be specified in order "
			              "by part number.");
		}
		previous = part.part_number;
	}
	std::vector<int> numbers;
	for (size_t i = 0; i < parsed->size(); i++) {
		auto &part = (*parsed)[i];
		auto found = by_number.find(part.part_number);
		if (found == by_number.end() || found->second->etag != UnquotedEtag(part.etag)) {
			throw S3Error(400, "InvalidPart",
			              fmt::format("One or more of the specified parts could not be found. The part may not have "
			                          "been uploaded, or the specified entity tag may not match the part's entity "
			                          "tag (part {}).",
			                          part.part_number));
		}
		if (i + 1 < parsed->size() && found->second->size < request.options.min_part_size) {
			throw S3Error(400, "EntityTooSmall",
			              fmt::format("Your proposed upload is smaller than the minimum allowed object size: part {} "
			                          "has {} bytes, and every part but the last needs {}.",
			                          part.part_number, found->second->size, request.options.min_part_size));
		}
		numbers.push_back(part.part_number);
	}
	auto version =
	    request.store.CompleteUpload(request.bucket, request.key, upload_id, numbers, WriteConditions(request));
	XmlWriter xml("CompleteMultipartUploadResult");
	xml.Element("Location", fmt::format("/{}/{}", request.bucket, request.key))
	    .Element("Bucket", request.bucket)
	    .Element("Key", request.key)
	    .Element("ETag", QuotedEtag(version.etag));
	request.Send(200, xml.Finish());
}

void AbortMultipartUpload(S3Request &request) {
	RequireBucket(request);
	request.store.AbortUpload(request.bucket, request.key, request.Param("uploadId"));
	request.Send(204, "", {}, "");
}

void ListParts(S3Request &request) {
	auto upload_id = request.Param("uploadId");
	RequireUpload(request);
	auto marker = IntegerParam(request, "part-number-marker", 0, kMaxPartNumber, 0);
	auto max_parts = static_cast<size_t>(IntegerParam(request, "max-parts", 0, INT32_MAX, kMaxListedParts));
	max_parts = std::min(max_parts, kMaxListedParts);
	auto parts = request.store.ListParts(request.bucket, request.key, upload_id);
	XmlWriter xml("ListPartsResult");
	xml.Element("Bucket", request.bucket).Element("Key", request.key).Element("UploadId", upload_id);
	xml.Element("PartNumberMarker", std::to_string(marker));
	std::vector<const objstore::PartInfo *> page;
	bool truncated = false;
	for (auto &part : parts) {
		if (part.part_number <= marker) {
			continue;
		}
		if (page.size() == max_parts) {
			truncated = true;
			break;
		}
		page.push_back(&part);
	}
	if (!page.empty()) {
		xml.Element("NextPartNumberMarker", std::to_string(page.back()->part_number));
	}
	xml.Element("MaxParts", std::to_string(max_parts)).Element("IsTruncated", truncated ? "true" : "false");
	xml.Element("StorageClass", "STANDARD");
	for (auto *part : page) {
		xml.Open("Part")
		    .Element("PartNumber", std::to_string(part->part_number))
		    .Element("LastModified", IsoDate(part->modified_unix_ms))
		    .Element("ETag", QuotedEtag(part->etag))
		    .Element("Size", std::to_string(part->size))
		    .Close();
	}
	request.Send(200, xml.Finish());
}

void ListMultipartUploads(S3Request &request) {
	RequireBucket(request);
	auto prefix = request.Param("prefix");
	auto key_marker = request.Param("key-marker");
	auto id_marker = request.Param("upload-id-marker");
	auto max_uploads = static_cast<size_t>(IntegerParam(request, "max-uploads", 0, INT32_MAX, 1000));
	max_uploads = std::min<size_t>(max_uploads, 1000);
	XmlWriter xml("ListMultipartUploadsResult");
	xml.Element("Bucket", request.bucket)
	    .Element("KeyMarker", key_marker)
	    .Element("UploadIdMarker", id_marker)
	    .Element("Prefix", prefix);
	std::vector<objstore::UploadInfo> page;
	bool truncated = false;
	// After the marker: later keys, or the marker's key past the marker's upload id.
	bool past_id_marker = id_marker.empty();
	for (auto &upload : request.store.ListUploads(request.bucket, prefix)) {
		if (!key_marker.empty() && upload.key <= key_marker) {
			if (upload.key == key_marker && !past_id_marker) {
				past_id_marker = upload.upload_id == id_marker;
				continue;
			}
			if (upload.key < key_marker || id_marker.empty() || !past_id_marker) {
				continue;
			}
		}
		if (page.size() == max_uploads) {
			truncated = true;
			break;
		}
		page.push_back(std::move(upload));
	}
	if (!page.empty()) {
		xml.Element("NextKeyMarker", page.back().key).Element("NextUploadIdMarker", page.back().upload_id);
	}
	xml.Element("MaxUploads", std::to_string(max_uploads)).Element("IsTruncated", truncated ? "true" : "false");
	for (auto &upload : page) {
		xml.Open("Upload")
		    .Element("Key", upload.key)
		    .Element("UploadId", upload.upload_id)
		    .Open("Initiator")
		    .Element("ID", "akko")
		    .Element("DisplayName", "akko")
		    .Close()
		    .Open("Owner")
		    .Element("ID", "akko")
		    .Element("DisplayName", "akko")
		    .Close()
		    .Element("StorageClass", "STANDARD")
		    .Element("Initiated", IsoDate(upload.initiated_unix_ms))
		    .Close();
	}
	request.Send(200, xml.Finish());
}

} // namespace akko::s3_api
