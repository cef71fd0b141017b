// Feeds arbitrary request bodies, in arbitrary pieces, to the S3 API's payload reader: the
// aws-chunked decoder with and without chunk signatures, trailers and checksums. It may
// refuse anything with an S3Error, never crash, hang or read out of bounds.
#include "adapters/s3_api/request_signature.hpp"
#include "common/error.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

using namespace akko;

namespace {

// Hands the body out in pieces whose sizes come from the input, as a network would.
class PiecewiseBody : public net::RequestBody {
public:
	PiecewiseBody(std::string_view data_p, uint8_t step_p) : data(data_p), step(std::max<size_t>(1, step_p)) {
	}
	size_t Read(char *buffer, size_t size) override {
		auto n = std::min({size, step, data.size()});
		std::copy_n(data.data(), n, buffer);
		data.remove_prefix(n);
		return n;
	}

private:
	std::string_view data;
	size_t step;
};

constexpr const char *kModes[] = {"STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                                  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "UNSIGNED-PAYLOAD"};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size < 2) {
		return 0;
	}
	std::string_view input(reinterpret_cast<const char *>(data), size);
	auto mode = kModes[static_cast<uint8_t>(input[0]) % 4];
	auto step = static_cast<uint8_t>(input[1]);
	auto body_bytes = input.substr(2);

	net::HttpRequest request;
	request.method = "PUT";
	request.path = "/bucket/key";
	request.headers = {{"host", "127.0.0.1"},
	                   {"x-amz-content-sha256", mode},
	                   {"content-encoding", "aws-chunked"},
	                   {"x-amz-trailer", "x-amz-checksum-crc32c"},
	                   {"x-amz-date", "20130524T000000Z"}};
	s3_api::RequestSignature signature;
	signature.access_key_id = "AKIAIOSFODNN7EXAMPLE";
	signature.scope_date = "20130524";
	signature.region = "us-east-1";
	signature.amz_date = "20130524T000000Z";
	signature.signed_headers = "host;x-amz-content-sha256;x-amz-date";
	signature.signature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
	signature.payload_hash = mode;
	PiecewiseBody body(body_bytes, step);
	try {
		auto payload = s3_api::OpenPayload(request, body, signature, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
		char buffer[4096];
		while (payload->Read(buffer, 1 + step % sizeof(buffer)) > 0) {
		}
		payload->Checksums();
	} catch (const s3_api::S3Error &) {
	} catch (const Error &) {
	}
	return 0;
}
