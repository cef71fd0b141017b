#include "engine/duckdb_internal.hpp"
#include "engine/lake_types.hpp"

namespace akko::engine {

namespace {

bool Contains(const std::string &text, const char *part) {
	return text.find(part) != std::string::npos;
}

ErrorCode CatalogCode(const std::string &message) {
	if (Contains(message, "already exists")) {
		if (Contains(message, "Schema")) {
			return ErrorCode::DuplicateSchema;
		}
		return Contains(message, "Table") || Contains(message, "View") ? ErrorCode::DuplicateTable
		                                                                : ErrorCode::DuplicateObject;
	}
	if (Contains(message, "Function") || Contains(message, "Macro")) {
		return ErrorCode::UndefinedFunction;
	}
	if (Contains(message, "Schema with name") || Contains(message, "schema")) {
		return Contains(message, "Table") ? ErrorCode::UndefinedTable : ErrorCode::InvalidSchemaName;
	}
	if (Contains(message, "Table") || Contains(message, "View")) {
		return ErrorCode::UndefinedTable;
	}
	if (Contains(message, "Catalog") || Contains(message, "database")) {
		return ErrorCode::InvalidCatalogName;
	}
	return ErrorCode::UndefinedObject;
}

ErrorCode BinderCode(const std::string &message) {
	if (Contains(message, "Referenced column") || (Contains(message, "column") && Contains(message, "not found")) ||
	    Contains(message, "does not have a column")) {
		return ErrorCode::UndefinedColumn;
	}
	if (Contains(message, "No function matches") || Contains(message, "Function with name") ||
	    Contains(message, "does not exist")) {
		return ErrorCode::UndefinedFunction;
	}
	if (Contains(message, "Table") && Contains(message, "does not exist")) {
		return ErrorCode::UndefinedTable;
	}
	if (Contains(message, "Cannot compare") || Contains(message, "Cannot mix") || Contains(message, "type")) {
		return ErrorCode::DatatypeMismatch;
	}
	return ErrorCode::SyntaxError;
}

ErrorCode ConstraintCode(const std::string &message) {
	if (Contains(message, "NOT NULL")) {
		return ErrorCode::NotNullViolation;
	}
	if (Contains(message, "CHECK")) {
		return ErrorCode::CheckViolation;
	}
	if (Contains(message, "foreign key")) {
		return ErrorCode::ForeignKeyViolation;
	}
	return ErrorCode::UniqueViolation;
}

ErrorCode CodeFor(duckdb::ExceptionType type, const std::string &message) {
	using duckdb::ExceptionType;
	switch (type) {
	case ExceptionType::PARSER:
	case ExceptionType::SYNTAX:
		return ErrorCode::SyntaxError;
	case ExceptionType::CATALOG:
		return CatalogCode(message);
	case ExceptionType::BINDER:
		return BinderCode(message);
	case ExceptionType::DIVIDE_BY_ZERO:
		return ErrorCode::DivisionByZero;
	case ExceptionType::CONVERSION:
		return Contains(message, "out of range") ? ErrorCode::NumericValueOutOfRange : ErrorCode::InvalidTextRepresentation;
	case ExceptionType::OUT_OF_RANGE:
	case ExceptionType::DECIMAL:
		return ErrorCode::NumericValueOutOfRange;
	case ExceptionType::CONSTRAINT:
		return ConstraintCode(message);
	case ExceptionType::TRANSACTION:
		// A lake commit that lost to a concurrent one reaches here as "Failed to commit: ...",
		// without the code it was thrown with.
		if (Contains(message, "Conflict") || Contains(message, "conflict") || Contains(message, "could not serialize") ||
		    Contains(message, "concurrent commits won the race") || Contains(message, "re-created by another transaction")) {
			return ErrorCode::SerializationFailure;
		}
		if (Contains(message, "no transaction is active")) {
			return ErrorCode::NoActiveTransaction;
		}
		if (Contains(message, "within a transaction")) {
			return ErrorCode::ActiveTransaction;
		}
		return ErrorCode::InFailedTransaction;
	case ExceptionType::INTERRUPT:
		return ErrorCode::QueryCanceled;
	case ExceptionType::NOT_IMPLEMENTED:
		return ErrorCode::FeatureNotSupported;
	case ExceptionType::MISMATCH_TYPE:
	case ExceptionType::INVALID_TYPE:
		return ErrorCode::DatatypeMismatch;
	case ExceptionType::PARAMETER_NOT_RESOLVED:
		return ErrorCode::UndefinedParameter;
	case ExceptionType::PERMISSION:
		return ErrorCode::PermissionDenied;
	case ExceptionType::OUT_OF_MEMORY:
		return ErrorCode::OutOfMemory;
	case ExceptionType::INVALID_INPUT:
	case ExceptionType::SETTINGS:
	case ExceptionType::INVALID_CONFIGURATION:
		return Contains(message, "unrecognized configuration parameter") || Contains(message, "Unrecognized")
		           ? ErrorCode::UndefinedObject
		           : ErrorCode::InvalidInput;
	case ExceptionType::DEPENDENCY:
		return ErrorCode::DependentObjects;
	default:
		return ErrorCode::Internal;
	}
}

} // namespace

void RaiseError(const duckdb::ErrorData &error) {
	// DuckDB appends a "LINE 1: ..." excerpt with a caret; clients draw their own from the
	// position, so the excerpt would show twice.
	auto message = error.RawMessage();
	if (auto excerpt = message.find("\nLINE "); excerpt != std::string::npos) {
		message.erase(excerpt);
		while (!message.empty() && message.back() == '\n') {
			message.pop_back();
		}
	}
	std::optional<uint32_t> position;
	auto &extra = error.ExtraInfo();
	if (auto found = extra.find("position"); found != extra.end()) {
		try {
			position = static_cast<uint32_t>(std::stoul(found->second)) + 1;
		} catch (const std::exception &) {
		}
	}
	auto carried = CarriedCode(error);
	throw akko::Error(carried ? *carried : CodeFor(error.Type(), message), message, position);
}

} // namespace akko::engine
