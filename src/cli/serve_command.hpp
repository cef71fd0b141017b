#pragma once
// `akko serve`: the whole server in one process.
#include "provision/banking_demo.hpp"

#include <CLI/CLI.hpp>
#include <map>
#include <string>

namespace akko::cli {

std::string VersionText();

class ServeCommand {
public:
	explicit ServeCommand(CLI::App &app);
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
