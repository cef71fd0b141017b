// The TLS settings and how booleans are spelled. The accepted spellings are PostgreSQL's for a
// boolean parameter (docs, "Parameter Names and Values": on, off, true, false, yes, no, 1, 0,
// case-insensitive; not its unique prefixes), which are also YAML 1.1's.
#include "common/config.hpp"
#include "common/error.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace akko;
namespace fs = std::filesystem;

namespace {

class TlsConfigTest : public ::testing::Test {
protected:
	void SetUp() override {
		unsetenv("AKKO_HTTP_TLS");
		unsetenv("AKKO_REQUIRE_TLS");
		yaml = fs::temp_directory_path() / ("akko-tls-config-" + std::to_string(getpid()) + ".yaml");
	}
	void TearDown() override {
		fs::remove(yaml);
	}
	Config Resolve(const std::map<std::string, std::string> &flags, const std::string &text) {
		std::ofstream(yaml) << text;
		return ResolveConfig(flags, yaml.string());
	}
	fs::path yaml;
};

TEST_F(TlsConfigTest, DefaultsAreOff) {
	auto config = Resolve({}, "data_dir: x\n");
	EXPECT_FALSE(config.http_tls);
	EXPECT_FALSE(config.require_tls);
}

TEST_F(TlsConfigTest, PostgreSqlBooleanSpellings) {
	for (auto yes : {"true", "TRUE", "on", "On", "yes", "1"}) {
		EXPECT_TRUE(Resolve({{"require_tls", yes}}, "data_dir: x\n").require_tls) << yes;
	}
	for (auto no : {"false", "Off", "no", "NO", "0"}) {
		EXPECT_FALSE(Resolve({{"require_tls", no}}, "data_dir: x\n").require_tls) << no;
	}
}

TEST_F(TlsConfigTest, YamlBooleansAndFlagPrecedence) {
	EXPECT_TRUE(Resolve({}, "http_tls: true\n").http_tls);
	EXPECT_TRUE(Resolve({}, "http_tls: yes\n").http_tls);
	EXPECT_FALSE(Resolve({{"http_tls", "false"}}, "http_tls: true\n").http_tls);
}

TEST_F(TlsConfigTest, EnvironmentBoolean) {
	setenv("AKKO_REQUIRE_TLS", "on", 1);
	EXPECT_TRUE(Resolve({}, "data_dir: x\n").require_tls);
	unsetenv("AKKO_REQUIRE_TLS");
}

TEST_F(TlsConfigTest, AnythingElseIsAnError) {
	for (auto bad : {"maybe", "", "2", "truee", "t rue"}) {
		try {
			Resolve({{"http_tls", bad}}, "data_dir: x\n");
			FAIL() << "accepted \"" << bad << "\"";
		} catch (const Error &error) {
			EXPECT_EQ(error.code, ErrorCode::ConfigurationError);
			EXPECT_NE(error.message.find("http_tls"), std::string::npos) << error.message;
			EXPECT_NE(error.message.find(std::string("\"") + bad + "\""), std::string::npos) << error.message;
		}
	}
}

} // namespace
