#include "auth/password_hash.hpp"

#include "common/error.hpp"
#include "common/random.hpp"

#include <argon2.h>
#include <fmt/format.h>

namespace akko::auth {

namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

} // namespace

std::string HashPassword(std::string_view password, const Argon2Cost &cost) {
	auto salt = RandomBytes(kSaltBytes);
	std::string encoded(argon2_encodedlen(cost.iterations, cost.memory_kib, cost.lanes, kSaltBytes, kHashBytes, Argon2_id),
	                    '\0');
	int result = argon2id_hash_encoded(cost.iterations, cost.memory_kib, cost.lanes, password.data(), password.size(),
	                                   salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
	if (result != ARGON2_OK) {
		throw Error(ErrorCode::Internal, fmt::format("argon2id hashing failed: {}", argon2_error_message(result)));
	}
	encoded.resize(encoded.find('\0'));
	return encoded;
}

bool VerifyPasswordHash(std::string_view phc, std::string_view password) {
	if (!phc.starts_with("$argon2id$")) {
		return false;
	}
	// libargon2 wants a NUL-terminated string; its comparison of the hashes is constant-time.
	std::string terminated(phc);
	return argon2id_verify(terminated.c_str(), password.data(), password.size()) == ARGON2_OK;
}

} // namespace akko::auth
