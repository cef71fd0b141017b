#pragma once
// akko::Error in the Iceberg REST catalog's error model: {"error": {"message", "type", "code"}}
// with the exception types Java's, PyIceberg's and Rust's clients map to their own exceptions.
#include "adapters/iceberg_rest/rest_route.hpp"
#include "net/http_message.hpp"

#include <string>

namespace akko {
class Error;
}

namespace akko::iceberg_rest {

struct ErrorModel {
	int code = 500;
	std::string type;
	std::string message;
};

// `subject` tells a missing table from a missing view; in a `commit`, a server-side failure is
// CommitStateUnknownException (the new metadata may or may not be in place), never a plain 500.
ErrorModel ToErrorModel(const akko::Error &error, Subject subject, bool commit);
// For exceptions that are not akko::Error.
ErrorModel InternalErrorModel(const std::string &message, bool commit);

net::HttpResponse ErrorResponse(const ErrorModel &error);

} // namespace akko::iceberg_rest
