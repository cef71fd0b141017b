#pragma once
// An S3 error: what the S3 API answers with S3's XML error body and HTTP status.
#include <stdexcept>
#include <string>

namespace akko::s3_api {

class S3Error : public std::runtime_error {
public:
	// `code` is S3's error code ("NoSuchKey", "SignatureDoesNotMatch", ...).
	S3Error(int status_p, std::string code_p, const std::string &message)
	    : std::runtime_error(message), status(status_p), code(std::move(code_p)) {
	}

	int status;
	std::string code;
};

} // namespace akko::s3_api
