// The service and bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
// GetBucketLocation, ListObjects (v1 and v2), DeleteObjects.
#include "adapters/s3_api/object_headers.hpp"
#include "adapters/s3_api/xml_writer.hpp"
#include "common/base64.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "objstore/s3_xml.hpp"
#include "objstore/sigv4.hpp"

#include <charconv>
#include <fmt/format.h>

namespace akko::s3_api {

namespace {

constexpr size_t kMaxKeysPerPage = 1000;
constexpr size_t kMaxDeleteKeys = 1000;

// AKKO is the one owner of everything it stores.
void Owner(XmlWriter &xml) {
	xml.Open("Owner").Element("ID", "akko").Element("DisplayName", "akko").Close();
}

size_t MaxKeys(const S3Request &request, const std::string &parameter) {
	if (!request.Has(parameter)) {
		return kMaxKeysPerPage;
	}
	auto text = request.Param(parameter);
	long long value = -1;
	auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (error != std::errc() || end != text.data() + text.size() || value < 0) {
		throw S3Error(400, "InvalidArgument", fmt::format("Argument {} must be an integer between 0 and 2147483647", parameter));
	}
	return std::min<size_t>(static_cast<size_t>(value), kMaxKeysPerPage);
}

// Continuation tokens are the page's last key, so that they stay valid across restarts;
// base64 keeps them opaque and URL-safe once encoded.
std::string DecodeContinuationToken(const std::string &token) {
	auto decoded = Base64Decode(token);
	if (!decoded || decoded->empty() || decoded->front() != 'k') {
		throw S3Error(400, "InvalidArgument", "The continuation token provided is incorrect");
	}
	return decoded->substr(1);
}

std::string EncodeContinuationToken(const std::string &last) {
	return Base64Encode("k" + last);
}

} // namespace

void ListBuckets(S3Request &request) {
	if (request.scoped) {
		throw S3Error(403, "AccessDenied", "Access Denied");
	}
	XmlWriter xml("ListAllMyBucketsResult");
	Owner(xml);
	xml.Open("Buckets");
	for (auto &bucket : request.store.ListBuckets()) {
		if (request.lists_bucket && !request.lists_bucket(bucket.name)) {
			continue;
		}
		xml.Open("Bucket").Element("Name", bucket.name).Element("CreationDate", IsoDate(bucket.created_unix_ms)).Close();
	}
	xml.Close();
	request.Send(200, xml.Finish());
}

void CreateBucket(S3Request &request) {
	auto body = request.ReadSmallBody(64 * 1024);
	auto location = objstore::ParseLocationConstraint(body);
	if (!location) {
		throw S3Error(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
	}
	if (!location->empty() && *location != request.options.region) {
		throw S3Error(400, "IllegalLocationConstraintException",
		              fmt::format("The {} location constraint is incompatible for the region specific endpoint this "
		                          "request was sent to ({}).",
		                          *location, request.options.region));
	}
	if (!request.store.CreateBucket(request.bucket)) {
		throw S3Error(409, "BucketAlreadyOwnedByYou",
		              "Your previous request to create the named bucket succeeded and you already own it.");
	}
	request.Send(200, "", {{"Location", "/" + request.bucket}}, "");
}

void HeadBucket(S3Request &request) {
	RequireBucket(request);
	request.Send(200, "", {{"x-amz-bucket-region", request.options.region}}, "");
}

void DeleteBucket(S3Request &request) {
	switch (request.store.DeleteBucket(request.bucket)) {
	case objstore::DeleteBucketResult::Deleted:
		return request.Send(204, "", {}, "");
	case objstore::DeleteBucketResult::NoSuchBucket:
		throw S3Error(404, "NoSuchBucket", "The specified bucket does not exist");
	case objstore::DeleteBucketResult::NotEmpty:
		throw S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty");
	}
}

void GetBucketLocation(S3Request &request) {
	RequireBucket(request);
	// us-east-1 is the empty constraint, as S3 answers it.
	auto region = request.options.region == "us-east-1" ? std::string() : request.options.region;
	auto body = fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint "
	                        "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{}</LocationConstraint>",
	                        objstore::XmlEscape(region));
	request.Send(200, std::move(body));
}

void GetBucketUnconfigured(S3Request &request, const std::string &subresource) {
	RequireBucket(request);
	if (subresource == "versioning") {
		XmlWriter xml("VersioningConfiguration");
		return request.Send(200, xml.Finish());
	}
	if (subresource == "acl") {
		// S3's default ACL: the owner, with full control. The grantee's type is an attribute,
		// which XmlWriter does not write.
		return request.Send(
		    200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AccessControlPolicy "
		         "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>akko</ID><DisplayName>akko</DisplayName>"
		         "</Owner><AccessControlList><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
		         "xsi:type=\"CanonicalUser\"><ID>akko</ID><DisplayName>akko</DisplayName></Grantee>"
		         "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>");
	}
	static const std::map<std::string, std::pair<std::string, std::string>> kMissing = {
	    {"policy", {"NoSuchBucketPolicy", "The bucket policy does not exist"}},
	    {"cors", {"NoSuchCORSConfiguration", "The CORS configuration does not exist"}},
	    {"lifecycle", {"NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"}},
	    {"tagging", {"NoSuchTagSet", "The TagSet does not exist"}},
	    {"website", {"NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"}},
	    {"encryption",
	     {"ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found"}},
	    {"object-lock",
	     {"ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"}},
	};
	if (auto missing = kMissing.find(subresource); missing != kMissing.end()) {
		throw S3Error(404, missing->second.first, missing->second.second);
	}
	throw S3Error(501, "NotImplemented", fmt::format("AKKO does not implement the bucket's {} subresource", subresource));
}

void ListObjects(S3Request &request, bool version_2) {
	RequireBucket(request);
	auto encoding = request.Param("encoding-type");
	if (!encoding.empty() && encoding != "url") {
		throw S3Error(400, "InvalidArgument", "Invalid Encoding Method specified in Request");
	}
	bool url = encoding == "url";
	auto encode = [url](const std::string &text) { return url ? objstore::UriEncode(text, true) : text; };

	objstore::ListRequest list;
	list.prefix = request.Param("prefix");
	list.delimiter = request.Param("delimiter");
	list.max_keys = MaxKeys(request, "max-keys");
	std::string token = request.Param("continuation-token");
	if (version_2) {
		list.start_after = request.Param("start-after");
		if (request.Has("continuation-token")) {
			list.start_after = std::max(list.start_after, DecodeContinuationToken(token));
		}
	} else {
		list.start_after = request.Param("marker");
	}
	objstore::ListPage page;
	if (list.max_keys > 0) {
		page = request.store.List(request.bucket, list);
	}
	bool fetch_owner = !version_2 || request.Param("fetch-owner") == "true";

	XmlWriter xml("ListBucketResult");
	xml.Element("Name", request.bucket).Element("Prefix", encode(list.prefix));
	if (version_2) {
		if (request.Has("continuation-token")) {
			xml.Element("ContinuationToken", token);
		}
		if (request.Has("start-after")) {
			xml.Element("StartAfter", encode(request.Param("start-after")));
		}
		xml.Element("KeyCount", std::to_string(page.objects.size() + page.common_prefixes.size()));
	} else {
		xml.Element("Marker", encode(list.start_after));
	}
	xml.Element("MaxKeys", std::to_string(list.max_keys));
	if (!list.delimiter.empty()) {
		xml.Element("Delimiter", encode(list.delimiter));
	}
	if (url) {
		xml.Element("EncodingType", "url");
	}
	xml.Element("IsTruncated", page.truncated ? "true" : "false");
	if (page.truncated) {
		if (version_2) {
			xml.Element("NextContinuationToken", EncodeContinuationToken(page.last));
		} else {
			xml.Element("NextMarker", encode(page.last));
		}
	}
	for (auto &object : page.objects) {
		xml.Open("Contents")
		    .Element("Key", encode(object.key))
		    .Element("LastModified", IsoDate(object.modified_unix_ms))
		    .Element("ETag", QuotedEtag(object.etag))
		    .Element("Size", std::to_string(object.size));
		if (fetch_owner) {
			Owner(xml);
		}
		xml.Element("StorageClass", "STANDARD").Close();
	}
	for (auto &prefix : page.common_prefixes) {
		xml.Open("CommonPrefixes").Element("Prefix", encode(prefix)).Close();
	}
	request.Send(200, xml.Finish());
}

void DeleteObjects(S3Request &request) {
	RequireBucket(request);
	auto body = request.ReadSmallBody(2 * 1024 * 1024);
	auto parsed = objstore::ParseDeleteObjects(body);
	if (!parsed || parsed->keys.empty() || parsed->keys.size() > kMaxDeleteKeys) {
		throw S3Error(400, "MalformedXML",
		              "The XML you provided was not well-formed or did not validate against our published schema.");
	}
	XmlWriter xml("DeleteResult");
	for (auto &key : parsed->keys) {
		try {
			request.RequireScope(request.bucket, key);
			if (key.empty() || key.size() > 1024) {
				throw S3Error(400, "KeyTooLongError", "Your key is too long or empty.");
			}
			request.store.Delete(request.bucket, key);
			if (!parsed->quiet) {
				xml.Open("Deleted").Element("Key", key).Close();
			}
		} catch (const S3Error &error) {
			xml.Open("Error").Element("Key", key).Element("Code", error.code).Element("Message", error.what()).Close();
		} catch (const Error &error) {
			auto code = error.code == ErrorCode::InvalidInput ? "InvalidArgument" : "InternalError";
			xml.Open("Error").Element("Key", key).Element("Code", code).Element("Message", error.what()).Close();
		}
	}
	request.Send(200, xml.Finish());
}

} // namespace akko::s3_api
