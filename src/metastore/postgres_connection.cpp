#include "metastore/postgres_connection.hpp"

#include "common/error.hpp"

#include <cctype>
#include <cstring>
#include <fmt/format.h>
#include <libpq-fe.h>

namespace akko::metastore {

namespace {

// Gives up on an unreachable server instead of leaving a request hanging on the OS's TCP
// timeout; a connection string's own connect_timeout wins.
constexpr const char *kConnectTimeoutSeconds = "10";

std::string PercentDecoded(const std::string &text) {
	std::string decoded;
	for (size_t i = 0; i < text.size(); i++) {
		if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
		    std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
			decoded += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
			i += 2;
		} else {
			decoded += text[i];
		}
	}
	return decoded;
}

// The password as written in a URI's user information (postgresql://user:password@host),
// found by hand so that it can be scrubbed even from the error of a string libpq rejects.
std::string UriPassword(const std::string &conninfo) {
	auto scheme_end = conninfo.find("://");
	if (scheme_end == std::string::npos) {
		return "";
	}
	auto authority_start = scheme_end + 3;
	auto authority_end = conninfo.find_first_of("/?", authority_start);
	auto at = conninfo.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end);
	if (at == std::string::npos || at < authority_start) {
		return "";
	}
	auto colon = conninfo.find(':', authority_start);
	if (colon == std::string::npos || colon > at) {
		return "";
	}
	return conninfo.substr(colon + 1, at - colon - 1);
}

// The value of password=... in a key=value string, up to the next space.
std::string KeywordPassword(const std::string &conninfo) {
	auto found = conninfo.find("password=");
	if (found == std::string::npos) {
		return "";
	}
	auto start = found + std::strlen("password=");
	return conninfo.substr(start, conninfo.find(' ', start) - start);
}

std::string Trimmed(std::string text) {
	while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
		text.pop_back();
	}
	return text;
}

std::string FirstLine(std::string_view sql) {
	auto start = sql.find_first_not_of(" \n\t");
	if (start == std::string_view::npos) {
		return "";
	}
	sql.remove_prefix(start);
	return std::string(sql.substr(0, sql.find('\n')));
}

ErrorCode CodeForSqlState(const std::string &state) {
	if (state == "40001" || state == "40P01") {
		return ErrorCode::SerializationFailure;
	}
	if (state == "23505") {
		return ErrorCode::UniqueViolation;
	}
	if (state == "23503") {
		return ErrorCode::ForeignKeyViolation;
	}
	// Invalid or untranslatable characters, a NUL in text: the value cannot be stored.
	if (state == "22021" || state == "22P05") {
		return ErrorCode::InvalidInput;
	}
	if (state == "57014") {
		return ErrorCode::QueryCanceled;
	}
	return ErrorCode::Internal;
}

} // namespace

ConnectionTarget::ConnectionTarget(std::string conninfo_p) : conninfo(std::move(conninfo_p)) {
	for (auto candidate : {UriPassword(conninfo), KeywordPassword(conninfo)}) {
		if (!candidate.empty()) {
			secrets.push_back(candidate);
			secrets.push_back(PercentDecoded(candidate));
		}
	}
	char *error = nullptr;
	PQconninfoOption *options = PQconninfoParse(conninfo.c_str(), &error);
	if (!options) {
		display = "an unparsable connection string";
		PQfreemem(error);
		return;
	}
	std::string user, host, port, dbname;
	for (auto *option = options; option->keyword; option++) {
		std::string keyword = option->keyword;
		std::string value = option->val ? option->val : "";
		if (keyword == "password" && !value.empty()) {
			secrets.push_back(value);
		} else if (keyword == "user") {
			user = value;
		} else if (keyword == "host" || (keyword == "hostaddr" && host.empty())) {
			host = value;
		} else if (keyword == "port") {
			port = value;
		} else if (keyword == "dbname") {
			dbname = value;
		}
	}
	PQconninfoFree(options);
	display = fmt::format("postgresql://{}{}{}{}/{}", user.empty() ? "" : user + "@", host, port.empty() ? "" : ":",
	                      port, dbname);
}

std::string ConnectionTarget::Scrub(std::string text) const {
	for (auto &secret : secrets) {
		if (secret.empty()) {
			continue;
		}
		for (auto found = text.find(secret); found != std::string::npos; found = text.find(secret, found + 3)) {
			text.replace(found, secret.size(), "***");
		}
	}
	return text;
}

PostgresResult::PostgresResult(pg_result *result_p) : result(result_p) {
}

PostgresResult::~PostgresResult() {
	PQclear(result);
}

PostgresResult::PostgresResult(PostgresResult &&other) noexcept : result(other.result) {
	other.result = nullptr;
}

int PostgresResult::Rows() const {
	return PQntuples(result);
}

int PostgresResult::Columns() const {
	return PQnfields(result);
}

std::string PostgresResult::Text(int row, int column) const {
	return std::string(PQgetvalue(result, row, column), static_cast<size_t>(PQgetlength(result, row, column)));
}

int64_t PostgresResult::Integer(int row, int column) const {
	return std::stoll(Text(row, column));
}

bool PostgresResult::Boolean(int row, int column) const {
	return Text(row, column) == "t";
}

int64_t PostgresResult::Affected() const {
	const char *count = PQcmdTuples(result);
	return count && *count ? std::stoll(count) : 0;
}

std::string PostgresResult::CommandTag() const {
	const char *tag = PQcmdStatus(result);
	return tag ? tag : "";
}

PostgresConnection::PostgresConnection(const ConnectionTarget &target_p, const std::string &schema)
    : target(target_p) {
	// Processed in order with the last value winning, so the connection string comes last
	// and overrides these defaults.
	const char *keywords[] = {"connect_timeout", "application_name", "client_encoding", "dbname", nullptr};
	const char *values[] = {kConnectTimeoutSeconds, "akko", "UTF8", target.Conninfo().c_str(), nullptr};
	conn = PQconnectdbParams(keywords, values, 1);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		auto reason = conn ? Trimmed(PQerrorMessage(conn)) : std::string("out of memory");
		PQfinish(conn);
		throw Error(ErrorCode::Internal, target.Scrub(fmt::format("metastore: cannot connect to {}: {}",
		                                                          target.Display(), reason)));
	}
	// Notices ("already exists, skipping") are no failures, and libpq would print them to
	// standard error, outside the server's JSON log.
	PQsetNoticeProcessor(conn, [](void *, const char *) {}, nullptr);
	try {
		Exec("SELECT pg_catalog.set_config('search_path', $1, false)", {schema});
	} catch (...) {
		PQfinish(conn);
		throw;
	}
}

PostgresConnection::~PostgresConnection() {
	PQfinish(conn);
}

PostgresResult PostgresConnection::Exec(std::string_view sql, const std::vector<std::string> &params) {
	std::vector<const char *> values;
	values.reserve(params.size());
	for (auto &param : params) {
		// Text parameters travel NUL-terminated, and PostgreSQL text cannot hold NUL anyway.
		if (param.find('\0') != std::string::npos) {
			throw Error(ErrorCode::InvalidInput, "the PostgreSQL metastore cannot store text with NUL characters");
		}
		values.push_back(param.c_str());
	}
	std::string text(sql);
	auto *result = PQexecParams(conn, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
	                            nullptr, 0);
	auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		ThrowFailure(result, sql);
	}
	return PostgresResult(result);
}

void PostgresConnection::ExecScript(const char *sql) {
	auto *result = PQexec(conn, sql);
	auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		ThrowFailure(result, sql);
	}
	PQclear(result);
}

bool PostgresConnection::Broken() const {
	return PQstatus(conn) == CONNECTION_BAD;
}

bool PostgresConnection::InTransaction() const {
	return PQtransactionStatus(conn) != PQTRANS_IDLE;
}

void PostgresConnection::ThrowFailure(pg_result *result, std::string_view sql) {
	std::string state;
	std::string reason;
	if (result) {
		if (auto *field = PQresultErrorField(result, PG_DIAG_SQLSTATE)) {
			state = field;
		}
		if (auto *field = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) {
			reason = field;
		}
	}
	if (reason.empty()) {
		reason = Trimmed(PQerrorMessage(conn));
	}
	PQclear(result);
	if (Broken()) {
		retryable_failure = true;
		throw Error(ErrorCode::Internal, target.Scrub(fmt::format("metastore: lost the connection to {}: {}",
		                                                          target.Display(), reason)));
	}
	auto code = CodeForSqlState(state);
	if (code == ErrorCode::SerializationFailure) {
		retryable_failure = true;
	}
	throw Error(code, target.Scrub(fmt::format("metastore: {}: {} (SQLSTATE {})", FirstLine(sql), reason, state)));
}

} // namespace akko::metastore
