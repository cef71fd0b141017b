#pragma once
// Argon2id password hashes in the PHC string format ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"),
// the form libargon2, PHP and Python's argon2-cffi read and write.
#include <cstdint>
#include <string>
#include <string_view>

namespace akko::auth {

// OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
struct Argon2Cost {
	uint32_t memory_kib = 19456;
	uint32_t iterations = 2;
	uint32_t lanes = 1;
};

// A fresh random salt each call. Throws akko::Error (internal) when libargon2 fails.
std::string HashPassword(std::string_view password, const Argon2Cost &cost = {});
// Whether `password` matches the PHC string; false for a malformed or non-argon2id string too.
bool VerifyPasswordHash(std::string_view phc, std::string_view password);

} // namespace akko::auth
