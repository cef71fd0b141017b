#include "adapters/iceberg_rest/rest_error.hpp"

#include "common/error.hpp"

#include <nlohmann/json.hpp>

namespace akko::iceberg_rest {

ErrorModel ToErrorModel(const akko::Error &error, Subject subject, bool commit) {
	switch (error.code) {
	case ErrorCode::InvalidSchemaName:
		return {404, "NoSuchNamespaceException", error.message};
	case ErrorCode::UndefinedTable:
		return {404, subject == Subject::View ? "NoSuchViewException" : "NoSuchTableException", error.message};
	case ErrorCode::NotFound:
	case ErrorCode::UndefinedObject:
	case ErrorCode::InvalidCatalogName:
		return {404, "NotFoundException", error.message};
	case ErrorCode::DuplicateTable:
	case ErrorCode::DuplicateSchema:
	case ErrorCode::DuplicateObject:
	case ErrorCode::UniqueViolation:
		return {409, "AlreadyExistsException", error.message};
	case ErrorCode::DependentObjects:
		return {409, "NamespaceNotEmptyException", error.message};
	case ErrorCode::SerializationFailure:
		// Outside a commit, a conflict that outlasted the retries is no client mistake.
		return commit ? ErrorModel {409, "CommitFailedException", error.message}
		              : ErrorModel {503, "ServiceUnavailableException", error.message};
	case ErrorCode::TransactionResolutionUnknown:
		return {500, commit ? "CommitStateUnknownException" : "InternalServerError", error.message};
	case ErrorCode::InvalidAuthorization:
	case ErrorCode::InvalidPassword:
		return {401, "NotAuthorizedException", error.message};
	case ErrorCode::PermissionDenied:
		return {403, "ForbiddenException", error.message};
	case ErrorCode::FeatureNotSupported:
		return {406, "UnsupportedOperationException", error.message};
	case ErrorCode::AdminShutdown:
	case ErrorCode::TooManyConnections:
	case ErrorCode::OutOfMemory:
	case ErrorCode::QueryCanceled:
		return {503, "ServiceUnavailableException", error.message};
	default:
		break;
	}
	if (Describe(error.code).http_status < 500) {
		return {400, "BadRequestException", error.message};
	}
	return InternalErrorModel(error.message, commit);
}

ErrorModel InternalErrorModel(const std::string &message, bool commit) {
	return {500, commit ? "CommitStateUnknownException" : "InternalServerError", message};
}

net::HttpResponse ErrorResponse(const ErrorModel &error) {
	nlohmann::json body = {{"error", {{"message", error.message}, {"type", error.type}, {"code", error.code}}}};
	return net::HttpResponse {
	    error.code, "application/json", {}, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

} // namespace akko::iceberg_rest
