#pragma once
// What a shell command prints, for tests that check our output against a CLI (openssl, argon2).
#include <string>

namespace akko::test {

// The command's standard output; a failed exit status fails the running test.
std::string ShellOutput(const std::string &command);

} // namespace akko::test
