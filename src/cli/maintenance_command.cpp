#include "cli/maintenance_command.hpp"

#include "catalog/catalog_service.hpp"
#include "common/config.hpp"
#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "engine/engine.hpp"
#include "cli/lake_backends.hpp"
#include "metastore/metastore.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <functional>

namespace akko::cli {

namespace fs = std::filesystem;

namespace {

// "7d", "12h", "30m", "90s": that long before now, as a UTC timestamp literal; anything else is
// taken as a timestamp DuckDB reads.
std::string TimestampArgument(const std::string &text) {
	static const std::pair<char, int64_t> kUnits[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
	if (text.size() >= 2 && text.find_first_not_of("0123456789") == text.size() - 1) {
		for (auto &[unit, seconds] : kUnits) {
			if (text.back() == unit) {
				auto ago = std::chrono::system_clock::now() - std::chrono::seconds(std::stoll(text) * seconds);
				auto time = std::chrono::system_clock::to_time_t(ago);
				std::tm utc {};
				gmtime_r(&time, &utc);
				char buffer[32];
				std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%S+00", &utc);
				return fmt::format("TIMESTAMPTZ {}", QuoteLiteral(buffer));
			}
		}
	}
	return fmt::format("TIMESTAMPTZ {}", QuoteLiteral(text));
}

std::string CellText(const engine::ColumnView &column, uint64_t row) {
	if (column.IsNull(row)) {
		return "NULL";
	}
	switch (column.type->kind) {
	case engine::TypeKind::BigInt:
		return std::to_string(column.Get<int64_t>(row));
	case engine::TypeKind::Varchar:
		return std::string(column.strings[row]);
	default:
		throw Error(ErrorCode::Internal, fmt::format("unexpected result type {}", column.type->name));
	}
}

std::vector<std::string> AllTables(catalog::CatalogService &lake) {
	std::vector<std::string> names;
	std::function<void(const metastore::NamespaceName &)> walk = [&](const metastore::NamespaceName &parent) {
		for (auto &child : lake.ListNamespaces(parent)) {
			for (auto &id : lake.ListTables(child)) {
				names.push_back(catalog::ToString(id));
			}
			walk(child);
		}
	};
	walk({});
	return names;
}

} // namespace

MaintenanceCommand::MaintenanceCommand(CLI::App &app) {
	command = app.add_subcommand(
	    "maintenance",
	    "Table maintenance (expire snapshots, remove orphan files, compact data files, rewrite manifests), safe "
	    "while the server runs; the same as the CALL procedures of docs/maintenance.md");
	command->require_subcommand(1);
	AddConfigOptions(*command, flags, config_file);
	auto operation = [&](const char *name, const char *procedure_name, const char *help) {
		auto *sub = command->add_subcommand(name, help);
		sub->fallthrough();
		sub->add_option("tables", tables, "tables to maintain, as namespace.table");
		sub->add_flag("--all-tables", all_tables, "every table of every namespace");
		sub->callback([this, procedure_name] { procedure = procedure_name; });
		return sub;
	};
	auto *expire = operation("expire-snapshots", "expire_snapshots",
	                         "Expire old snapshots (keeping those branches and tags need) and delete the files only "
	                         "they reached");
	expire->add_option("--older-than", older_than,
	                   "expire snapshots older than this timestamp, or this long ago (7d, 12h, 30m); default: the "
	                   "table's history.expire.max-snapshot-age-ms, else 5 days");
	expire->add_option("--retain-last", retain_last,
	                   "keep at least this many ancestors of each branch; default: history.expire.min-snapshots-to-keep, "
	                   "else 1");
	auto *orphans = operation("remove-orphan-files", "remove_orphan_files",
	                          "Delete files under a table's location that no metadata references");
	orphans->add_option("--older-than", older_than,
	                    "only files last modified before this timestamp, or this long ago (default 3d)");
	orphans->add_flag("--dry-run", dry_run, "list the orphan files without deleting them");
	auto *compact = operation("rewrite-data-files", "rewrite_data_files",
	                          "Compact each partition's small data files (deletes applied) into larger ones");
	compact->add_option("--target-file-size-bytes", target_file_size_bytes,
	                    "files smaller than this are compacted (default: write.target-file-size-bytes, else 512 MiB)");
	compact->add_option("--min-input-files", min_input_files,
	                    "compact a partition with at least this many small files (default 5)");
	operation("rewrite-manifests", "rewrite_manifests",
	          "Merge the current snapshot's manifests of each partition spec into fewer, larger ones");
}

std::string MaintenanceCommand::CallFor(const std::string &table) const {
	std::vector<std::string> arguments {QuoteLiteral(table)};
	if (older_than) {
		arguments.push_back("older_than => " + TimestampArgument(*older_than));
	}
	if (retain_last) {
		arguments.push_back(fmt::format("retain_last => {}", *retain_last));
	}
	if (dry_run) {
		arguments.push_back("dry_run => true");
	}
	if (target_file_size_bytes) {
		arguments.push_back(fmt::format("target_file_size_bytes => {}", *target_file_size_bytes));
	}
	if (min_input_files) {
		arguments.push_back(fmt::format("min_input_files => {}", *min_input_files));
	}
	return fmt::format("CALL {}({})", procedure, fmt::join(arguments, ", "));
}

int MaintenanceCommand::Run() {
	if (all_tables == !tables.empty()) {
		throw Error(ErrorCode::InvalidInput, "name the tables to maintain, or give --all-tables (not both)");
	}
	auto config = ResolveConfig(flags, config_file);
	fs::path data_dir = fs::absolute(config.data_dir).lexically_normal();
	if (config.metastore.empty() && !fs::exists(data_dir / "metastore.db")) {
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("no AKKO data in \"{}\" (give --data-dir, or start `akko serve` there first)",
		                        data_dir.string()));
	}
	auto backends = OpenLakeBackends(config, data_dir.string());
	catalog::CatalogService lake(*backends.metastore, *backends.warehouse.store, backends.warehouse.uri);

	// The server holds the data directory's DuckDB file: this engine's database is in memory.
	engine::EngineOptions options;
	ConfigureLakeEngine(options, config, lake, backends);
	engine::Engine engine(options);
	auto session = engine.Connect();

	auto targets = all_tables ? AllTables(lake) : tables;
	int failures = 0;
	for (size_t i = 0; i < targets.size(); i++) {
		auto &table = targets[i];
		std::fprintf(stderr, "[%zu/%zu] %s %s ...\n", i + 1, targets.size(), procedure.c_str(), table.c_str());
		auto started = std::chrono::steady_clock::now();
		try {
			auto stream = session->Run(CallFor(table));
			auto &columns = stream->Columns();
			size_t rows = 0;
			while (auto chunk = stream->Next()) {
				auto &views = chunk->Columns();
				for (uint64_t row = 0; row < chunk->RowCount(); row++, rows++) {
					std::string line = table;
					for (size_t c = 0; c < columns.size(); c++) {
						line += fmt::format("\t{}={}", columns[c].name, CellText(views[c], row));
					}
					std::printf("%s\n", line.c_str());
				}
			}
			if (procedure == "remove_orphan_files") {
				std::printf("%s\torphan_files=%zu%s\n", table.c_str(), rows, dry_run ? " (dry run: nothing deleted)" : "");
			}
			std::fflush(stdout);
			auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
			std::fprintf(stderr, "[%zu/%zu] %s done in %.2f s\n", i + 1, targets.size(), table.c_str(), seconds);
		} catch (const Error &error) {
			failures++;
			std::fprintf(stderr, "[%zu/%zu] %s failed: %s\n", i + 1, targets.size(), table.c_str(), error.message.c_str());
		}
	}
	if (targets.empty()) {
		std::fprintf(stderr, "no tables to maintain\n");
	}
	return failures == 0 ? 0 : 1;
}

} // namespace akko::cli
