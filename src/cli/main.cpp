#include "cli/init_command.hpp"
#include "cli/maintenance_command.hpp"
#include "cli/serve_command.hpp"
#include "common/error.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>

int main(int argc, char **argv) {
	CLI::App app {"akko: a sovereign lakehouse in one server (PostgreSQL wire, HTTP API, embedded DuckDB)", "akko"};
	app.set_version_flag("--version", akko::cli::VersionText());
	app.require_subcommand(1);
	akko::cli::ServeCommand serve(app);
	akko::cli::InitCommand init(app);
	akko::cli::MaintenanceCommand maintenance(app);
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		return app.exit(e);
	}
	try {
		if (serve.Selected()) {
			return serve.Run();
		}
		if (init.Selected()) {
			return init.Run();
		}
		if (maintenance.Selected()) {
			return maintenance.Run();
		}
	} catch (const akko::Error &e) {
		std::fprintf(stderr, "akko: %s\n", e.message.c_str());
		return 1;
	}
	return 0;
}
