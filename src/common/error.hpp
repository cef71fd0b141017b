#pragma once
// One error table: every error AKKO raises has a stable code, mapped here (and only here)
// to each protocol's native form.
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace akko {

enum class ErrorCode : uint16_t {
	Internal,
	InvalidInput,
	SyntaxError,
	InvalidName,
	UndefinedTable,
	UndefinedColumn,
	UndefinedFunction,
	UndefinedObject,
	UndefinedParameter,
	DuplicateTable,
	DuplicateSchema,
	DuplicateObject,
	InvalidSchemaName,
	InvalidCatalogName,
	DatatypeMismatch,
	DivisionByZero,
	InvalidTextRepresentation,
	NumericValueOutOfRange,
	StringDataRightTruncation,
	UniqueViolation,
	NotNullViolation,
	ForeignKeyViolation,
	CheckViolation,
	DependentObjects,
	SerializationFailure,
	QueryCanceled,
	AdminShutdown,
	FeatureNotSupported,
	InvalidPassword,
	InvalidAuthorization,
	PermissionDenied,
	ProtocolViolation,
	InFailedTransaction,
	NoActiveTransaction,
	ActiveTransaction,
	InvalidCursorName,
	DuplicateCursor,
	TooManyConnections,
	OutOfMemory,
	ConfigurationError,
	TransactionResolutionUnknown,
	NotFound,
};

struct ErrorDescription {
	std::string_view name;     // stable identifier, e.g. "undefined_table"
	std::string_view sqlstate; // PostgreSQL SQLSTATE
	int http_status;           // HTTP status for JSON APIs
};

const ErrorDescription &Describe(ErrorCode code);

// Whether a failed commit may still have taken effect (the connection went during COMMIT):
// then nothing it wrote may be cleaned up, since the catalog may already point at it.
bool CommitOutcomeUnknown(const std::exception &error);

class Error : public std::exception {
public:
	Error(ErrorCode code_p, std::string message_p, std::optional<uint32_t> position_p = std::nullopt)
	    : code(code_p), message(std::move(message_p)), position(position_p) {
	}
	const char *what() const noexcept override {
		return message.c_str();
	}

	ErrorCode code;
	std::string message;
	// 1-based character offset into the statement text, where the error was found.
	std::optional<uint32_t> position;
};

} // namespace akko
