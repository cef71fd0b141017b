#pragma once
// `akko init [--demo]`: makes sure a data directory (or the configured metastore and
// warehouse) holds what a new installation needs, and with --demo the banking demo
// (provision::LakeSetup; docs/init.md). Idempotent, and safe while a server runs there: like
// `akko maintenance` it works through its own in-memory engine over the same catalog.
#include "provision/banking_demo.hpp"

#include <CLI/CLI.hpp>
#include <map>
#include <string>

namespace akko::cli {

class InitCommand {
public:
	explicit InitCommand(CLI::App &app);
	bool Selected() const {
		return command->parsed();
	}
	int Run();

private:
	CLI::App *command;
	std::map<std::string, std::string> flags;
	std::string config_file;
	bool demo = false;
	provision::BankingDemoOptions demo_data;
};

} // namespace akko::cli
