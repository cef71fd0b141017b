#include "adapters/cockpit_api/system_status.hpp"

#include "catalog/catalog_service.hpp"
#include "common/config.hpp"
#include "common/error.hpp"
#include "objstore/store.hpp"
#include "obs/readiness.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <netdb.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace akko::cockpit_api {

namespace {

constexpr int kConnectTimeoutMs = 1000;

struct Outcome {
	std::string status;
	double latency_ms = 0;
	std::string detail;
};

// Runs a probe that returns its detail when healthy and throws with the reason when not.
Outcome Measure(const std::function<std::string()> &probe) {
	auto start = std::chrono::steady_clock::now();
	Outcome outcome;
	try {
		outcome.detail = probe();
		outcome.status = "ok";
	} catch (const std::exception &error) {
		outcome.detail = error.what();
		outcome.status = "down";
	}
	outcome.latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
	return outcome;
}

Outcome FromReadiness(const std::vector<obs::ReadinessChecks::Result> &results, const std::string &name,
                      const std::string &healthy) {
	for (auto &result : results) {
		if (result.name == name) {
			return Outcome {result.ok ? "ok" : "down", result.latency_ms, result.ok ? healthy : result.error};
		}
	}
	return Outcome {"not_configured", 0, fmt::format("no \"{}\" readiness check is registered", name)};
}

nlohmann::json Entry(const std::string &name, const Outcome &outcome, const std::string &endpoint) {
	return {{"name", name},
	        {"status", outcome.status},
	        {"latency_ms", outcome.latency_ms},
	        {"detail", outcome.detail},
	        {"endpoint", endpoint}};
}

// A listener bound to every address is reached on loopback.
std::string ConnectHost(const std::string &listen_address) {
	if (listen_address == "0.0.0.0" || listen_address.empty()) {
		return "127.0.0.1";
	}
	return listen_address == "::" ? "::1" : listen_address;
}

// What clients are told to connect to, as the start-up banner says it.
std::string DisplayHost(const std::string &listen_address) {
	return listen_address == "0.0.0.0" || listen_address == "::" ? "localhost" : listen_address;
}

// Opens and closes a TCP connection: the listener accepts. Throws with the reason otherwise.
void TcpConnect(const std::string &host, uint16_t port) {
	addrinfo hints {};
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	addrinfo *found = nullptr;
	if (int failed = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found)) {
		throw Error(ErrorCode::ConfigurationError, fmt::format("cannot resolve \"{}\": {}", host, gai_strerror(failed)));
	}
	std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
	int fd = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		throw Error(ErrorCode::Internal, fmt::format("socket: {}", std::strerror(errno)));
	}
	std::unique_ptr<int, void (*)(int *)> closer(&fd, [](int *socket) { close(*socket); });
	if (connect(fd, found->ai_addr, found->ai_addrlen) != 0 && errno != EINPROGRESS) {
		throw Error(ErrorCode::Internal, fmt::format("connect to {} port {}: {}", host, port, std::strerror(errno)));
	}
	pollfd waiting {fd, POLLOUT, 0};
	if (poll(&waiting, 1, kConnectTimeoutMs) != 1) {
		throw Error(ErrorCode::Internal, fmt::format("connect to {} port {}: no answer in {} ms", host, port,
		                                             kConnectTimeoutMs));
	}
	int error = 0;
	socklen_t size = sizeof(error);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
	if (error != 0) {
		throw Error(ErrorCode::Internal, fmt::format("connect to {} port {}: {}", host, port, std::strerror(error)));
	}
}

// A libpq URI without its user, password and parameters: "postgresql://host:port/dbname".
std::string RedactedUri(const std::string &uri) {
	auto scheme_end = uri.find("://");
	if (scheme_end == std::string::npos) {
		return "postgresql";
	}
	auto rest = uri.substr(scheme_end + 3);
	rest = rest.substr(0, rest.find('?'));
	auto at = rest.rfind('@', rest.find('/'));
	if (at != std::string::npos) {
		rest = rest.substr(at + 1);
	}
	return uri.substr(0, scheme_end + 3) + rest;
}

// The SQLite file, or the PostgreSQL server and database.
std::string MetastoreEndpoint(const Config &config) {
	if (!config.metastore.empty()) {
		return RedactedUri(config.metastore);
	}
	return (std::filesystem::absolute(config.data_dir) / "metastore.db").lexically_normal().string();
}

// Without the trailing '/': "akko-warehouse" or "bucket/prefix".
std::string WarehouseKey(const std::string &uri) {
	return objstore::KeyFromUri(uri.ends_with('/') ? uri.substr(0, uri.size() - 1) : uri);
}

} // namespace

SystemStatus::SystemStatus(const CockpitApiOptions &options_p) : options(options_p) {
}

nlohmann::json SystemStatus::Probe() const {
	auto &config = *options.config;
	auto host = DisplayHost(config.listen_address);
	auto scheme = config.http_tls || config.require_tls ? "https" : "http";
	auto readiness = options.readiness->Run();
	auto entries = nlohmann::json::array();

	entries.push_back(Entry("sql_engine", FromReadiness(readiness, "engine", "SELECT 1 answered"),
	                        fmt::format("embedded DuckDB {}", options.engine_version)));
	entries.push_back(Entry("catalog", Measure([this] {
		                        auto count = options.catalog->ListNamespaces({}).size();
		                        return fmt::format("{} top-level namespace{}", count, count == 1 ? "" : "s");
	                        }),
	                        fmt::format("{}://{}:{}/iceberg/v1", scheme, host, options.http_port())));
	auto metastore_kind = config.metastore.empty() ? "sqlite" : "postgresql";
	entries.push_back(Entry("metastore",
	                        FromReadiness(readiness, "metastore", fmt::format("{}, schema version read", metastore_kind)),
	                        MetastoreEndpoint(config)));
	entries.push_back(Entry("object_store", Measure([this, &config] {
		                        // A stat of a key that need not exist: the store answers, or says why not.
		                        options.store->Head(WarehouseKey(options.warehouse_uri) + "/akko-status-probe");
		                        return std::string(options.warehouse_uri.starts_with("s3://") && !config.s3_endpoint.empty()
		                                               ? "external S3 service answered"
		                                               : "warehouse answered");
	                        }),
	                        options.warehouse_uri));

	auto connect_host = ConnectHost(config.listen_address);
	if (auto s3_port = options.s3_port(); s3_port != 0) {
		entries.push_back(Entry("s3_api", Measure([&] {
			                        TcpConnect(connect_host, s3_port);
			                        return std::string("accepting connections");
		                        }),
		                        fmt::format("{}://{}:{}", scheme, host, s3_port)));
	} else {
		entries.push_back(Entry("s3_api", {"not_configured", 0, "the warehouse is on an external S3 service"}, ""));
	}
	auto pg_port = options.pg_port();
	entries.push_back(Entry("pgwire", Measure([&] {
		                        TcpConnect(connect_host, pg_port);
		                        return std::string("accepting connections");
	                        }),
	                        fmt::format("postgresql://{}:{}", host, pg_port)));
	entries.push_back(Entry("ai_backend", {"not_configured", 0, "no AI backend is configured"}, ""));
	return entries;
}

nlohmann::json SystemStatus::Architecture() const {
	auto &config = *options.config;
	auto host = DisplayHost(config.listen_address);
	bool http_tls = config.http_tls || config.require_tls;
	auto base = fmt::format("{}://{}:{}", http_tls ? "https" : "http", host, options.http_port());
	auto s3_port = options.s3_port();
	bool external_s3 = options.warehouse_uri.starts_with("s3://") && !config.s3_endpoint.empty();
	nlohmann::json oidc = config.oidc_issuer.empty() ? nlohmann::json(nullptr) : nlohmann::json(config.oidc_issuer);

	auto components = nlohmann::json::array();
	auto add = [&components](const char *id, const std::string &name, const char *layer, const std::string &endpoint,
	                         nlohmann::json details) {
		components.push_back(
		    {{"id", id}, {"name", name}, {"layer", layer}, {"endpoint", endpoint}, {"details", std::move(details)}});
	};
	add("sql_clients", "psql, JDBC, BI tools", "client", "", nlohmann::json::object());
	add("browser", "Browser", "client", "", nlohmann::json::object());
	add("http_clients", "HTTP clients and agents", "client", "", nlohmann::json::object());
	add("lake_engines", "Spark, Trino, PyIceberg", "client", "", nlohmann::json::object());
	if (s3_port != 0) {
		add("s3_clients", "awscli, boto3, rclone", "client", "", nlohmann::json::object());
	}
	add("pgwire", "PostgreSQL wire protocol", "adapter", fmt::format("postgresql://{}:{}", host, options.pg_port()),
	    {{"port", options.pg_port()}, {"tls", config.require_tls ? "required" : "available"}});
	add("cockpit", "Cockpit", "adapter", base + "/", {{"port", options.http_port()}, {"tls", http_tls}});
	add("http_api", "HTTP API", "adapter", base + "/api/v1",
	    {{"port", options.http_port()}, {"tls", http_tls}, {"metrics", base + "/metrics"}});
	add("iceberg_rest", "Iceberg REST catalog", "adapter", base + "/iceberg/v1",
	    {{"port", options.http_port()}, {"tls", http_tls}});
	if (s3_port != 0) {
		add("s3_api", "S3 API", "adapter", fmt::format("{}://{}:{}", http_tls ? "https" : "http", host, s3_port),
		    {{"enabled", true}, {"port", s3_port}, {"tls", http_tls}, {"region", config.s3_region}});
	} else {
		add("s3_api", "S3 API", "adapter", "", {{"enabled", false}});
	}
	add("auth", "Authentication", "core", "", {{"oidc_issuer", oidc}, {"tls_required", config.require_tls}});
	add("sql_engine", fmt::format("DuckDB {}", options.engine_version), "core", "embedded",
	    {{"lake_catalog", "iceberg"}});
	add("catalog", "Lake catalog (Apache Iceberg)", "core", "", nlohmann::json::object());
	add("metastore", config.metastore.empty() ? "Metastore (SQLite)" : "Metastore (PostgreSQL)", "storage",
	    MetastoreEndpoint(config), {{"kind", config.metastore.empty() ? "sqlite" : "postgresql"}});
	add("object_store", external_s3 ? "Object store (S3)" : "Object store (local)", "storage", options.warehouse_uri,
	    {{"kind", external_s3 ? "s3" : "local"},
	     {"warehouse", options.warehouse_uri},
	     {"s3_endpoint", external_s3 ? nlohmann::json(config.s3_endpoint) : nlohmann::json(nullptr)}});
	add("ai_backend", "AI backend", "core", "", {{"configured", false}});

	auto edges = nlohmann::json::array();
	auto edge = [&edges](const char *from, const char *to, const char *protocol) {
		edges.push_back({{"from", from}, {"to", to}, {"protocol", protocol}});
	};
	edge("sql_clients", "pgwire", "postgresql");
	edge("browser", "cockpit", "https");
	edge("browser", "http_api", "json");
	edge("http_clients", "http_api", "json");
	edge("lake_engines", "iceberg_rest", "iceberg-rest");
	if (s3_port != 0) {
		edge("lake_engines", "s3_api", "s3");
		edge("s3_clients", "s3_api", "s3");
	} else {
		edge("lake_engines", "object_store", "s3");
	}
	edge("cockpit", "http_api", "json");
	for (auto adapter : {"pgwire", "http_api", "iceberg_rest"}) {
		edge(adapter, "auth", "identity");
	}
	edge("pgwire", "sql_engine", "sql");
	edge("http_api", "sql_engine", "sql");
	edge("iceberg_rest", "catalog", "catalog");
	if (s3_port != 0) {
		edge("s3_api", "auth", "identity");
		edge("s3_api", "object_store", "objects");
	}
	edge("sql_engine", "catalog", "catalog");
	edge("sql_engine", "object_store", "data files");
	edge("catalog", "metastore", "sql");
	edge("catalog", "object_store", "metadata files");
	return {{"components", components}, {"edges", edges}};
}

double SystemStatus::WarehouseBytes() const {
	double bytes = 0;
	for (auto &object : options.store->List(WarehouseKey(options.warehouse_uri) + "/")) {
		bytes += static_cast<double>(object.size);
	}
	return bytes;
}

} // namespace akko::cockpit_api
