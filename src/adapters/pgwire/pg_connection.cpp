#include "adapters/pgwire/pg_connection.hpp"

#include "adapters/pgwire/pg_types.hpp"
#include "auth/user_directory.hpp"
#include "common/log.hpp"
#include "common/sql_lexer.hpp"
#include "sql/value_text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace akko::pgwire {

namespace {

constexpr int32_t kProtocolVersion3 = 196608;
constexpr int32_t kSslRequestCode = 80877103;
constexpr int32_t kGssEncRequestCode = 80877104;
constexpr int32_t kCancelRequestCode = 80877102;
constexpr size_t kFlushThreshold = 64 * 1024;

akko::Error ProtocolError(std::string message) {
	return akko::Error(ErrorCode::ProtocolViolation, std::move(message));
}

// Bind's format codes: none means text for all, one applies to all, else one each.
std::optional<std::vector<int16_t>> ExpandFormats(const std::vector<int16_t> &codes, size_t count) {
	for (auto code : codes) {
		if (code != 0 && code != 1) {
			return std::nullopt;
		}
	}
	if (codes.empty()) {
		return std::vector<int16_t>(count, 0);
	}
	if (codes.size() == 1) {
		return std::vector<int16_t>(count, codes[0]);
	}
	if (codes.size() != count) {
		return std::nullopt;
	}
	return codes;
}

} // namespace

PgConnection::PgConnection(PgServer::State &server_p, boost::asio::ip::tcp::socket socket_p, int32_t pid_p,
                           int32_t secret_p)
    : server(server_p), socket(std::move(socket_p)), pid(pid_p), secret(secret_p),
      reader(server_p.options.max_message_bytes) {
}

PgConnection::~PgConnection() = default;

void PgConnection::CancelStatement() {
	std::lock_guard<std::mutex> guard(session_lock);
	if (session) {
		session->Cancel();
	}
}

void PgConnection::Terminate() {
	closing = true;
	CancelStatement();
	socket.ShutdownRead();
}

bool PgConnection::Flush() {
	if (writer.Size() == 0) {
		return true;
	}
	bool ok = socket.WriteAll(writer.Buffer());
	writer.Clear();
	if (!ok) {
		closing = true;
	}
	return ok;
}

bool PgConnection::ReadMessage(FrontendMessage &message) {
	char buffer[64 * 1024];
	while (true) {
		switch (reader.Next(message)) {
		case DecodeStatus::Ready:
			return true;
		case DecodeStatus::Stopped:
			SendError(ProtocolError(reader.StopReason()), "FATAL");
			Flush();
			return false;
		case DecodeStatus::NeedMoreData:
			break;
		}
		if (!Flush()) {
			return false;
		}
		auto n = socket.ReadSome(buffer, sizeof(buffer));
		if (n == 0) {
			return false;
		}
		reader.Feed(std::string_view(buffer, n));
	}
}

void PgConnection::SendError(const akko::Error &error, const char *severity) {
	writer.ErrorOrNotice('E', severity, Describe(error.code).sqlstate, error.message, error.position.value_or(0));
}

void PgConnection::SendSessionMessages() {
	if (!session) {
		return;
	}
	for (auto &notice : session->TakeNotices()) {
		writer.ErrorOrNotice('N', notice.severity, notice.sqlstate, notice.message);
	}
	for (auto &[name, value] : session->TakeParameterChanges()) {
		writer.ParameterStatus(name, value);
	}
}

void PgConnection::SendReadyForQuery() {
	SendSessionMessages();
	char status = 'I';
	switch (session->State()) {
	case sql::TransactionState::Idle:
		status = 'I';
		break;
	case sql::TransactionState::InBlock:
		status = 'T';
		break;
	case sql::TransactionState::Failed:
		status = 'E';
		break;
	}
	writer.ReadyForQuery(status);
}

void PgConnection::Run() {
	FrontendMessage message;
	reader.ExpectStartup(true);
	bool ready = false;
	while (!ready) {
		if (!ReadMessage(message)) {
			socket.Close();
			return;
		}
		switch (HandleStartupPacket(message.payload)) {
		case StartupResult::Continue:
			break;
		case StartupResult::Ready:
			ready = true;
			break;
		case StartupResult::Close:
			Flush();
			socket.Close();
			return;
		}
	}
	reader.ExpectStartup(false);
	if (!Authenticate()) {
		Flush();
		socket.Close();
		return;
	}
	ServeQueries();
	if (server.stopping) {
		writer.ErrorOrNotice('E', "FATAL", Describe(ErrorCode::AdminShutdown).sqlstate,
		                     "terminating connection due to administrator command");
		Flush();
	}
	{
		std::lock_guard<std::mutex> guard(session_lock);
		portals.clear();
		statements.clear();
		session.reset();
	}
	socket.Close();
}

PgConnection::StartupResult PgConnection::HandleStartupPacket(std::string_view payload) {
	PayloadReader in(payload);
	int32_t code;
	if (!in.ReadInt32(code)) {
		SendError(ProtocolError("invalid startup packet layout"), "FATAL");
		return StartupResult::Close;
	}
	if (code == kSslRequestCode) {
		if (!server.tls || socket.IsTls() || reader.Buffered() > 0) {
			writer.PutBytes("N");
			return Flush() ? StartupResult::Continue : StartupResult::Close;
		}
		writer.PutBytes("S");
		if (!Flush() || !socket.StartTls(*server.tls)) {
			return StartupResult::Close;
		}
		return StartupResult::Continue;
	}
	if (code == kGssEncRequestCode) {
		writer.PutBytes("N");
		return Flush() ? StartupResult::Continue : StartupResult::Close;
	}
	if (code == kCancelRequestCode) {
		int32_t target_pid, target_secret;
		if (in.ReadInt32(target_pid) && in.ReadInt32(target_secret)) {
			server.Cancel(target_pid, target_secret);
		}
		return StartupResult::Close;
	}
	if ((code >> 16) != 3) {
		SendError(akko::Error(ErrorCode::FeatureNotSupported,
		                      fmt::format("unsupported frontend protocol {}.{}: server supports 3.0", code >> 16, code & 0xFFFF)),
		          "FATAL");
		return StartupResult::Close;
	}
	std::vector<std::string> unknown_options;
	while (in.Remaining() > 1) {
		std::string_view name, value;
		if (!in.ReadCString(name) || !in.ReadCString(value)) {
			SendError(ProtocolError("invalid startup packet layout: expected terminator as last byte"), "FATAL");
			return StartupResult::Close;
		}
		if (name == "user") {
			user = value;
		} else if (name == "database") {
			database = value;
		} else if (name == "application_name") {
			application_name = value;
		} else if (name == "options") {
			// "-c name=value" pairs, as libpq's PGOPTIONS sends them.
			auto tokens = std::string(value);
			size_t at = 0;
			while ((at = tokens.find("-c", at)) != std::string::npos) {
				at += 2;
				while (at < tokens.size() && tokens[at] == ' ') {
					at++;
				}
				auto end = tokens.find(' ', at);
				auto pair = tokens.substr(at, end == std::string::npos ? std::string::npos : end - at);
				auto eq = pair.find('=');
				if (eq != std::string::npos) {
					startup_options.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
				}
				at = end == std::string::npos ? tokens.size() : end;
			}
		} else if (name.substr(0, 2) == "_pq_") {
			unknown_options.emplace_back(name);
		} else if (name != "replication") {
			startup_options.emplace_back(std::string(name), std::string(value));
		}
	}
	if (user.empty()) {
		SendError(akko::Error(ErrorCode::InvalidAuthorization, "no PostgreSQL user name specified in startup packet"),
		          "FATAL");
		return StartupResult::Close;
	}
	if (database.empty()) {
		database = user;
	}
	// Before authentication, so no password exchange ever crosses the network in clear.
	if (server.options.require_tls && !socket.IsTls()) {
		auto peer = socket.PeerAddress();
		log::Warn("connection_refused", {{"user", user}, {"client", peer}, {"reason", "no TLS"}});
		SendError(akko::Error(ErrorCode::InvalidAuthorization,
		                      fmt::format("connection without TLS refused for user \"{}\", database \"{}\" from {}: "
		                                  "this server requires TLS (connect with sslmode=require or stronger)",
		                                  user, database, peer)),
		          "FATAL");
		return StartupResult::Close;
	}
	if ((code & 0xFFFF) != 0 || !unknown_options.empty()) {
		writer.Begin('v');
		writer.PutInt32(kProtocolVersion3);
		writer.PutInt32(static_cast<int32_t>(unknown_options.size()));
		for (auto &option : unknown_options) {
			writer.PutCString(option);
		}
		writer.End();
	}
	return StartupResult::Ready;
}

bool PgConnection::Authenticate() {
	auto peer = socket.PeerAddress();
	auto fail = [&](const akko::Error &error) {
		SendError(error, "FATAL");
		log::Warn("login_failed", {{"user", user}, {"client", peer}, {"protocol", "pgwire"}, {"reason", error.message}});
		return false;
	};
	// The throttle counts per address, whatever the port of each attempt.
	auto client = peer.substr(0, peer.rfind(':'));
	auto &throttle = server.users.Throttle();
	if (auto wait = throttle.RetryAfter(user, client); wait.count() > 0) {
		return fail(akko::Error(ErrorCode::InvalidPassword,
		                        fmt::format("password authentication failed for user \"{}\": too many failed logins, "
		                                    "retry in {} s",
		                                    user, wait.count())));
	}
	// The exchange runs even for unknown users, so a client cannot tell which users exist.
	auth::ScramServer scram(user, server.users.Verifier(user));
	writer.Begin('R');
	writer.PutInt32(10);
	writer.PutCString("SCRAM-SHA-256");
	writer.PutBytes(std::string_view("\0", 1));
	writer.End();
	auto password_failed = akko::Error(ErrorCode::InvalidPassword, fmt::format("password authentication failed for user \"{}\"", user));
	FrontendMessage message;
	if (!ReadMessage(message)) {
		return false;
	}
	if (message.type != 'p') {
		return fail(ProtocolError(fmt::format("expected SASL response, got message type {}", message.type)));
	}
	PayloadReader initial(message.payload);
	std::string_view mechanism, data;
	int32_t length;
	if (!initial.ReadCString(mechanism) || !initial.ReadInt32(length) || length < 0 ||
	    !initial.ReadBytes(static_cast<size_t>(length), data)) {
		return fail(ProtocolError("malformed SASLInitialResponse message"));
	}
	if (mechanism != "SCRAM-SHA-256") {
		return fail(ProtocolError("client selected an invalid SASL authentication mechanism"));
	}
	auto server_first = scram.ClientFirst(data);
	if (!server_first) {
		return fail(ProtocolError("malformed SCRAM message"));
	}
	writer.Begin('R');
	writer.PutInt32(11);
	writer.PutBytes(*server_first);
	writer.End();
	if (!ReadMessage(message)) {
		return false;
	}
	if (message.type != 'p') {
		return fail(ProtocolError("expected SASL response"));
	}
	auto server_final = scram.ClientFinal(message.payload);
	if (!server_final) {
		throttle.Failed(user, client);
		return fail(password_failed);
	}
	throttle.Succeeded(user, client);
	if (database != "akko") {
		return fail(akko::Error(ErrorCode::InvalidCatalogName, fmt::format("database \"{}\" does not exist", database)));
	}
	{
		std::lock_guard<std::mutex> guard(server.lock);
		if (server.connections.size() > static_cast<size_t>(server.options.max_connections)) {
			return fail(akko::Error(ErrorCode::TooManyConnections, "sorry, too many clients already"));
		}
	}
	writer.Begin('R');
	writer.PutInt32(12);
	writer.PutBytes(*server_final);
	writer.End();
	writer.AuthenticationOk();
	sql::SessionIdentity identity {user, "pgwire", peer, database, application_name};
	try {
		auto created = std::make_unique<sql::Session>(server.service, identity);
		for (auto &[name, value] : startup_options) {
			created->Run(fmt::format("SET {} = {}", QuoteIdentifier(name), QuoteLiteral(value)));
		}
		created->TakeParameterChanges();
		std::lock_guard<std::mutex> guard(session_lock);
		session = std::move(created);
	} catch (const akko::Error &error) {
		return fail(error);
	}
	for (auto &[name, value] : session->ReportedParameters()) {
		writer.ParameterStatus(name, value);
	}
	writer.BackendKeyData(pid, secret);
	SendReadyForQuery();
	log::Info("connection_authorized", {{"user", user}, {"client", peer}, {"pid", pid}, {"tls", socket.IsTls()},
	                                    {"application_name", application_name}});
	return Flush();
}

void PgConnection::ServeQueries() {
	FrontendMessage message;
	while (!closing && ReadMessage(message)) {
		if (skip_until_sync && message.type != 'S' && message.type != 'X') {
			continue;
		}
		try {
			switch (message.type) {
			case 'Q':
				HandleSimpleQuery(message.payload);
				break;
			case 'P':
				HandleParse(message.payload);
				break;
			case 'B':
				HandleBind(message.payload);
				break;
			case 'D':
				HandleDescribe(message.payload);
				break;
			case 'E':
				HandleExecute(message.payload);
				break;
			case 'C':
				HandleClose(message.payload);
				break;
			case 'H':
				Flush();
				break;
			case 'S':
				HandleSync();
				break;
			case 'X':
				return;
			case 'd':
			case 'c':
			case 'f':
				// Copy messages after a COPY ended in error are dropped, as PostgreSQL does.
				break;
			case 'F':
				throw akko::Error(ErrorCode::FeatureNotSupported, "the function call protocol is not supported");
			default:
				SendError(ProtocolError(fmt::format("invalid frontend message type {}", static_cast<int>(message.type))),
				          "FATAL");
				Flush();
				return;
			}
		} catch (const akko::Error &error) {
			SendError(error);
			if (message.type != 'Q') {
				skip_until_sync = true;
			} else {
				SendReadyForQuery();
			}
		}
		if (writer.Size() >= kFlushThreshold && !Flush()) {
			return;
		}
	}
}

void PgConnection::SendRowDescription(const std::vector<engine::Column> &columns, const std::vector<int16_t> &formats) {
	writer.Begin('T');
	writer.PutInt16(static_cast<int16_t>(columns.size()));
	for (size_t i = 0; i < columns.size(); i++) {
		auto info = TypeInfoFor(columns[i].type);
		writer.PutCString(columns[i].name);
		writer.PutInt32(0);
		writer.PutInt16(0);
		writer.PutInt32(info.oid);
		writer.PutInt16(info.length);
		writer.PutInt32(info.modifier);
		writer.PutInt16(i < formats.size() ? formats[i] : 0);
	}
	writer.End();
}

bool PgConnection::StreamRows(sql::Outcome &outcome, const std::vector<int16_t> &formats, uint64_t limit,
                              uint64_t &count) {
	auto *source = outcome.Source();
	bool discard = outcome.discard_rows;
	count = source->Read(limit, [&](const engine::ResultChunk &chunk, uint64_t row) {
		if (discard) {
			return;
		}
		auto &columns = chunk.Columns();
		writer.Begin('D');
		writer.PutInt16(static_cast<int16_t>(columns.size()));
		for (size_t col = 0; col < columns.size(); col++) {
			auto &column = columns[col];
			if (column.IsNull(row)) {
				writer.PutInt32(-1);
				continue;
			}
			auto at = writer.ReserveInt32();
			if (col < formats.size() && formats[col] == 1) {
				AppendBinaryValue(writer.Buffer(), column, row);
			} else {
				sql::AppendValueText(writer.Buffer(), column, row);
			}
			writer.PatchInt32(at, static_cast<int32_t>(writer.Size() - at - 4));
		}
		writer.End();
		if (writer.Size() >= kFlushThreshold) {
			Flush();
		}
	});
	return limit > 0 && count == limit;
}

void PgConnection::FinishOutcome(sql::Outcome &outcome, const std::vector<int16_t> &formats, uint64_t limit,
                                 bool &suspended) {
	suspended = false;
	switch (outcome.kind) {
	case sql::Outcome::Kind::Empty:
		writer.EmptyQueryResponse();
		return;
	case sql::Outcome::Kind::Command:
		writer.CommandComplete(outcome.tag);
		return;
	case sql::Outcome::Kind::CopyOut:
		RunCopyOut(outcome);
		return;
	case sql::Outcome::Kind::CopyIn:
		RunCopyIn(outcome);
		return;
	case sql::Outcome::Kind::Rows:
		break;
	}
	// FETCH n reads at most n rows; the protocol's row limit applies on top.
	uint64_t effective = outcome.row_limit;
	if (limit > 0 && (effective == 0 || limit < effective)) {
		effective = limit;
	}
	uint64_t count = 0;
	try {
		bool limited = StreamRows(outcome, formats, effective, count);
		suspended = limited && effective == limit && limit > 0;
	} catch (const akko::Error &error) {
		session->StreamFailed(outcome, error);
		throw;
	}
	if (suspended) {
		writer.Simple('s');
		return;
	}
	auto tag = sql::CommandTag(outcome.tag, count);
	outcome.record->Done(tag, count);
	writer.CommandComplete(tag);
}

void PgConnection::RunCopyOut(sql::Outcome &outcome) {
	auto &spec = outcome.copy;
	auto *source = outcome.Source();
	auto &columns = source->Columns();
	writer.Begin('H');
	writer.PutBytes(std::string_view("\0", 1));
	writer.PutInt16(static_cast<int16_t>(columns.size()));
	for (size_t i = 0; i < columns.size(); i++) {
		writer.PutInt16(0);
	}
	writer.End();
	std::string line;
	if (spec.header) {
		sql::AppendCopyHeader(line, spec, columns);
		writer.Begin('d');
		writer.PutBytes(line);
		writer.End();
	}
	uint64_t count = 0;
	try {
		count = source->Read(0, [&](const engine::ResultChunk &chunk, uint64_t row) {
			line.clear();
			sql::AppendCopyRow(line, spec, chunk.Columns(), row);
			writer.Begin('d');
			writer.PutBytes(line);
			writer.End();
			if (writer.Size() >= kFlushThreshold) {
				Flush();
			}
		});
	} catch (const akko::Error &error) {
		session->StreamFailed(outcome, error);
		throw;
	}
	writer.Simple('c');
	auto tag = sql::CommandTag("COPY", count);
	outcome.record->Done(tag, count);
	writer.CommandComplete(tag);
}

void PgConnection::RunCopyIn(sql::Outcome &outcome) {
	auto &appender = *outcome.appender;
	writer.Begin('G');
	writer.PutBytes(std::string_view("\0", 1));
	writer.PutInt16(static_cast<int16_t>(appender.ColumnCount()));
	for (size_t i = 0; i < appender.ColumnCount(); i++) {
		writer.PutInt16(0);
	}
	writer.End();
	Flush();
	sql::CopyRowParser parser(outcome.copy);
	std::optional<akko::Error> failure;
	auto on_row = [&](const std::vector<std::optional<std::string_view>> &fields) {
		if (fields.size() != appender.ColumnCount()) {
			throw akko::Error(ErrorCode::InvalidTextRepresentation,
			                  fmt::format("COPY line {}: expected {} columns, got {}", parser.LineNumber(),
			                              appender.ColumnCount(), fields.size()));
		}
		appender.AppendRow(fields);
	};
	FrontendMessage message;
	bool done = false;
	while (!done) {
		if (!ReadMessage(message)) {
			closing = true;
			failure = akko::Error(ErrorCode::QueryCanceled, "COPY from stdin failed: connection lost");
			break;
		}
		switch (message.type) {
		case 'd':
			if (!failure) {
				try {
					parser.Feed(message.payload, on_row);
				} catch (const akko::Error &error) {
					failure = error;
				}
			}
			break;
		case 'c':
			done = true;
			break;
		case 'f':
			failure = akko::Error(ErrorCode::QueryCanceled, fmt::format("COPY from stdin failed: {}", std::string(message.payload.substr(0, message.payload.find('\0')))));
			done = true;
			break;
		case 'H':
		case 'S':
			break;
		default:
			failure = ProtocolError(
			    fmt::format("unexpected message type 0x{:02X} during COPY from stdin", static_cast<int>(message.type)));
			done = true;
			break;
		}
	}
	uint64_t count = 0;
	if (!failure) {
		try {
			parser.Finish(on_row);
			count = session->FinishCopyIn(outcome);
		} catch (const akko::Error &error) {
			failure = error;
		}
	}
	if (failure) {
		session->StreamFailed(outcome, *failure);
		throw *failure;
	}
	writer.CommandComplete(sql::CommandTag("COPY", count));
}

void PgConnection::HandleSimpleQuery(std::string_view payload) {
	PayloadReader in(payload);
	std::string_view text;
	if (!in.ReadCString(text)) {
		throw ProtocolError("invalid Query message: missing terminator");
	}
	// A new simple query ends the unnamed portal, as in PostgreSQL.
	portals.erase("");
	auto statements_text = SplitStatements(text);
	if (statements_text.empty()) {
		writer.EmptyQueryResponse();
		SendReadyForQuery();
		return;
	}
	bool implicit = session->NeedsImplicitTransaction(statements_text);
	if (implicit) {
		session->BeginImplicitTransaction();
	}
	try {
		for (auto &statement : statements_text) {
			auto outcome = session->Run(statement);
			if (outcome.kind == sql::Outcome::Kind::Rows && !outcome.discard_rows) {
				SendRowDescription(outcome.Source()->Columns(), {});
			}
			bool suspended;
			FinishOutcome(outcome, {}, 0, suspended);
			SendSessionMessages();
		}
		if (implicit) {
			session->EndImplicitTransaction(true);
		}
	} catch (const akko::Error &) {
		if (implicit) {
			session->EndImplicitTransaction(false);
		}
		throw;
	}
	SendReadyForQuery();
}

void PgConnection::HandleParse(std::string_view payload) {
	PayloadReader in(payload);
	std::string_view name, query;
	int16_t count;
	if (!in.ReadCString(name) || !in.ReadCString(query) || !in.ReadInt16(count) || count < 0) {
		throw ProtocolError("invalid Parse message");
	}
	std::vector<int32_t> oids(static_cast<size_t>(count));
	std::vector<engine::TypeKind> declared;
	for (auto &oid : oids) {
		if (!in.ReadInt32(oid)) {
			throw ProtocolError("invalid Parse message: missing parameter types");
		}
		declared.push_back(KindForOid(oid));
	}
	if (!name.empty() && statements.count(std::string(name))) {
		throw akko::Error(ErrorCode::DuplicateObject, fmt::format("prepared statement \"{}\" already exists", name));
	}
	auto statements_text = SplitStatements(query);
	if (statements_text.size() > 1) {
		throw akko::Error(ErrorCode::SyntaxError, "cannot insert multiple commands into a prepared statement");
	}
	auto entry = std::make_shared<PreparedEntry>();
	entry->prepared = session->Prepare(statements_text.empty() ? std::string() : statements_text[0], declared);
	auto &types = entry->prepared->parameter_types;
	for (size_t i = 0; i < types.size(); i++) {
		int32_t declared_oid = i < oids.size() ? oids[i] : 0;
		entry->parameter_oids.push_back(declared_oid != 0 ? declared_oid : TypeInfoFor(types[i]).oid);
	}
	statements[std::string(name)] = std::move(entry);
	writer.Simple('1');
}

void PgConnection::HandleBind(std::string_view payload) {
	PayloadReader in(payload);
	std::string_view portal_name, statement_name;
	int16_t format_count;
	if (!in.ReadCString(portal_name) || !in.ReadCString(statement_name) || !in.ReadInt16(format_count) ||
	    format_count < 0) {
		throw ProtocolError("invalid Bind message");
	}
	std::vector<int16_t> parameter_codes(static_cast<size_t>(format_count));
	for (auto &code : parameter_codes) {
		if (!in.ReadInt16(code)) {
			throw ProtocolError("invalid Bind message: parameter formats");
		}
	}
	auto found = statements.find(std::string(statement_name));
	if (found == statements.end()) {
		throw akko::Error(ErrorCode::UndefinedObject, fmt::format("prepared statement \"{}\" does not exist", statement_name));
	}
	auto entry = found->second;
	int16_t parameter_count;
	if (!in.ReadInt16(parameter_count) || parameter_count < 0) {
		throw ProtocolError("invalid Bind message: parameter count");
	}
	if (static_cast<size_t>(parameter_count) != entry->parameter_oids.size()) {
		throw ProtocolError(fmt::format("bind message supplies {} parameters, but prepared statement \"{}\" requires {}",
		                                parameter_count, statement_name, entry->parameter_oids.size()));
	}
	auto parameter_formats = ExpandFormats(parameter_codes, static_cast<size_t>(parameter_count));
	if (!parameter_formats) {
		throw ProtocolError(fmt::format("bind message has {} parameter formats but {} parameters", format_count, parameter_count));
	}
	Portal portal;
	portal.statement = entry;
	for (int16_t i = 0; i < parameter_count; i++) {
		int32_t length;
		if (!in.ReadInt32(length) || length < -1) {
			throw ProtocolError("invalid Bind message: parameter length");
		}
		if (length == -1) {
			engine::Param null_param;
			null_param.type = KindForOid(entry->parameter_oids[i]);
			portal.params.push_back(null_param);
			continue;
		}
		std::string_view bytes;
		if (!in.ReadBytes(static_cast<size_t>(length), bytes)) {
			throw ProtocolError("invalid Bind message: parameter data is cut short");
		}
		auto param = DecodeParameter(bytes, (*parameter_formats)[i] == 1, entry->parameter_oids[i]);
		if (!param) {
			throw akko::Error(ErrorCode::InvalidTextRepresentation,
			                  fmt::format("incorrect binary data format in bind parameter {}", i + 1));
		}
		portal.params.push_back(std::move(*param));
	}
	int16_t result_count;
	if (!in.ReadInt16(result_count) || result_count < 0) {
		throw ProtocolError("invalid Bind message: result formats");
	}
	std::vector<int16_t> result_codes(static_cast<size_t>(result_count));
	for (auto &code : result_codes) {
		if (!in.ReadInt16(code)) {
			throw ProtocolError("invalid Bind message: result formats");
		}
	}
	auto formats = ExpandFormats(result_codes, entry->prepared->columns.size());
	if (!formats) {
		throw ProtocolError("invalid Bind message: result format codes do not match the columns");
	}
	portal.formats = *formats;
	portals[std::string(portal_name)] = std::move(portal);
	writer.Simple('2');
}

void PgConnection::HandleDescribe(std::string_view payload) {
	PayloadReader in(payload);
	char kind;
	std::string_view name;
	if (!in.ReadByte(kind) || !in.ReadCString(name)) {
		throw ProtocolError("invalid Describe message");
	}
	if (kind == 'S') {
		auto found = statements.find(std::string(name));
		if (found == statements.end()) {
			throw akko::Error(ErrorCode::UndefinedObject, fmt::format("prepared statement \"{}\" does not exist", name));
		}
		auto &entry = *found->second;
		writer.Begin('t');
		writer.PutInt16(static_cast<int16_t>(entry.parameter_oids.size()));
		for (auto oid : entry.parameter_oids) {
			writer.PutInt32(oid);
		}
		writer.End();
		if (entry.prepared->returns_rows) {
			SendRowDescription(entry.prepared->columns, {});
		} else {
			writer.Simple('n');
		}
		return;
	}
	if (kind != 'P') {
		throw ProtocolError("invalid Describe message subtype");
	}
	auto found = portals.find(std::string(name));
	if (found == portals.end()) {
		throw akko::Error(ErrorCode::InvalidCursorName, fmt::format("portal \"{}\" does not exist", name));
	}
	auto &prepared = *found->second.statement->prepared;
	if (prepared.returns_rows) {
		SendRowDescription(prepared.columns, found->second.formats);
	} else {
		writer.Simple('n');
	}
}

void PgConnection::HandleExecute(std::string_view payload) {
	PayloadReader in(payload);
	std::string_view name;
	int32_t max_rows;
	if (!in.ReadCString(name) || !in.ReadInt32(max_rows)) {
		throw ProtocolError("invalid Execute message");
	}
	auto found = portals.find(std::string(name));
	if (found == portals.end()) {
		throw akko::Error(ErrorCode::InvalidCursorName, fmt::format("portal \"{}\" does not exist", name));
	}
	auto &portal = found->second;
	if (portal.done) {
		writer.CommandComplete(portal.outcome && portal.outcome->kind == sql::Outcome::Kind::Rows
		                           ? sql::CommandTag(portal.outcome->tag, 0)
		                           : (portal.outcome ? portal.outcome->tag : std::string()));
		return;
	}
	if (!portal.outcome) {
		portal.outcome = session->Execute(*portal.statement->prepared, portal.params);
	}
	bool suspended = false;
	try {
		FinishOutcome(*portal.outcome, portal.formats, max_rows > 0 ? static_cast<uint64_t>(max_rows) : 0, suspended);
	} catch (const akko::Error &) {
		portals.erase(found);
		throw;
	}
	if (!suspended) {
		portal.done = true;
	}
}

void PgConnection::HandleClose(std::string_view payload) {
	PayloadReader in(payload);
	char kind;
	std::string_view name;
	if (!in.ReadByte(kind) || !in.ReadCString(name) || (kind != 'S' && kind != 'P')) {
		throw ProtocolError("invalid Close message");
	}
	if (kind == 'S') {
		statements.erase(std::string(name));
	} else {
		portals.erase(std::string(name));
	}
	writer.Simple('3');
}

void PgConnection::HandleSync() {
	skip_until_sync = false;
	// Portals live until the end of their transaction; outside a block that is now.
	if (session->State() == sql::TransactionState::Idle) {
		portals.clear();
	}
	SendReadyForQuery();
	Flush();
}

} // namespace akko::pgwire
