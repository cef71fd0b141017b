#include "cli/init_command.hpp"

#include "auth/user_directory.hpp"
#include "authz/access_control.hpp"
#include "catalog/catalog_service.hpp"
#include "cli/lake_backends.hpp"
#include "cli/statement_recorder.hpp"
#include "common/config.hpp"
#include "common/log.hpp"
#include "engine/engine.hpp"
#include "metastore/metastore.hpp"
#include "objstore/bucket_store.hpp"
#include "obs/audit_log.hpp"
#include "provision/lake_setup.hpp"
#include "sql/session.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>

namespace akko::cli {

namespace fs = std::filesystem;

InitCommand::InitCommand(CLI::App &app) {
	command = app.add_subcommand(
	    "init",
	    "Make sure the data directory has the warehouse and service buckets, the namespaces banking, raw, staging and "
	    "analytics, the built-in roles and grants and the admin user; with --demo also the demo users, the banking "
	    "data and its masks and policies. Idempotent: run it any number of times, also while the server runs");
	AddConfigOptions(*command, flags, config_file);
	command->add_flag("--demo", demo,
	                  "Also the banking demo: users alice, bob, carol, eve and dave with the well-known passwords "
	                  "<name>123 (never on a server with real data), the data and its masks and row policies");
	command->add_option("--scale", demo_data.scale, "the demo data's scale: 1 is 50,000 customers and a million "
	                                               "transactions (about 15 s here); 0.01 for a quick look")
	    ->capture_default_str();
	command->add_option("--seed", demo_data.seed, "the demo data's random seed: the same seed and scale give the same "
	                                             "rows")
	    ->capture_default_str();
}

int InitCommand::Run() {
	auto started = std::chrono::steady_clock::now();
	auto config = ResolveConfig(flags, config_file);
	log::Init(config.log_level, config.log_file);
	fs::path data_dir = fs::absolute(config.data_dir).lexically_normal();
	fs::create_directories(data_dir);
	std::printf("akko init: %s%s\n", data_dir.string().c_str(), demo ? " (with the banking demo)" : "");
	std::fflush(stdout);

	auto backends = OpenLakeBackends(config, data_dir.string());
	auth::UserDirectory users(*backends.metastore, {}, auth::AuthOptions::FromConfig(config));
	auto generated_password = users.EnsureBootstrapAdmin(config.admin_password);
	authz::AccessControl access(*backends.metastore);
	catalog::CatalogService lake(*backends.metastore, *backends.warehouse.store, backends.warehouse.uri);
	obs::AuditLog audit((data_dir / "audit").string());

	// A running server holds the data directory's DuckDB file: this engine's database is in memory.
	engine::EngineOptions engine_options;
	engine_options.audit_directory = audit.Directory();
	ConfigureLakeEngine(engine_options, config, lake, backends);
	engine::Engine engine(engine_options);
	sql::SqlService service(engine);
	service.access = &access;
	service.users = &users;
	service.metastore = backends.metastore.get();
	service.on_statement = StatementRecorder(audit);

	std::unique_ptr<objstore::BucketStore> buckets;
	if (!backends.warehouse.local_root.empty()) {
		buckets = objstore::OpenLocalBucketStore(backends.warehouse.local_root);
	}
	provision::LakeSetup setup({service, lake, *backends.metastore, buckets.get(), WarehouseBucket(backends)},
	                           [](const std::string &line) {
		                           std::printf("  %s\n", line.c_str());
		                           std::fflush(stdout);
	                           });
	setup.Run({demo, demo_data});
	if (generated_password) {
		std::printf("  admin password (generated now, shown once): %s\n", generated_password->c_str());
	}
	auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	std::printf("akko init: done in %.1f s\n", seconds);
	return 0;
}

} // namespace akko::cli
