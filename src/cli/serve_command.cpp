#include "cli/serve_command.hpp"

#include "adapters/cockpit_api/cockpit_api.hpp"
#include "adapters/http_api/http_api.hpp"
#include "adapters/iceberg_rest/iceberg_rest.hpp"
#include "adapters/pgwire/pg_server.hpp"
#include "adapters/s3_api/s3_api.hpp"
#include "auth/credential_vault.hpp"
#include "auth/user_directory.hpp"
#include "catalog/catalog_service.hpp"
#include "cockpit/cockpit_site.hpp"
#include "cli/lake_backends.hpp"
#include "cli/statement_recorder.hpp"
#include "common/config.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/sql_lexer.hpp"
#include "engine/engine.hpp"
#include "metastore/metastore.hpp"
#include "net/http_server.hpp"
#include "objstore/bucket_store.hpp"
#include "authz/access_control.hpp"
#include "net/tls.hpp"
#include "common/worker_pool.hpp"
#include "obs/audit_log.hpp"
#include "obs/readiness.hpp"
#include "obs/server_metrics.hpp"
#include "provision/lake_setup.hpp"
#include "sql/session.hpp"

#include <algorithm>
#include <csignal>
#include <thread>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pthread.h>

namespace akko::cli {

namespace fs = std::filesystem;

std::string VersionText() {
	return "akko 0.1.0 (PostgreSQL wire protocol 3.0, reports server_version 15.0; DuckDB 1.4.4)";
}

ServeCommand::ServeCommand(CLI::App &app) {
	command = app.add_subcommand("serve", "Run the server: PostgreSQL wire, HTTP API and metrics, on the embedded engine");
	AddConfigOptions(*command, flags, config_file);
	command->add_flag("--demo", demo,
	                  "Before serving, run `akko init --demo`: demo users with well-known passwords and the banking "
	                  "data (never on a server with real data)");
	command->add_option("--demo-scale", demo_data.scale, "the demo data's scale (1: a million transactions)")
	    ->capture_default_str();
	command->add_option("--demo-seed", demo_data.seed, "the demo data's random seed")->capture_default_str();
}

namespace {

// Writes `content` to `path` so readers see the old file or the whole new one.
void WriteFileAtomically(const fs::path &path, const std::string &content) {
	auto temporary = path;
	temporary += ".tmp";
	{
		std::ofstream out(temporary, std::ios::trunc);
		out << content;
		if (!out) {
			throw Error(ErrorCode::ConfigurationError, fmt::format("cannot write \"{}\"", temporary.string()));
		}
	}
	fs::rename(temporary, path);
}

std::vector<std::string> SplitList(const std::string &text) {
	std::vector<std::string> items;
	size_t start = 0;
	while (start <= text.size()) {
		auto end = std::min(text.find(',', start), text.size());
		auto item = TrimBlanks(std::string_view(text).substr(start, end - start));
		if (!item.empty()) {
			items.emplace_back(item);
		}
		start = end + 1;
	}
	return items;
}

sigset_t ShutdownSignals() {
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	return signals;
}

} // namespace

int ServeCommand::Run() {
	// Every thread started from here on inherits the blocked signals; this one waits for them.
	auto signals = ShutdownSignals();
	pthread_sigmask(SIG_BLOCK, &signals, nullptr);
	std::signal(SIGPIPE, SIG_IGN);

	auto config = ResolveConfig(flags, config_file);
	log::Init(config.log_level, config.log_file);
	fs::path data_dir = fs::absolute(config.data_dir).lexically_normal();
	fs::create_directories(data_dir / "engine");
	auto started = std::chrono::steady_clock::now();

	auto backends = OpenLakeBackends(config, data_dir.string());
	auto &metastore = backends.metastore;
	auth::UserDirectory users(*metastore, {}, auth::AuthOptions::FromConfig(config));
	auto generated_password = users.EnsureBootstrapAdmin(config.admin_password);
	authz::AccessControl access(*metastore);
	access.EnsureBuiltinRoles();

	auto tls_cert = config.tls_cert;
	auto tls_key = config.tls_key;
	if (tls_cert.empty() != tls_key.empty()) {
		throw Error(ErrorCode::ConfigurationError, "tls_cert and tls_key must be given together");
	}
	if (tls_cert.empty()) {
		auto generated = net::EnsureSelfSignedCertificate(data_dir.string());
		tls_cert = generated.certificate;
		tls_key = generated.key;
	}
	// One context for the HTTP and S3 ports; loading it here fails start-up on a bad key pair.
	bool http_tls = config.http_tls || config.require_tls;
	auto http_tls_context = http_tls ? net::MakeServerTlsContext(tls_cert, tls_key) : nullptr;
	auto http_scheme = http_tls ? "https" : "http";

	catalog::CatalogService lake(*metastore, *backends.warehouse.store, backends.warehouse.uri);

	// Before the engine and every server, so it outlives them all.
	obs::AuditLog audit((data_dir / "audit").string());
	engine::EngineOptions engine_options;
	engine_options.audit_directory = audit.Directory();
	engine_options.database_path = (data_dir / "engine" / "akko.duckdb").string();
	engine_options.temp_directory = (data_dir / "engine" / "tmp").string();
	ConfigureLakeEngine(engine_options, config, lake, backends);
	engine::Engine engine(engine_options);

	sql::SqlService service(engine);
	service.access = &access;
	service.users = &users;
	service.metastore = metastore.get();
	service.on_statement = StatementRecorder(audit);

	// The local warehouse's buckets, which the S3 API serves (with an external S3 service clients
	// go there).
	std::unique_ptr<objstore::BucketStore> bucket_store;
	if (!backends.warehouse.local_root.empty()) {
		bucket_store = objstore::OpenLocalBucketStore(backends.warehouse.local_root);
		// The warehouse bucket is there from the start, before the first table is written.
		bucket_store->CreateBucket(WarehouseBucket(backends));
	}
	if (demo) {
		// Before any listener opens: once akko says it is ready, the demo is all there.
		provision::LakeSetup setup({service, lake, *metastore, bucket_store.get(), WarehouseBucket(backends)},
		                           [](const std::string &line) {
			                           std::printf("init: %s\n", line.c_str());
			                           std::fflush(stdout);
		                           });
		setup.Run({true, demo_data});
	}

	pgwire::PgServerOptions pg_options;
	pg_options.listen_address = config.listen_address;
	pg_options.port = config.pg_port;
	pg_options.tls_cert = tls_cert;
	pg_options.tls_key = tls_key;
	pg_options.require_tls = config.require_tls;
	pg_options.max_connections = config.max_connections;
	pgwire::PgServer pg_server(pg_options, service, users);
	pg_server.Start();

	obs::ReadinessChecks readiness;
	readiness.Add("engine", [&engine] {
		auto session = engine.Connect();
		session->Run("SELECT 1")->Next();
	});
	readiness.Add("metastore", [&metastore] { metastore->SchemaVersion(); });
	readiness.Add("pgwire", [&pg_server] {
		if (pg_server.Port() == 0) {
			throw Error(ErrorCode::Internal, "the PostgreSQL listener is not running");
		}
	});

	unsigned cores = std::max(1u, std::thread::hardware_concurrency());
	WorkerPool workers(config.worker_threads > 0 ? static_cast<size_t>(config.worker_threads)
	                                             : std::max<size_t>(4, cores));
	net::HttpServerOptions http_options;
	http_options.address = config.listen_address;
	http_options.port = static_cast<uint16_t>(config.http_port);
	http_options.tls = http_tls_context;
	net::HttpServer http_server(http_options, workers);
	http_api::RegisterHttpApi(http_server, service, users, readiness);

	// The S3 API serves the local warehouse; with an external S3 service clients go there.
	auto credentials = std::make_shared<auth::CredentialVault>();
	std::unique_ptr<s3_api::S3Api> s3;
	std::unique_ptr<WorkerPool> s3_workers;
	std::unique_ptr<net::HttpServer> s3_server;
	if (bucket_store) {
		s3_api::S3ApiOptions s3_options;
		s3_options.region = config.s3_region;
		s3_options.domains = SplitList(config.s3_domain);
		s3_options.upload_expiry = std::chrono::hours(config.s3_upload_expiry_hours);
		s3_options.audit = &audit;
		s3_options.access = &access;
		s3_options.catalog = &lake;
		s3_options.warehouse_bucket = WarehouseBucket(backends);
		s3 = std::make_unique<s3_api::S3Api>(*bucket_store, users, credentials, s3_options);
		// Uploads and downloads hold a worker while bytes flow, so the S3 API has its own pool.
		s3_workers = std::make_unique<WorkerPool>(std::max<size_t>(64, 8 * cores));
		net::HttpServerOptions s3_http;
		s3_http.address = config.listen_address;
		s3_http.port = static_cast<uint16_t>(config.s3_port);
		s3_http.stream_request_bodies = true;
		s3_http.protocol = "s3";
		s3_http.tls = http_tls_context;
		s3_server = std::make_unique<net::HttpServer>(s3_http, *s3_workers);
		s3->Register(*s3_server);
		s3_server->Start();
	}

	iceberg_rest::IcebergRestOptions rest_options;
	rest_options.s3_host = config.listen_address == "0.0.0.0" ? std::string("localhost") : config.listen_address;
	rest_options.s3_port = s3_server ? s3_server->Port() : static_cast<uint16_t>(config.s3_port);
	rest_options.s3_region = config.s3_region;
	rest_options.s3_tls = http_tls;
	rest_options.credentials = credentials;
	rest_options.audit = &audit;
	rest_options.access = &access;
	iceberg_rest::RegisterIcebergRest(http_server, lake, users, rest_options);
	cockpit_api::CockpitApiOptions cockpit_options;
	cockpit_options.config = &config;
	cockpit_options.users = &users;
	cockpit_options.access = &access;
	cockpit_options.metastore = metastore.get();
	cockpit_options.catalog = &lake;
	cockpit_options.store = backends.warehouse.store.get();
	cockpit_options.warehouse_uri = backends.warehouse.uri;
	cockpit_options.readiness = &readiness;
	cockpit_options.engine_version = engine.Version();
	cockpit_options.http_port = [&http_server] { return http_server.Port(); };
	cockpit_options.pg_port = [&pg_server] { return pg_server.Port(); };
	cockpit_options.s3_port = [&s3_server] { return s3_server ? s3_server->Port() : uint16_t(0); };
	auto cockpit_routes = cockpit_api::RegisterCockpitApi(http_server, std::move(cockpit_options));
	// The shortest prefix, "/": the cockpit answers what no API route claims.
	cockpit::RegisterCockpit(http_server);
	http_server.Start();

	nlohmann::json ports = {{"http", http_server.Port()}, {"pg", pg_server.Port()}};
	if (s3_server) {
		ports["s3"] = s3_server->Port();
	}
	WriteFileAtomically(data_dir / "ports.json", ports.dump() + "\n");
	auto startup_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
	log::Info("server_ready", {{"data_dir", data_dir.string()}, {"pg_port", pg_server.Port()}, {"http_port", http_server.Port()},
	                           {"startup_ms", startup_ms}, {"duckdb", engine.Version()}});

	auto host = config.listen_address == "0.0.0.0" ? std::string("localhost") : config.listen_address;
	std::printf("akko is ready (started in %.0f ms)\n", startup_ms);
	std::printf("  cockpit:    %s://%s:%d/\n", http_scheme, host.c_str(), http_server.Port());
	std::printf("  PostgreSQL: psql \"postgresql://admin@%s:%d/akko%s\"\n", host.c_str(), pg_server.Port(),
	            config.require_tls ? "?sslmode=require" : "");
	std::printf("  HTTP API:   %s://%s:%d/api/v1/query\n", http_scheme, host.c_str(), http_server.Port());
	std::printf("  metrics:    %s://%s:%d/metrics\n", http_scheme, host.c_str(), http_server.Port());
	if (s3_server) {
		std::printf("  S3 API:     %s://%s:%d (access key id: admin)\n", http_scheme, host.c_str(),
		            s3_server->Port());
	}
	std::printf("  data:       %s\n", data_dir.string().c_str());
	if (generated_password) {
		std::printf("  admin password (generated on first start, shown once): %s\n", generated_password->c_str());
	}
	std::fflush(stdout);

	int received = 0;
	sigwait(&signals, &received);
	log::Info("shutdown_started", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
	if (s3_server) {
		s3_server->Stop();
	}
	http_server.Stop();
	pg_server.Stop();
	workers.Stop();
	log::Info("shutdown_complete", nlohmann::json::object());
	return 0;
}

} // namespace akko::cli
