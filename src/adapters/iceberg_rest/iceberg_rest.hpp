#pragma once
// The Iceberg REST catalog on a net::HttpServer, mounted at /iceberg (so clients are given
// uri http://host:port/iceberg and call /iceberg/v1/...), over the catalog service: config,
// OAuth2 client credentials, namespaces, tables (staged create, commits, multi-table
// transactions), views, metrics reports and vended S3 credentials. No warehouse prefix
// segment: /v1/config names none. See docs/iceberg-rest.md.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace akko::net {
class HttpServer;
}
namespace akko::catalog {
class CatalogService;
}
namespace akko::auth {
class CredentialVault;
class UserDirectory;
}

namespace akko::obs {
class AuditLog;
}
namespace akko::authz {
class AccessControl;
}

namespace akko::iceberg_rest {

struct IcebergRestOptions {
	// Where clients reach AKKO's S3 API (s3.endpoint in /v1/config is http[s]://host:port).
	std::string s3_host = "127.0.0.1";
	uint16_t s3_port = 8333;
	bool s3_tls = false; // the S3 port serves HTTPS
	std::string s3_region = "us-east-1";
	std::chrono::seconds credential_lifetime {3600};
	size_t metrics_reports_per_table = 100;
	// Shared with the S3 API, which honours what the catalog vends; null: the catalog makes its own.
	std::shared_ptr<auth::CredentialVault> credentials;
	// Where loads, commits, creates, drops, renames, registers and credential requests are
	// recorded; null: nowhere. Must outlive the server.
	obs::AuditLog *audit = nullptr;
	// Who may load, list, create and commit what (docs/iceberg-rest.md, "Authorization"); null:
	// every authenticated user may do everything, for tests of the protocol alone. Must outlive
	// the server.
	authz::AccessControl *access = nullptr;
};

// Adds the routes; before server.Start(). `catalog` and `users` must outlive server.Stop().
void RegisterIcebergRest(net::HttpServer &server, catalog::CatalogService &catalog, auth::UserDirectory &users,
                         const IcebergRestOptions &options);

} // namespace akko::iceberg_rest
