#pragma once
// `akko serve`: the whole server in one process.
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
};

} // namespace akko::cli
