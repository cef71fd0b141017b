#include "adapters/s3_api/s3_api.hpp"

#include "adapters/s3_api/object_headers.hpp"
#include "adapters/s3_api/s3_request.hpp"
#include "adapters/s3_api/table_locator.hpp"
#include "adapters/s3_api/xml_writer.hpp"
#include "auth/credential_vault.hpp"
#include "auth/user_directory.hpp"
#include "authz/access_control.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/log.hpp"
#include "common/random.hpp"
#include "common/url.hpp"
#include "net/http_server.hpp"
#include "objstore/store.hpp"
#include "obs/audit_log.hpp"
#include "obs/metrics.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <condition_variable>
#include <fmt/format.h>
#include <mutex>
#include <set>
#include <thread>

namespace akko::s3_api {

namespace {

constexpr std::chrono::hours kUploadSweepInterval {1};

struct S3Metrics {
	obs::CounterFamily &requests = obs::DefaultRegistry().AddCounter(
	    "aden_s3_requests_total", "S3 API requests answered, by operation and HTTP status.", {"operation", "status"});
	obs::HistogramFamily &duration = obs::DefaultRegistry().AddHistogram(
	    "aden_s3_request_duration_seconds", "S3 API request time in seconds, by operation.", {"operation"});
	obs::CounterFamily &received = obs::DefaultRegistry().AddCounter(
	    "aden_s3_received_bytes_total", "Object bytes the S3 API received, by operation.", {"operation"});
	obs::CounterFamily &sent = obs::DefaultRegistry().AddCounter(
	    "aden_s3_sent_bytes_total", "Object bytes the S3 API sent, by operation.", {"operation"});
};

S3Metrics &Metrics() {
	static S3Metrics metrics;
	return metrics;
}

int64_t SystemNow() {
	return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

// Subresources S3 keeps per bucket that AKKO does not: a GET answers as for a bucket that never
// had them set, anything else is not implemented.
constexpr const char *kUnconfiguredSubresources[] = {"versioning", "acl",        "policy",     "cors",
                                                     "lifecycle",  "encryption", "tagging",    "website",
                                                     "logging",    "replication", "object-lock", "notification",
                                                     "ownershipControls", "publicAccessBlock", "accelerate",
                                                     "requestPayment", "policyStatus", "analytics", "metrics",
                                                     "inventory", "intelligent-tiering", "versions"};

std::optional<std::string> UnconfiguredSubresource(const S3Request &request) {
	for (auto name : kUnconfiguredSubresources) {
		if (request.Has(name)) {
			return std::string(name);
		}
	}
	return std::nullopt;
}

[[noreturn]] void NotImplemented(const S3Request &request) {
	throw S3Error(501, "NotImplemented",
	              fmt::format("AKKO does not implement {} {} with these parameters", request.http.method,
	                          request.key.empty() ? "on a bucket" : "on an object"));
}

[[noreturn]] void MethodNotAllowed(const S3Request &request) {
	throw S3Error(405, "MethodNotAllowed",
	              fmt::format("The specified method {} is not allowed against this resource.", request.http.method));
}

// A vended credential reaches objects under its prefix, and the bucket only to find it, list
// under the prefix or delete keys under it in a batch.
void AuthorizeScope(const S3Request &request) {
	if (!request.scoped) {
		return;
	}
	if (!request.key.empty()) {
		return request.RequireScope(request.bucket, request.key);
	}
	auto &operation = request.operation;
	if (operation == "HeadBucket" || operation == "GetBucketLocation" || operation == "DeleteObjects") {
		return request.RequireScope(request.bucket, request.scope_path + "/");
	}
	if (operation == "ListObjects" || operation == "ListObjectsV2" || operation == "ListMultipartUploads") {
		return request.RequireScope(request.bucket, request.Param("prefix"));
	}
	throw S3Error(403, "AccessDenied",
	              fmt::format("Access Denied: this credential covers s3://{}/{} only", request.scope_bucket,
	                          request.scope_path));
}

[[noreturn]] void AccessDenied() {
	throw S3Error(403, "AccessDenied", "Access Denied");
}

// What a principal's own access key may reach (vended credentials are scoped instead): in the
// warehouse bucket, the objects of the tables it may use through files, by their privileges;
// elsewhere, what pg_read_server_files and pg_write_server_files allow; buckets themselves are
// made and dropped by superusers only.
class PrincipalGate {
public:
	PrincipalGate(const authz::AccessControl &access_p, TableLocator &locator_p, const std::string &warehouse_p,
	              authz::Principal principal_p)
	    : access(access_p), locator(locator_p), warehouse(warehouse_p), principal(std::move(principal_p)) {
	}

	void Check(S3Request &request) {
		static const std::set<std::string> reads = {"GetObject", "HeadObject"};
		static const std::set<std::string> writes = {"PutObject",         "CopyObject",   "UploadPart",
		                                             "UploadPartCopy",    "ListParts",    "CreateMultipartUpload",
		                                             "CompleteMultipartUpload", "AbortMultipartUpload"};
		static const std::set<std::string> listings = {"ListObjects", "ListObjectsV2"};
		auto &operation = request.operation;
		if (operation == "ListBuckets") {
			bool files = principal.Holds(authz::kReadFilesRole);
			auto warehouse_name = warehouse;
			request.lists_bucket = [files, warehouse_name](const std::string &bucket) {
				return bucket == warehouse_name || files;
			};
			return;
		}
		if (operation == "CreateBucket" || operation == "DeleteBucket") {
			AccessDenied();
		}
		if (operation == "CopyObject" || operation == "UploadPartCopy") {
			auto source = ParseCopySource(request);
			Object(source.bucket, source.key, Use::Read);
		}
		if (reads.count(operation)) {
			return Object(request.bucket, request.key, Use::Read);
		}
		if (writes.count(operation)) {
			return Object(request.bucket, request.key, Use::Write);
		}
		if (operation == "DeleteObject") {
			return Object(request.bucket, request.key, Use::Delete);
		}
		if (listings.count(operation)) {
			return Object(request.bucket, request.Param("prefix"), Use::Read);
		}
		if (operation == "ListMultipartUploads") {
			return Object(request.bucket, request.Param("prefix"), Use::Write);
		}
		if (operation == "HeadBucket" || operation == "GetBucketLocation") {
			// Finding the warehouse bucket tells nothing of what is in it.
			return request.bucket == warehouse ? void() : Files(Use::Read);
		}
		// DeleteObjects names its keys in the body: in the warehouse, superusers only.
		if (request.bucket == warehouse) {
			AccessDenied();
		}
		Files(operation == "DeleteObjects" ? Use::Write : Use::Read);
	}

private:
	enum class Use { Read, Write, Delete };

	void Files(Use use) const {
		if (!principal.Holds(use == Use::Read ? authz::kReadFilesRole : authz::kWriteFilesRole)) {
			AccessDenied();
		}
	}

	void Object(const std::string &bucket, const std::string &key, Use use) {
		if (bucket != warehouse) {
			return Files(use);
		}
		auto table = key.empty() ? std::nullopt : locator.Find(bucket + "/" + key);
		if (!table) {
			AccessDenied();
		}
		authz::Securable securable {table->namespace_name, table->name};
		auto privilege = use == Use::Read    ? authz::Privilege::Select
		                 : use == Use::Write ? authz::Privilege::Insert
		                                     : authz::Privilege::Delete;
		if (!access.MayOnTable(principal, privilege, securable)) {
			AccessDenied();
		}
		if (use == Use::Read) {
			// A row filter or column mask is applied by SQL only: the raw files would bypass it.
			auto restriction = access.RestrictionOn(principal, securable);
			if (!restriction.row_filter.empty() || !restriction.column_masks.empty()) {
				AccessDenied();
			}
		}
	}

	const authz::AccessControl &access;
	TableLocator &locator;
	const std::string &warehouse;
	authz::Principal principal;
};

using Authorizer = std::function<void(S3Request &)>;

// Picks the operation; every branch names it for the metrics before it runs.
void Route(S3Request &request, const Authorizer &authorize) {
	auto &method = request.http.method;
	auto run = [&](const char *operation, auto &&handler) {
		request.operation = operation;
		AuthorizeScope(request);
		authorize(request);
		handler();
	};
	if (request.bucket.empty()) {
		if (method == "GET") {
			return run("ListBuckets", [&] { ListBuckets(request); });
		}
		MethodNotAllowed(request);
	}
	if (request.key.empty()) {
		auto unconfigured = UnconfiguredSubresource(request);
		if (method == "PUT" && !unconfigured) {
			return run("CreateBucket", [&] { CreateBucket(request); });
		}
		if (method == "HEAD") {
			return run("HeadBucket", [&] { HeadBucket(request); });
		}
		if (method == "DELETE" && !unconfigured) {
			return run("DeleteBucket", [&] { DeleteBucket(request); });
		}
		if (method == "GET") {
			if (request.Has("location")) {
				return run("GetBucketLocation", [&] { GetBucketLocation(request); });
			}
			if (request.Has("uploads")) {
				return run("ListMultipartUploads", [&] { ListMultipartUploads(request); });
			}
			if (unconfigured) {
				return run("GetBucketSubresource", [&] { GetBucketUnconfigured(request, *unconfigured); });
			}
			if (request.Param("list-type") == "2") {
				return run("ListObjectsV2", [&] { ListObjects(request, true); });
			}
			return run("ListObjects", [&] { ListObjects(request, false); });
		}
		if (method == "POST" && request.Has("delete")) {
			return run("DeleteObjects", [&] { DeleteObjects(request); });
		}
		request.operation = "Unsupported";
		if (method == "PUT" || method == "DELETE" || method == "POST") {
			NotImplemented(request);
		}
		MethodNotAllowed(request);
	}
	bool multipart = request.Has("uploadId");
	bool copy = !request.http.Header("x-amz-copy-source").empty();
	if (method == "PUT") {
		if (multipart && request.Has("partNumber")) {
			if (copy) {
				return run("UploadPartCopy", [&] { UploadPartCopy(request); });
			}
			return run("UploadPart", [&] { UploadPart(request); });
		}
		if (!multipart && !request.Has("acl") && !request.Has("tagging") && !request.Has("retention") &&
		    !request.Has("legal-hold")) {
			if (copy) {
				return run("CopyObject", [&] { CopyObject(request); });
			}
			return run("PutObject", [&] { PutObject(request); });
		}
	} else if (method == "GET") {
		if (multipart) {
			return run("ListParts", [&] { ListParts(request); });
		}
		if (!request.Has("acl") && !request.Has("tagging") && !request.Has("torrent") && !request.Has("attributes") &&
		    !request.Has("retention") && !request.Has("legal-hold")) {
			return run("GetObject", [&] { GetObject(request, false); });
		}
	} else if (method == "HEAD") {
		return run("HeadObject", [&] { GetObject(request, true); });
	} else if (method == "DELETE") {
		if (multipart) {
			return run("AbortMultipartUpload", [&] { AbortMultipartUpload(request); });
		}
		if (!request.Has("tagging")) {
			return run("DeleteObject", [&] { DeleteObject(request); });
		}
	} else if (method == "POST") {
		if (request.Has("uploads")) {
			return run("CreateMultipartUpload", [&] { CreateMultipartUpload(request); });
		}
		if (multipart) {
			return run("CompleteMultipartUpload", [&] { CompleteMultipartUpload(request); });
		}
	} else {
		request.operation = "Unsupported";
		MethodNotAllowed(request);
	}
	request.operation = "Unsupported";
	NotImplemented(request);
}

// S3's answer for an akko::Error the store raised.
S3Error ToS3Error(const Error &error, const S3Request &request) {
	auto message = std::string(error.what());
	switch (error.code) {
	case ErrorCode::NotFound:
		if (message.find("NoSuchUpload") != std::string::npos) {
			return S3Error(404, "NoSuchUpload",
			               "The specified multipart upload does not exist. The upload ID might be invalid, or the "
			               "multipart upload might have been aborted or completed.");
		}
		if (!request.key.empty() && request.store.FindBucket(request.bucket)) {
			return S3Error(404, "NoSuchKey", "The specified key does not exist.");
		}
		return S3Error(404, "NoSuchBucket", "The specified bucket does not exist");
	case ErrorCode::InvalidInput:
		return S3Error(400, "InvalidArgument", message);
	case ErrorCode::PermissionDenied:
		return S3Error(403, "AccessDenied", message);
	case ErrorCode::ProtocolViolation:
		return S3Error(400, "RequestTimeout",
		               "Your socket connection to the server was not read from or written to within the timeout "
		               "period, or the request body was cut short.");
	default:
		log::Write(log::Level::Error, "s3_internal_error",
		           {{"operation", request.operation}, {"bucket", request.bucket}, {"key", request.key},
		            {"error", message}});
		return S3Error(500, "InternalError", "We encountered an internal error. Please try again.");
	}
}

void SendError(S3Request &request, const S3Error &error) {
	net::HttpHeaders headers;
	if (error.code == "InvalidRange" && !request.key.empty()) {
		if (auto version = request.store.Head(request.bucket, request.key)) {
			headers.emplace_back("Content-Range", fmt::format("bytes */{}", version->size));
		}
	}
	if (error.status == 304) {
		request.Send(304, "", std::move(headers), "");
		return;
	}
	std::string body;
	if (request.http.method != "HEAD") {
		XmlWriter xml("Error");
		xml.Element("Code", error.code).Element("Message", error.what());
		if (!request.key.empty()) {
			xml.Element("Key", request.key);
		}
		if (!request.bucket.empty()) {
			xml.Element("BucketName", request.bucket);
		}
		xml.Element("Resource", request.http.path).Element("RequestId", request.request_id);
		body = xml.Finish();
	}
	request.Send(error.status, std::move(body), std::move(headers));
}

} // namespace

struct S3Api::State {
	State(objstore::BucketStore &store_p, auth::UserDirectory &users_p,
	      std::shared_ptr<auth::CredentialVault> credentials_p, S3ApiOptions options_p)
	    : store(store_p), users(users_p), credentials(std::move(credentials_p)), options(std::move(options_p)) {
		if (!options.clock) {
			options.clock = SystemNow;
		}
		if (options.catalog) {
			locator = std::make_unique<TableLocator>(*options.catalog);
		}
	}

	// Bucket and key from the host (virtual-host style) or the path.
	void Address(S3Request &request) const {
		auto host = std::string(request.http.Header("host"));
		if (auto colon = host.rfind(':'); colon != std::string::npos && host.find(']') == std::string::npos) {
			host.resize(colon);
		}
		std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
		auto path = PercentDecode(request.http.path, false);
		if (path.empty() || path[0] != '/') {
			throw S3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
		}
		for (auto &domain : options.domains) {
			if (host.size() > domain.size() + 1 && host.ends_with(domain) &&
			    host[host.size() - domain.size() - 1] == '.') {
				request.bucket = host.substr(0, host.size() - domain.size() - 1);
				request.key = path.substr(1);
				return;
			}
		}
		auto slash = path.find('/', 1);
		request.bucket = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
		if (slash != std::string::npos) {
			request.key = path.substr(slash + 1);
		}
	}

	void Authenticate(S3Request &request) {
		auto signature = ParseRequestSignature(request.http);
		if (!signature) {
			throw S3Error(403, "AccessDenied", "Anonymous access is not allowed: sign requests with an akko access key.");
		}
		std::string secret;
		if (auto vended = credentials ? credentials->Find(signature->access_key_id) : std::nullopt) {
			if (signature->session_token != vended->session_token) {
				throw S3Error(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
			}
			secret = vended->secret_access_key;
			ScopeTo(request, vended->prefix);
			request.user = vended->user;
		} else if (auto key = users.FindAccessKey(signature->access_key_id)) {
			secret = key->secret;
			request.user = key->user;
		} else {
			throw S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
		}
		VerifyRequestSignature(request.http, *signature, secret, options.clock());
		request.signature = std::move(signature);
		request.secret = std::move(secret);
	}

	void AuthorizePrincipal(S3Request &request) {
		if (!options.access) {
			return;
		}
		auto principal = options.access->Resolve(request.user);
		request.roles.assign(principal.roles.begin(), principal.roles.end());
		if (request.scoped || principal.superuser) {
			return;
		}
		if (!locator) {
			throw Error(ErrorCode::Internal, "the S3 API's access control needs the catalog");
		}
		PrincipalGate(*options.access, *locator, options.warehouse_bucket, std::move(principal)).Check(request);
	}

	// A credential whose prefix names no bucket reaches nothing: a scope never fails open.
	static void ScopeTo(S3Request &request, std::string_view prefix) {
		request.scoped = true;
		while (prefix.ends_with('/')) {
			prefix.remove_suffix(1);
		}
		std::string key;
		try {
			key = objstore::KeyFromUri(prefix);
		} catch (const Error &) {
			throw S3Error(403, "AccessDenied", "Access Denied: this credential's location is not a warehouse path");
		}
		auto slash = key.find('/');
		request.scope_bucket = key.substr(0, slash);
		request.scope_path = slash == std::string::npos ? std::string() : key.substr(slash + 1);
	}

	void Serve(net::HttpRequest &http, net::HttpResponder &responder) {
		auto started = std::chrono::steady_clock::now();
		S3Request request(http, responder, store, options);
		request.request_id = Hex(RandomBytes(8));
		std::transform(request.request_id.begin(), request.request_id.end(), request.request_id.begin(),
		               [](unsigned char c) { return std::toupper(c); });
		request.operation = "Unknown";
		std::optional<S3Error> failure;
		bool audited = false;
		request.before_answer = [&] {
			if (!std::exchange(audited, true)) {
				Audit(request, started, failure ? &*failure : nullptr);
			}
		};
		try {
			try {
				request.query = ParseQuery(http.query);
				Address(request);
				Authenticate(request);
				if (!request.bucket.empty()) {
					try {
						objstore::BucketStore::ValidateBucketName(request.bucket);
					} catch (const Error &) {
						if (http.method == "PUT" && request.key.empty()) {
							throw S3Error(400, "InvalidBucketName", "The specified bucket is not valid.");
						}
						throw S3Error(404, "NoSuchBucket", "The specified bucket does not exist");
					}
				}
				if (request.key.size() > 1024) {
					throw S3Error(400, "KeyTooLongError", "Your key is too long: at most 1024 bytes.");
				}
				Route(request, [this](S3Request &routed) { AuthorizePrincipal(routed); });
			} catch (const Error &error) {
				throw ToS3Error(error, request);
			}
		} catch (const S3Error &error) {
			failure = error;
			if (request.status != 0) {
				request.before_answer();
				throw; // the response is under way: the server cuts it short
			}
			SendError(request, error);
		}
		request.before_answer(); // a streamed object's record, once its last byte is out
		auto &metrics = Metrics();
		metrics.requests.Labels({request.operation, std::to_string(request.status)}).Increment();
		metrics.duration.Labels({request.operation})
		    .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
		if (request.bytes_received > 0) {
			metrics.received.Labels({request.operation}).Increment(static_cast<double>(request.bytes_received));
		}
		if (request.bytes_sent > 0) {
			metrics.sent.Labels({request.operation}).Increment(static_cast<double>(request.bytes_sent));
		}
	}

	// Object reads and changes, not HEAD or listings; written just before a whole response
	// goes out, a streamed object's once its last byte has.
	void Audit(const S3Request &request, std::chrono::steady_clock::time_point started, const S3Error *error) {
		static const std::set<std::string> audited = {"GetObject",    "PutObject",     "CopyObject",
		                                              "DeleteObject", "DeleteObjects", "CompleteMultipartUpload"};
		if (!options.audit || !audited.count(request.operation)) {
			return;
		}
		obs::AuditRecord record;
		record.user = request.user;
		record.roles = request.roles;
		record.protocol = "s3";
		record.client = request.http.remote;
		record.operation = fmt::format("s3:{} {}/{}", request.operation, request.bucket, request.key);
		if (auto source = request.http.Header("x-amz-copy-source"); !source.empty()) {
			record.operation += fmt::format(" from {}", source);
		}
		record.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
		if (error) {
			record.outcome = error->code;
			record.error = error->what();
		}
		options.audit->Write(record);
	}

	void AbortExpiredUploads() {
		try {
			auto aborted = store.AbortUploadsOlderThan(options.upload_expiry);
			if (aborted > 0) {
				log::Info("s3_uploads_expired", {{"aborted", aborted}});
			}
		} catch (const std::exception &error) {
			log::Write(log::Level::Warn, "s3_upload_sweep_failed", {{"error", error.what()}});
		}
	}

	void SweepUploadsHourly() {
		std::unique_lock<std::mutex> guard(sweeper_lock);
		while (!sweeper_stop.wait_for(guard, kUploadSweepInterval, [this] { return stopping; })) {
			guard.unlock();
			AbortExpiredUploads();
			guard.lock();
		}
	}

	objstore::BucketStore &store;
	auth::UserDirectory &users;
	std::shared_ptr<auth::CredentialVault> credentials;
	S3ApiOptions options;
	std::unique_ptr<TableLocator> locator;

	std::mutex sweeper_lock;
	std::condition_variable sweeper_stop;
	bool stopping = false;
	std::thread sweeper;
};

S3Api::S3Api(objstore::BucketStore &store, auth::UserDirectory &users,
             std::shared_ptr<auth::CredentialVault> credentials, S3ApiOptions options)
    : state(std::make_unique<State>(store, users, std::move(credentials), std::move(options))) {
	// Uploads may have expired while the server was down: swept before the first request.
	state->AbortExpiredUploads();
	state->sweeper = std::thread([this] { state->SweepUploadsHourly(); });
}

S3Api::~S3Api() {
	{
		std::lock_guard<std::mutex> guard(state->sweeper_lock);
		state->stopping = true;
	}
	state->sweeper_stop.notify_all();
	state->sweeper.join();
}

void S3Api::Register(net::HttpServer &server) {
	server.RoutePrefix("", "/", [this](net::HttpRequest &request, net::HttpResponder &responder) {
		state->Serve(request, responder);
	});
}

std::string S3Request::Param(const std::string &parameter) const {
	auto found = query.find(parameter);
	return found == query.end() ? std::string() : found->second;
}

std::unique_ptr<PayloadReader> S3Request::Payload() {
	if (!http.body_stream) {
		throw Error(ErrorCode::Internal, "the S3 API needs a server with streamed request bodies");
	}
	return OpenPayload(http, *http.body_stream, signature, secret);
}

std::string S3Request::ReadSmallBody(size_t limit) {
	auto payload = Payload();
	std::string body;
	char buffer[64 * 1024];
	while (auto n = payload->Read(buffer, sizeof(buffer))) {
		body.append(buffer, n);
		if (body.size() > limit) {
			throw S3Error(400, "MaxMessageLengthExceeded",
			              fmt::format("Your request was too big: at most {} bytes here.", limit));
		}
	}
	bytes_received += body.size();
	return body;
}

void S3Request::Send(int status_p, std::string body, net::HttpHeaders headers, std::string content_type) {
	status = status_p;
	headers.emplace_back("x-amz-request-id", request_id);
	if (http.method == "HEAD" || status_p == 304 || status_p == 204) {
		body.clear();
	}
	if (before_answer) {
		before_answer();
	}
	responder.Send(net::HttpResponse {status_p, std::move(content_type), std::move(headers), std::move(body)});
}

void S3Request::RequireScope(const std::string &bucket_p, const std::string &key_p) const {
	if (!scoped) {
		return;
	}
	// Under the path means below it: "db/events" does not cover "db/events_v2/...".
	bool inside = bucket_p == scope_bucket &&
	              (scope_path.empty() || key_p.starts_with(scope_path + "/"));
	if (!inside) {
		throw S3Error(403, "AccessDenied",
		              fmt::format("Access Denied: this credential covers s3://{}/{} only", scope_bucket, scope_path));
	}
}

void RequireBucket(S3Request &request) {
	if (!request.store.FindBucket(request.bucket)) {
		throw S3Error(404, "NoSuchBucket", "The specified bucket does not exist");
	}
}

} // namespace akko::s3_api
