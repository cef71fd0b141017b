#include "common/digest.hpp"

#include "common/error.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <utility>

namespace akko {

namespace {

const EVP_MD *Md(Digest::Algorithm algorithm) {
	switch (algorithm) {
	case Digest::Algorithm::Md5:
		return EVP_md5();
	case Digest::Algorithm::Sha1:
		return EVP_sha1();
	case Digest::Algorithm::Sha256:
		return EVP_sha256();
	}
	return nullptr;
}

std::string Final(EVP_MD_CTX *context) {
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int size = 0;
	if (EVP_DigestFinal_ex(context, out, &size) != 1) {
		throw Error(ErrorCode::Internal, "cannot finish a digest");
	}
	return std::string(reinterpret_cast<const char *>(out), size);
}

} // namespace

Digest::Digest(Algorithm algorithm) : context(EVP_MD_CTX_new()) {
	if (!context || EVP_DigestInit_ex(context, Md(algorithm), nullptr) != 1) {
		EVP_MD_CTX_free(context);
		throw Error(ErrorCode::Internal, "cannot start a digest");
	}
}

Digest::~Digest() {
	EVP_MD_CTX_free(context);
}

Digest::Digest(Digest &&other) noexcept : context(std::exchange(other.context, nullptr)) {
}

Digest &Digest::operator=(Digest &&other) noexcept {
	std::swap(context, other.context);
	return *this;
}

void Digest::Update(std::string_view data) {
	EVP_DigestUpdate(context, data.data(), data.size());
}

std::string Digest::Peek() const {
	EVP_MD_CTX *copy = EVP_MD_CTX_new();
	if (!copy || EVP_MD_CTX_copy_ex(copy, context) != 1) {
		EVP_MD_CTX_free(copy);
		throw Error(ErrorCode::Internal, "cannot copy a digest");
	}
	try {
		auto digest = Final(copy);
		EVP_MD_CTX_free(copy);
		return digest;
	} catch (...) {
		EVP_MD_CTX_free(copy);
		throw;
	}
}

std::string Digest::Finish() {
	auto digest = Final(context);
	EVP_DigestInit_ex(context, nullptr, nullptr);
	return digest;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int size = 0;
	if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char *>(data.data()),
	          data.size(), out, &size)) {
		throw Error(ErrorCode::Internal, "HMAC-SHA256 failed");
	}
	return std::string(reinterpret_cast<const char *>(out), size);
}

} // namespace akko
