#pragma once
// A small synchronous S3 client: SigV4-signed requests over HTTP or HTTPS (Boost.Beast and
// OpenSSL), kept-alive connections reused from a pool, and retries with exponential backoff
// and jitter on connection errors, 5xx and 429 (never on other 4xx).
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace akko::objstore {

struct S3ClientOptions {
	std::string endpoint; // "http://host:port" or "https://host[:port]"
	std::string region = "us-east-1";
	std::string access_key_id;
	std::string secret_access_key;
	bool virtual_host = false; // the bucket in the host name rather than the path
	int max_attempts = 5;
	std::chrono::milliseconds first_backoff {50};
	std::chrono::milliseconds max_backoff {5000};
	std::chrono::seconds timeout {120}; // one request's connect, send and receive
	size_t max_idle_connections = 32;
};

struct S3Request {
	std::string method;
	std::string bucket;
	std::string key; // empty: the bucket itself
	std::vector<std::pair<std::string, std::string>> query;
	std::vector<std::pair<std::string, std::string>> headers;
	std::string_view body;
};

struct S3Response {
	unsigned status = 0;
	std::map<std::string, std::string> headers; // names in lower case
	std::string body;

	std::string Header(const std::string &name) const {
		auto found = headers.find(name);
		return found == headers.end() ? std::string() : found->second;
	}
};

class S3Client {
public:
	explicit S3Client(S3ClientOptions options_p);
	~S3Client();
	S3Client(const S3Client &) = delete;
	S3Client &operator=(const S3Client &) = delete;

	// The answer once it is final: any status but 5xx and 429, or those after the last attempt.
	// Throws akko::Error (internal) when the service cannot be reached after every attempt.
	S3Response Send(const S3Request &request);
	// Send, and an akko::Error for any status but 2xx: not_found for NoSuchKey/NoSuchBucket,
	// permission_denied for 403, internal otherwise, each with S3's code and message. `what`
	// names the operation in the message ("GET \"bucket/key\"").
	S3Response Call(const S3Request &request, std::string_view what);

	const S3ClientOptions &Options() const {
		return options;
	}

	class Connection;

private:
	S3Response SendOnce(const S3Request &request);
	std::unique_ptr<Connection> Acquire();
	void Release(std::unique_ptr<Connection> connection);

	S3ClientOptions options;
	struct State;
	std::unique_ptr<State> state;
};

// The akko::Error for a final S3 answer that is not 2xx.
[[noreturn]] void ThrowS3Error(const S3Response &response, std::string_view what);

} // namespace akko::objstore
