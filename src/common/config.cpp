#include "common/config.hpp"

#include "common/error.hpp"

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace akko {

namespace {

int ParsePort(const std::string &key, const std::string &value) {
	try {
		size_t used = 0;
		int port = std::stoi(value, &used);
		if (used == value.size() && port >= 0 && port <= 65535) {
			return port;
		}
	} catch (const std::exception &) {
	}
	throw Error(ErrorCode::ConfigurationError, fmt::format("{}: \"{}\" is not a port number (0-65535)", key, value));
}

int ParseCount(const std::string &key, const std::string &value) {
	try {
		size_t used = 0;
		int n = std::stoi(value, &used);
		if (used == value.size() && n >= 0) {
			return n;
		}
	} catch (const std::exception &) {
	}
	throw Error(ErrorCode::ConfigurationError, fmt::format("{}: \"{}\" is not a non-negative integer", key, value));
}

// PostgreSQL's spellings of a boolean setting (whole words, not its prefixes), as YAML 1.1 has them; any case.
bool ParseBool(const std::string &key, const std::string &value) {
	std::string lower;
	for (auto ch : value) {
		lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
	}
	for (auto yes : {"true", "on", "yes", "1"}) {
		if (lower == yes) {
			return true;
		}
	}
	for (auto no : {"false", "off", "no", "0"}) {
		if (lower == no) {
			return false;
		}
	}
	throw Error(ErrorCode::ConfigurationError, fmt::format("{}: \"{}\" is not a boolean (true or false)", key, value));
}

ConfigSetting Text(std::string key, std::string help, std::string Config::*member, bool secret = false) {
	return ConfigSetting {key, std::move(help), [member](Config &c, const std::string &v) { c.*member = v; },
	                      [member](const Config &c) { return c.*member; }, secret};
}

ConfigSetting Port(std::string key, std::string help, int Config::*member) {
	return ConfigSetting {key, std::move(help),
	                      [member, key](Config &c, const std::string &v) { c.*member = ParsePort(key, v); },
	                      [member](const Config &c) { return std::to_string(c.*member); }};
}

ConfigSetting Count(std::string key, std::string help, int Config::*member) {
	return ConfigSetting {key, std::move(help),
	                      [member, key](Config &c, const std::string &v) { c.*member = ParseCount(key, v); },
	                      [member](const Config &c) { return std::to_string(c.*member); }};
}

ConfigSetting Bool(std::string key, std::string help, bool Config::*member) {
	return ConfigSetting {key, std::move(help),
	                      [member, key](Config &c, const std::string &v) { c.*member = ParseBool(key, v); },
	                      [member](const Config &c) { return std::string(c.*member ? "true" : "false"); }};
}

} // namespace

std::string ConfigSetting::Flag() const {
	std::string flag = "--" + key;
	for (auto &ch : flag) {
		if (ch == '_') {
			ch = '-';
		}
	}
	return flag;
}

std::string ConfigSetting::EnvironmentName() const {
	std::string name = "AKKO_" + key;
	for (auto &ch : name) {
		ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
	}
	return name;
}

const std::vector<ConfigSetting> &ConfigSettings() {
	static const std::vector<ConfigSetting> settings = {
	    Text("data_dir", "data directory (metastore, warehouse, certificates)", &Config::data_dir),
	    Text("listen_address", "address every listener binds to", &Config::listen_address),
	    Port("http_port", "HTTP port: API, health, metrics (0 picks a free port)", &Config::http_port),
	    Port("pg_port", "PostgreSQL wire port (0 picks a free port)", &Config::pg_port),
	    Port("s3_port", "S3 API port (0 picks a free port)", &Config::s3_port),
	    Text("admin_password", "password of the bootstrap user 'admin' (default: generated once, printed on first start)",
	         &Config::admin_password, true),
	    Text("tls_cert", "TLS certificate (PEM); default: a self-signed one in the data directory", &Config::tls_cert),
	    Text("tls_key", "TLS private key (PEM) for --tls-cert", &Config::tls_key),
	    Bool("http_tls", "serve HTTPS on the HTTP and S3 ports (true or false)", &Config::http_tls),
	    Bool("require_tls", "refuse PostgreSQL clients that do not negotiate TLS; implies --http-tls true",
	         &Config::require_tls),
	    Count("worker_threads", "statement worker threads (0: one per core, at least 4)", &Config::worker_threads),
	    Count("engine_threads", "DuckDB threads per query (0: one per core)", &Config::engine_threads),
	    Text("memory_limit", "engine memory limit, e.g. 4GB (default: 80% of RAM)", &Config::memory_limit),
	    Count("max_connections", "most concurrent PostgreSQL connections", &Config::max_connections),
	    Text("log_level", "trace, debug, info, warn or error", &Config::log_level),
	    Text("log_file", "write JSON log lines to this file instead of standard error", &Config::log_file),
	    Text("metastore", "catalog database: postgresql://user:pw@host/db (default: SQLite in the data directory)",
	         &Config::metastore, true),
	    Text("warehouse", "where tables live: s3://bucket/prefix on --s3-endpoint, or a local directory (default: the data directory)",
	         &Config::warehouse),
	    Text("s3_endpoint", "external S3 endpoint for an s3:// warehouse, e.g. https://s3.example.org", &Config::s3_endpoint),
	    Text("s3_region", "region of the S3 API, and the one the external S3 signs requests for", &Config::s3_region),
	    Text("s3_access_key_id", "access key id for the external S3", &Config::s3_access_key_id),
	    Text("s3_secret_access_key", "secret access key for the external S3", &Config::s3_secret_access_key, true),
	    Text("s3_addressing", "path (bucket in the path) or virtual (bucket in the host name)", &Config::s3_addressing),
	    Text("s3_cache_size", "local cache for remote file ranges the engine reads, e.g. 1GB", &Config::s3_cache_size),
	    Text("s3_domain", "S3 API host names for virtual-host style buckets (bucket.DOMAIN), comma-separated",
	         &Config::s3_domain),
	    Count("s3_upload_expiry_hours", "S3 API: abort multipart uploads left unfinished this many hours",
	          &Config::s3_upload_expiry_hours),
	    Count("access_token_ttl_seconds", "lifetime of the JWT access tokens of /api/v1/auth/login",
	          &Config::access_token_ttl_seconds),
	    Count("refresh_token_ttl_seconds", "lifetime of the single-use refresh tokens of /api/v1/auth/login",
	          &Config::refresh_token_ttl_seconds),
	    Text("oidc_issuer", "OpenID Connect issuer URL whose RS256 bearer tokens are accepted (default: none)",
	         &Config::oidc_issuer),
	    Text("oidc_audience", "audience OIDC tokens must name in \"aud\" (default: not checked)", &Config::oidc_audience),
	    Text("oidc_username_claim", "OIDC claim holding the user name", &Config::oidc_username_claim),
	    Text("oidc_groups_claim", "OIDC claim holding the groups mapped to roles", &Config::oidc_groups_claim),
	    Text("oidc_role_map", "extra OIDC group to role mappings: idp-group=akko-role,...", &Config::oidc_role_map),
	    Text("oidc_client_id", "OIDC client id of the cockpit's single sign-on (authorization code with PKCE); empty: off",
	         &Config::oidc_client_id),
	    Text("oidc_client_secret", "its client secret, for a confidential client; empty: a public client",
	         &Config::oidc_client_secret),
	};
	return settings;
}

Config ResolveConfig(const std::map<std::string, std::string> &flags, const std::string &config_file) {
	Config config;
	YAML::Node yaml;
	std::string path = config_file;
	if (path.empty() && std::filesystem::exists("akko.yaml")) {
		path = "akko.yaml";
	}
	if (!path.empty()) {
		try {
			yaml = YAML::LoadFile(path);
		} catch (const YAML::Exception &e) {
			throw Error(ErrorCode::ConfigurationError, fmt::format("cannot read config file \"{}\": {}", path, e.what()));
		}
		if (yaml && !yaml.IsMap()) {
			throw Error(ErrorCode::ConfigurationError, fmt::format("config file \"{}\" must be a mapping of settings", path));
		}
		for (auto it = yaml.begin(); it != yaml.end(); ++it) {
			auto key = it->first.as<std::string>();
			bool known = false;
			for (auto &setting : ConfigSettings()) {
				known = known || setting.key == key;
			}
			if (!known) {
				throw Error(ErrorCode::ConfigurationError, fmt::format("config file \"{}\": unknown setting \"{}\"", path, key));
			}
		}
	}
	for (auto &setting : ConfigSettings()) {
		if (auto flag = flags.find(setting.key); flag != flags.end()) {
			setting.assign(config, flag->second);
		} else if (const char *env = std::getenv(setting.EnvironmentName().c_str())) {
			setting.assign(config, env);
		} else if (yaml && yaml[setting.key]) {
			setting.assign(config, yaml[setting.key].as<std::string>());
		}
	}
	return config;
}

} // namespace akko
