#pragma once
// Message digests and HMAC over OpenSSL, for S3 ETags and checksums, SigV4 and SCRAM. Results
// are raw bytes (Hex or Base64Encode them as the protocol wants).
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace akko {

// A digest computed as data arrives. Throws akko::Error (internal) if OpenSSL fails.
class Digest {
public:
	enum class Algorithm { Md5, Sha1, Sha256 };

	explicit Digest(Algorithm algorithm);
	~Digest();
	Digest(const Digest &) = delete;
	Digest &operator=(const Digest &) = delete;
	Digest(Digest &&other) noexcept;
	Digest &operator=(Digest &&other) noexcept;

	void Update(std::string_view data);
	// The digest of everything so far; the running digest goes on.
	std::string Peek() const;
	// The digest of everything so far; the next one starts from nothing.
	std::string Finish();

private:
	evp_md_ctx_st *context;
};

std::string HmacSha256(std::string_view key, std::string_view data);

} // namespace akko
