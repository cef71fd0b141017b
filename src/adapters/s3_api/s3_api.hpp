#pragma once
// The S3 API on its own net::HttpServer (port 8333 by default), over the bucket store the lake
// shares: buckets, objects (streamed, conditional, ranged, copied, listed), multipart uploads,
// AWS Signature V4 with akko principals' access keys and the catalog's vended credentials,
// S3's XML errors, and per-operation metrics. See docs/s3-api.md.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace akko::net {
class HttpServer;
}
namespace akko::objstore {
class BucketStore;
}
namespace akko::auth {
class UserDirectory;
class CredentialVault;
} // namespace akko::auth

namespace akko::obs {
class AuditLog;
}
namespace akko::authz {
class AccessControl;
}
namespace akko::catalog {
class CatalogService;
}

namespace akko::s3_api {

struct S3ApiOptions {
	std::string region = "us-east-1";
	// Host names under which buckets are addressed virtual-host style: a request for
	// "photos.s3.example.com" with domain "s3.example.com" is for bucket "photos".
	std::vector<std::string> domains = {"localhost"};
	// Every part of a multipart upload but the last must be at least this large.
	uint64_t min_part_size = 5 * 1024 * 1024;
	// Multipart uploads left unfinished this long are aborted.
	std::chrono::seconds upload_expiry {std::chrono::hours(24 * 7)};
	// Unix epoch seconds; tests may pin it.
	std::function<int64_t()> clock;
	// Where object reads and changes are recorded (not HEAD or listings); null: nowhere. Must
	// outlive the S3Api.
	obs::AuditLog *audit = nullptr;
	// Who may read and write what with their own access key (docs/s3-api.md, "Authorization");
	// null: every signed request is allowed, for tests of the protocol alone. With it, `catalog`
	// (whose table locations decide what a warehouse key belongs to) and `warehouse_bucket`.
	// Both must outlive the S3Api.
	authz::AccessControl *access = nullptr;
	catalog::CatalogService *catalog = nullptr;
	std::string warehouse_bucket;
};

class S3Api {
public:
	S3Api(objstore::BucketStore &store, auth::UserDirectory &users, std::shared_ptr<auth::CredentialVault> credentials,
	      S3ApiOptions options);
	~S3Api();
	S3Api(const S3Api &) = delete;
	S3Api &operator=(const S3Api &) = delete;

	// Adds the routes (all paths) to a server made with stream_request_bodies; before Start.
	// Expired multipart uploads are aborted by an hourly sweep from construction on.
	void Register(net::HttpServer &server);

	struct State;

private:
	std::unique_ptr<State> state;
};

} // namespace akko::s3_api
