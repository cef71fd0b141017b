#pragma once
// Randomness from OpenSSL's CSPRNG: secrets, salts and nonces, and identifiers such as Iceberg's
// table UUIDs that other writers must never collide with.
#include <cstddef>
#include <string>

namespace akko {

// `count` random bytes. Throws akko::Error (internal) if the generator fails.
std::string RandomBytes(size_t count);

// A random (version 4) UUID in its canonical lower-case form, 8-4-4-4-12 hex digits.
std::string NewUuid();

} // namespace akko
