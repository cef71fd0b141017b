// Argon2id PHC strings against the reference implementation's CLI (Debian package argon2):
// `echo -n password | argon2 somesalt -id -t 2 -k 19456 -p 1 -e`.
#include "auth/password_hash.hpp"

#include <gtest/gtest.h>

using namespace akko::auth;

namespace {

TEST(PasswordHashTest, VerifiesHashesOfTheArgon2Cli) {
	const char *cli = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E";
	EXPECT_TRUE(VerifyPasswordHash(cli, "password"));
	EXPECT_FALSE(VerifyPasswordHash(cli, "Password"));
	const char *other = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$sDq4SJydHwxWnLTlXqq5ZzNDfmXrJUlaeTohxQaFrio";
	EXPECT_TRUE(VerifyPasswordHash(other, "correct horse"));
}

TEST(PasswordHashTest, HashesWithOwaspCostAndFreshSalt) {
	auto first = HashPassword("s3cret");
	auto second = HashPassword("s3cret");
	EXPECT_TRUE(first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << first;
	EXPECT_NE(first, second);
	EXPECT_TRUE(VerifyPasswordHash(first, "s3cret"));
	EXPECT_FALSE(VerifyPasswordHash(first, "s3cret "));
}

TEST(PasswordHashTest, RefusesOtherSchemes) {
	EXPECT_FALSE(VerifyPasswordHash("$argon2i$v=19$m=16,t=2,p=1$c29tZXNhbHQ$abc", "password"));
	EXPECT_FALSE(VerifyPasswordHash("SCRAM-SHA-256$4096:...", "password"));
	EXPECT_FALSE(VerifyPasswordHash("", ""));
}

} // namespace
