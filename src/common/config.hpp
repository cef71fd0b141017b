#pragma once
// Server configuration, resolved from flags > AKKO_* environment > akko.yaml > defaults.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace akko {

struct Config {
	std::string data_dir = "./akko-data";
	std::string listen_address = "127.0.0.1";
	int http_port = 8080;
	int pg_port = 5432;
	int s3_port = 8333;
	// Empty: generated once on first start, stored as a verifier, printed once.
	std::string admin_password;
	std::string tls_cert; // PEM; empty: self-signed, generated into the data directory
	std::string tls_key;
	// The HTTP and S3 ports serve HTTPS only, with tls_cert or the self-signed certificate.
	bool http_tls = false;
	// PostgreSQL clients must negotiate TLS before they may authenticate; implies http_tls.
	bool require_tls = false;
	int worker_threads = 0; // statement workers; 0: one per core, at least 4
	int engine_threads = 0; // DuckDB's own threads; 0: DuckDB's default (cores)
	std::string memory_limit; // DuckDB memory_limit; empty: DuckDB's default (80% of RAM)
	int max_connections = 256;
	std::string log_level = "info";
	std::string log_file; // empty: standard error
	// Empty: SQLite in the data directory; "postgresql://..." (libpq URI): a shared PostgreSQL.
	std::string metastore;
	// Where tables live. Empty: bucket akko-warehouse of the local store in the data directory;
	// "s3://bucket/prefix": an external S3 service at s3_endpoint.
	std::string warehouse;
	std::string s3_endpoint; // e.g. http://127.0.0.1:7480
	std::string s3_region = "us-east-1";
	std::string s3_access_key_id;
	std::string s3_secret_access_key;
	std::string s3_addressing = "path"; // "path" or "virtual" (bucket in the host name)
	std::string s3_cache_size = "1GB"; // local cache of remote file ranges the engine reads
	// The S3 API: host names under which buckets are addressed virtual-host style, comma-separated.
	std::string s3_domain = "localhost";
	int s3_upload_expiry_hours = 168; // unfinished multipart uploads are aborted after this
	int access_token_ttl_seconds = 900; // JWT access tokens of POST /api/v1/auth/login
	int refresh_token_ttl_seconds = 604800; // their single-use refresh tokens
	std::string oidc_issuer; // empty: OIDC bearer tokens are not accepted
	std::string oidc_audience; // empty: "aud" is not checked
	std::string oidc_username_claim = "preferred_username";
	std::string oidc_groups_claim = "groups";
	std::string oidc_role_map; // "idp-group=akko-role,..."
	std::string oidc_client_id;     // the cockpit's single sign-on; empty: off
	std::string oidc_client_secret; // empty: a public client (PKCE alone)
};

// One configurable setting: its yaml key, flag and environment names, and how it is stored.
struct ConfigSetting {
	std::string key;  // yaml key and flag name with '_' for '-', e.g. "http_port"
	std::string help;
	std::function<void(Config &, const std::string &)> assign; // throws akko::Error on a bad value
	std::function<std::string(const Config &)> show;
	bool secret = false;

	std::string Flag() const;        // "--http-port"
	std::string EnvironmentName() const; // "AKKO_HTTP_PORT"
};

const std::vector<ConfigSetting> &ConfigSettings();

// Resolves the configuration. `flags` holds the settings given on the command line (by key);
// `config_file` is an akko.yaml path ("" means ./akko.yaml when present).
Config ResolveConfig(const std::map<std::string, std::string> &flags, const std::string &config_file);

} // namespace akko
