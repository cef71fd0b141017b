#include "shell_output.hpp"

#include <cstdio>
#include <gtest/gtest.h>

namespace akko::test {

std::string ShellOutput(const std::string &command) {
	std::string output;
	auto *pipe = popen(command.c_str(), "r");
	char buffer[4096];
	size_t count;
	while ((count = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
		output.append(buffer, count);
	}
	EXPECT_EQ(pclose(pipe), 0) << command;
	return output;
}

} // namespace akko::test
