#pragma once
// `akko maintenance <operation> <table>... | --all-tables`: table maintenance from outside the
// server, safe while it runs. The server holds its DuckDB database file, so this opens the same
// metastore and warehouse (resolved as `akko serve` resolves them), attaches the lake to an
// in-memory DuckDB and runs the maintenance procedures there (CALL expire_snapshots, ...); the
// catalog's optimistic commits make that safe across processes.
#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace akko::cli {

class MaintenanceCommand {
public:
	explicit MaintenanceCommand(CLI::App &app);
	bool Selected() const {
		return command->parsed();
	}
	int Run();

private:
	// The CALL statement that runs the chosen operation on `table` ("namespace.name").
	std::string CallFor(const std::string &table) const;

	CLI::App *command;
	std::map<std::string, std::string> flags;
	std::string config_file;
	// The chosen operation's procedure, e.g. "expire_snapshots".
	std::string procedure;
	std::vector<std::string> tables;
	bool all_tables = false;
	std::optional<std::string> older_than;
	std::optional<int> retain_last;
	bool dry_run = false;
	std::optional<int64_t> target_file_size_bytes;
	std::optional<int64_t> min_input_files;
};

} // namespace akko::cli
