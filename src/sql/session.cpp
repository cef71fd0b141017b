#include "sql/session.hpp"

#include "authz/access_control.hpp"
#include "authz/access_statement.hpp"
#include "common/log.hpp"
#include "sql/access_commands.hpp"
#include "sql/constant_rows.hpp"
#include "sql/session_access_guard.hpp"
#include "sql/session_parameters.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace akko::sql {

namespace {

bool IsWord(const std::vector<Token> &tokens, size_t i, const char *word) {
	return i < tokens.size() && tokens[i].kind == Token::Kind::Word && tokens[i].text == word;
}

const char *DuckTypeName(engine::TypeKind kind) {
	using engine::TypeKind;
	switch (kind) {
	case TypeKind::Boolean:
		return "BOOLEAN";
	case TypeKind::SmallInt:
		return "SMALLINT";
	case TypeKind::Integer:
		return "INTEGER";
	case TypeKind::BigInt:
		return "BIGINT";
	case TypeKind::Float:
		return "FLOAT";
	case TypeKind::Double:
		return "DOUBLE";
	case TypeKind::Decimal:
		return "DECIMAL(38,10)";
	case TypeKind::Date:
		return "DATE";
	case TypeKind::Time:
		return "TIME";
	case TypeKind::Timestamp:
		return "TIMESTAMP";
	case TypeKind::TimestampTz:
		return "TIMESTAMPTZ";
	case TypeKind::Interval:
		return "INTERVAL";
	case TypeKind::Uuid:
		return "UUID";
	case TypeKind::Blob:
		return "BLOB";
	default:
		return "VARCHAR";
	}
}

// PostgreSQL's search_path ("$user", public, other) as DuckDB's: schema names separated
// by commas alone, with "$user" left out and public being DuckDB's main.
std::string EngineSearchPath(const std::string &value) {
	std::string path;
	size_t start = 0;
	while (start <= value.size()) {
		auto end = value.find(',', start);
		auto item = value.substr(start, end == std::string::npos ? std::string::npos : end - start);
		auto first = item.find_first_not_of(" \t\"");
		auto last = item.find_last_not_of(" \t\"");
		item = first == std::string::npos ? std::string() : item.substr(first, last - first + 1);
		if (!item.empty() && item != "$user") {
			path += (path.empty() ? "" : ",") + (item == "public" ? std::string("main") : item);
		}
		if (end == std::string::npos) {
			break;
		}
		start = end + 1;
	}
	return path;
}

} // namespace

std::string CommandTag(const std::string &verb, uint64_t rows) {
	if (verb == "INSERT") {
		return fmt::format("INSERT 0 {}", rows);
	}
	if (verb == "SELECT" || verb == "UPDATE" || verb == "DELETE" || verb == "FETCH" || verb == "MOVE" ||
	    verb == "COPY" || verb == "MERGE") {
		return fmt::format("{} {}", verb, rows);
	}
	return verb;
}

StatementRecord::StatementRecord(SqlService &service_p, const SessionIdentity &identity_p, std::string sql_p,
                                 engine::EngineSession *engine_p, std::vector<std::string> roles_p)
    : service(service_p), identity(identity_p), sql(std::move(sql_p)), engine_session(engine_p),
      roles(std::move(roles_p)), start(std::chrono::steady_clock::now()) {
	if (engine_session) {
		engine_session->TakeAccessReport();
	}
}

void StatementRecord::Finish(StatementEvent &event) {
	event.roles = std::move(roles);
	if (engine_session) {
		event.access = engine_session->TakeAccessReport();
	}
	if (service.on_statement) {
		service.on_statement(event);
	}
}

StatementRecord::~StatementRecord() {
	if (!finished) {
		Done("", 0);
	}
}

void StatementRecord::Done(const std::string &tag, uint64_t rows) {
	if (finished) {
		return;
	}
	finished = true;
	StatementEvent event {&identity, &sql, tag, "ok", rows,
	                      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), {}, {}, {}};
	Finish(event);
}

void StatementRecord::Failed(const akko::Error &error) {
	if (finished) {
		return;
	}
	finished = true;
	StatementEvent event {&identity, &sql, "", std::string(Describe(error.code).name), 0,
	                      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), error.message, {}, {}};
	Finish(event);
}

Session::Session(SqlService &service_p, SessionIdentity identity_p)
    : service(service_p), identity(std::move(identity_p)), engine(service.engine.Connect()),
      parameters(std::make_unique<Parameters>(service.server_version, identity.user)) {
	engine->SetUser(identity.user);
	RefreshAccess();
	parameters->values["application_name"].value = identity.application_name;
	if (!identity.application_name.empty() && engine->CurrentSetting("application_name")) {
		engine->Run(fmt::format("SET SESSION application_name = {}", QuoteLiteral(identity.application_name)));
	}
}

Session::~Session() {
	cursors.clear();
}

void Session::Cancel() {
	engine->Interrupt();
}

std::vector<std::pair<std::string, std::string>> Session::ReportedParameters() const {
	std::vector<std::pair<std::string, std::string>> reported;
	for (auto &[name, parameter] : parameters->values) {
		if (parameter.reported) {
			reported.emplace_back(name, parameter.value);
		}
	}
	return reported;
}

std::vector<std::pair<std::string, std::string>> Session::TakeParameterChanges() {
	return std::exchange(parameters->changes, {});
}

std::vector<Notice> Session::TakeNotices() {
	return std::exchange(notices, {});
}

void Session::DetachOpenResults() {
	auto open = open_results;
	for (auto *cursor : open) {
		cursor->Detach();
	}
}

void Session::CloseCursors(bool keep_holdable) {
	for (auto it = cursors.begin(); it != cursors.end();) {
		if (keep_holdable && it->second.holdable) {
			it->second.rows->Detach();
			++it;
		} else {
			it = cursors.erase(it);
		}
	}
}

void Session::Failed(const akko::Error &error) {
	if (state == TransactionState::InBlock || engine->InTransaction()) {
		state = TransactionState::Failed;
	}
}

void Session::StreamFailed(Outcome &outcome, const akko::Error &error) {
	if (outcome.record) {
		outcome.record->Failed(error);
	}
	if (outcome.implicit_transaction) {
		outcome.appender.reset();
		EndImplicitTransaction(false);
		return;
	}
	Failed(error);
}

uint64_t Session::FinishCopyIn(Outcome &outcome) {
	auto count = outcome.appender->Finish();
	if (outcome.implicit_transaction) {
		EndImplicitTransaction(true);
	}
	outcome.record->Done(CommandTag("COPY", count), count);
	return count;
}

bool Session::NeedsImplicitTransaction(const std::vector<std::string> &statements) const {
	if (statements.size() < 2 || state != TransactionState::Idle) {
		return false;
	}
	static const char *const own_transaction[] = {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "COPY"};
	for (auto &statement : statements) {
		auto tokens = Tokenize(statement, 1);
		for (auto verb : own_transaction) {
			if (!tokens.empty() && tokens[0].kind == Token::Kind::Word && tokens[0].text == verb) {
				return false;
			}
		}
	}
	return true;
}

void Session::BeginImplicitTransaction() {
	DetachOpenResults();
	engine->Run("BEGIN TRANSACTION");
	state = TransactionState::InBlock;
}

void Session::EndImplicitTransaction(bool commit) {
	DetachOpenResults();
	CloseCursors(commit);
	if (engine->InTransaction()) {
		try {
			engine->Run(commit && state != TransactionState::Failed ? "COMMIT" : "ROLLBACK");
		} catch (const akko::Error &) {
			state = engine->InTransaction() ? TransactionState::Failed : TransactionState::Idle;
			throw;
		}
	}
	state = TransactionState::Idle;
}

Outcome Session::Command(std::string tag) {
	Outcome outcome;
	outcome.kind = Outcome::Kind::Command;
	outcome.tag = std::move(tag);
	return outcome;
}

Outcome Session::Rows(std::unique_ptr<engine::QueryStream> stream, std::string tag) {
	Outcome outcome;
	outcome.kind = Outcome::Kind::Rows;
	outcome.tag = std::move(tag);
	outcome.rows = std::make_unique<ResultCursor>(std::move(stream), open_results);
	return outcome;
}

Outcome Session::Run(const std::string &sql) {
	return Dispatch(sql, nullptr, {});
}

Outcome Session::Execute(Prepared &prepared, const std::vector<engine::Param> &params) {
	return Dispatch(prepared.sql, prepared.query ? &prepared : nullptr, params);
}

void Session::RefreshAccess() {
	if (!service.access) {
		return;
	}
	if (guard && guard->Principal().model_version == service.access->Version()) {
		return;
	}
	guard = std::make_shared<SessionAccessGuard>(*service.access, service.access->Resolve(identity.user, identity.idp_roles));
	engine->SetAccessGuard(guard);
}

Outcome Session::Dispatch(const std::string &sql, Prepared *prepared, const std::vector<engine::Param> &params) {
	RefreshAccess();
	std::vector<std::string> roles;
	if (guard) {
		roles.assign(guard->Principal().roles.begin(), guard->Principal().roles.end());
	}
	auto record = std::make_unique<StatementRecord>(service, identity, sql, engine.get(), std::move(roles));
	try {
		Outcome outcome = prepared ? RunEngine(sql, prepared, params) : RunCommand(sql);
		if (outcome.kind == Outcome::Kind::Command || outcome.kind == Outcome::Kind::Empty) {
			record->Done(outcome.tag, outcome.changed_rows);
		}
		outcome.record = std::move(record);
		return outcome;
	} catch (const akko::Error &error) {
		record->Failed(error);
		Failed(error);
		throw;
	}
}

Outcome Session::RunCommand(const std::string &sql) {
	auto tokens = Tokenize(sql, 16);
	if (tokens.empty()) {
		Outcome outcome;
		outcome.kind = Outcome::Kind::Empty;
		return outcome;
	}
	auto &verb = tokens[0].text;
	if (verb == "BEGIN" || verb == "START") {
		return RunTransactionControl("BEGIN");
	}
	if (verb == "COMMIT" || verb == "END") {
		return RunTransactionControl("COMMIT");
	}
	if ((verb == "ROLLBACK" || verb == "ABORT") && !IsWord(tokens, 1, "TO") && !IsWord(tokens, 2, "TO")) {
		return RunTransactionControl("ROLLBACK");
	}
	if (state == TransactionState::Failed) {
		throw Error(ErrorCode::InFailedTransaction,
		            "current transaction is aborted, commands ignored until end of transaction block");
	}
	if (verb == "SAVEPOINT" || verb == "RELEASE" || verb == "ROLLBACK" || verb == "ABORT") {
		throw Error(ErrorCode::FeatureNotSupported, "savepoints are not supported");
	}
	if (verb == "SET" || verb == "RESET") {
		return RunSet(tokens, sql);
	}
	if (verb == "SHOW") {
		if (auto name = ShownParameter(tokens, sql)) {
			return RunShow(*name);
		}
	}
	if (verb == "DECLARE" || verb == "FETCH" || verb == "MOVE" || verb == "CLOSE") {
		return RunCursorCommand(tokens, sql);
	}
	if (verb == "COPY") {
		return RunCopy(sql);
	}
	if (verb == "CREATE" || verb == "ALTER" || verb == "DROP" || verb == "GRANT" || verb == "REVOKE" || verb == "SHOW") {
		if (auto outcome = RunAccess(sql)) {
			return std::move(*outcome);
		}
	}
	if (verb == "DISCARD") {
		CloseCursors(false);
		for (auto &[name, parameter] : parameters->values) {
			parameter.value = parameter.reset_value;
		}
		return Command("DISCARD ALL");
	}
	return RunEngine(sql, nullptr, {});
}

std::optional<Outcome> Session::RunAccess(const std::string &sql) {
	auto statement = authz::ParseAccessStatement(sql);
	if (!statement) {
		return std::nullopt;
	}
	if (!service.access || !service.users || !service.metastore) {
		throw Error(ErrorCode::FeatureNotSupported, "this server has no access model");
	}
	DetachOpenResults();
	AccessServices services {*service.access, *service.users, *service.metastore};
	auto result = RunAccessStatement(*statement, guard->Principal(), services, *engine);
	RefreshAccess();
	if (result.rows_sql) {
		return Rows(engine->Run(*result.rows_sql), "SHOW");
	}
	return Command(result.tag);
}

Outcome Session::RunEngine(const std::string &sql, Prepared *prepared, const std::vector<engine::Param> &params) {
	if (state == TransactionState::Failed) {
		throw Error(ErrorCode::InFailedTransaction,
		            "current transaction is aborted, commands ignored until end of transaction block");
	}
	DetachOpenResults();
	auto stream = prepared ? prepared->query->Execute(params) : engine->Run(sql);
	auto info = stream->Info();
	switch (info.returns) {
	case engine::ReturnKind::Rows:
		return Rows(std::move(stream), info.tag);
	case engine::ReturnKind::ChangedRows: {
		auto count = static_cast<uint64_t>(stream->ChangedRows());
		auto outcome = Command(CommandTag(info.tag, count));
		outcome.changed_rows = count;
		return outcome;
	}
	case engine::ReturnKind::Nothing:
		break;
	}
	return Command(info.tag);
}

Outcome Session::RunTransactionControl(const std::string &verb) {
	if (verb == "BEGIN") {
		if (state != TransactionState::Idle || engine->InTransaction()) {
			if (state == TransactionState::Failed) {
				throw Error(ErrorCode::InFailedTransaction,
				            "current transaction is aborted, commands ignored until end of transaction block");
			}
			notices.push_back(Notice {"WARNING", "25001", "there is already a transaction in progress"});
			return Command("BEGIN");
		}
		DetachOpenResults();
		engine->Run("BEGIN TRANSACTION");
		state = TransactionState::InBlock;
		return Command("BEGIN");
	}
	bool failed = state == TransactionState::Failed;
	if (!engine->InTransaction()) {
		state = TransactionState::Idle;
		if (!failed) {
			notices.push_back(Notice {"WARNING", "25P01", "there is no transaction in progress"});
		}
		CloseCursors(true);
		return Command(failed ? "ROLLBACK" : verb);
	}
	DetachOpenResults();
	bool commit = verb == "COMMIT" && !failed;
	CloseCursors(commit);
	try {
		engine->Run(commit ? "COMMIT" : "ROLLBACK");
	} catch (const akko::Error &) {
		state = engine->InTransaction() ? TransactionState::Failed : TransactionState::Idle;
		throw;
	}
	state = TransactionState::Idle;
	return Command(commit ? "COMMIT" : "ROLLBACK");
}

Outcome Session::RunSet(const std::vector<Token> &tokens, const std::string &sql) {
	size_t i = 1;
	bool reset = tokens[0].text == "RESET";
	if (IsWord(tokens, i, "SESSION") || IsWord(tokens, i, "LOCAL")) {
		if (IsWord(tokens, i + 1, "CHARACTERISTICS") || IsWord(tokens, i + 1, "AUTHORIZATION")) {
			return Command("SET");
		}
		i++;
	}
	if (IsWord(tokens, i, "TRANSACTION")) {
		// DuckDB gives every transaction snapshot isolation; the levels PostgreSQL clients ask
		// for are accepted and reported as asked.
		for (size_t k = i; k + 2 < tokens.size(); k++) {
			if (tokens[k].text == "LEVEL") {
				std::string level = ToLower(tokens[k + 1].text);
				if (k + 2 < tokens.size() && tokens[k + 2].kind == Token::Kind::Word) {
					level += " " + ToLower(tokens[k + 2].text);
				}
				parameters->values["transaction_isolation"].value = level;
			}
		}
		return Command("SET");
	}
	std::string name;
	size_t value_start = i + 1;
	if (IsWord(tokens, i, "TIME") && IsWord(tokens, i + 1, "ZONE")) {
		name = "TimeZone";
		value_start = i + 2;
	} else if (IsWord(tokens, i, "NAMES")) {
		name = "client_encoding";
	} else if (i < tokens.size()) {
		name = IdentifierName(sql, tokens[i]);
		while (value_start + 1 < tokens.size() && tokens[value_start].kind == Token::Kind::Symbol &&
		       tokens[value_start].text == ".") {
			name += "." + IdentifierName(sql, tokens[value_start + 1]);
			value_start += 2;
		}
	}
	if (name.empty()) {
		throw Error(ErrorCode::SyntaxError, "syntax error at end of input");
	}
	if (reset && ToLower(name) == "all") {
		for (auto &[parameter_name, parameter] : parameters->values) {
			parameter.value = parameter.reset_value;
		}
		return Command("RESET");
	}
	if (value_start < tokens.size() && (tokens[value_start].text == "TO" || tokens[value_start].text == "=")) {
		value_start++;
	}
	std::string value;
	bool to_default = reset || IsWord(tokens, value_start, "DEFAULT") || IsWord(tokens, value_start, "LOCAL");
	if (!to_default) {
		auto all = Tokenize(sql);
		for (size_t k = value_start; k < all.size(); k++) {
			if (!value.empty() && all[k].text != ",") {
				value += all[k - 1].text == "," ? " " : "";
			}
			value += all[k].kind == Token::Kind::Word ? sql.substr(all[k].offset, all[k].length) : all[k].text;
		}
	}
	auto canonical = parameters->Canonical(name);
	if (!canonical) {
		// Not a PostgreSQL parameter we keep: an engine setting, or a custom "a.b" placeholder.
		if (name.find('.') != std::string::npos) {
			parameters->values[name] = SessionParameter {value, "", false, false};
			return Command(reset ? "RESET" : "SET");
		}
		DetachOpenResults();
		engine->Run(sql);
		return Command(reset ? "RESET" : "SET");
	}
	auto &parameter = parameters->values[*canonical];
	if (to_default) {
		value = parameter.reset_value;
	}
	if (*canonical == "client_encoding" && ToLower(value) != "utf8" && ToLower(value) != "utf-8" && ToLower(value) != "unicode") {
		throw Error(ErrorCode::FeatureNotSupported, fmt::format("client_encoding \"{}\" is not supported: use UTF8", value));
	}
	if (*canonical == "client_encoding") {
		value = "UTF8";
	}
	if (*canonical == "search_path") {
		auto engine_path = EngineSearchPath(value);
		if (!engine_path.empty()) {
			DetachOpenResults();
			engine->Run(fmt::format("SET SESSION search_path = {}", QuoteLiteral(engine_path)));
		}
	} else if (parameter.engine || engine->CurrentSetting(*canonical)) {
		// current_setting() in SQL sees what the session set.
		DetachOpenResults();
		engine->Run(fmt::format("SET SESSION {} = {}", QuoteIdentifier(*canonical), QuoteLiteral(value)));
	}
	parameter.value = value;
	if (parameter.reported) {
		parameters->changes.emplace_back(*canonical, value);
	}
	return Command(reset ? "RESET" : "SET");
}

std::optional<std::string> Session::ShownParameter(const std::vector<Token> &tokens, const std::string &sql) const {
	if (tokens.size() < 2 || tokens[0].text != "SHOW") {
		return std::nullopt;
	}
	if (IsWord(tokens, 1, "TRANSACTION") && IsWord(tokens, 2, "ISOLATION")) {
		return "transaction_isolation";
	}
	if (IsWord(tokens, 1, "TIME") && IsWord(tokens, 2, "ZONE")) {
		return "TimeZone";
	}
	if (IsWord(tokens, 1, "SESSION") && IsWord(tokens, 2, "AUTHORIZATION")) {
		return "session_authorization";
	}
	auto name = IdentifierName(sql, tokens[1]);
	if (tokens.size() == 2 && (parameters->Canonical(name) || ToLower(name) == "all")) {
		return name;
	}
	return std::nullopt;
}

std::vector<engine::Column> Session::ShowColumns(const std::string &name) const {
	engine::ColumnType text;
	text.kind = engine::TypeKind::Varchar;
	text.name = "VARCHAR";
	if (ToLower(name) == "all") {
		return {{"name", text}, {"setting", text}, {"description", text}};
	}
	// PostgreSQL names the column after the parameter as it spells it ("TimeZone").
	return {{*parameters->Canonical(name), text}};
}

Outcome Session::RunShow(const std::string &name) {
	DetachOpenResults();
	if (ToLower(name) == "all") {
		std::vector<std::vector<std::string>> rows;
		for (auto &[parameter_name, parameter] : parameters->values) {
			rows.push_back({parameter_name, parameter.value, ""});
		}
		return Rows(engine->Run(ConstantRowsQuery({"name", "setting", "description"}, rows) + " ORDER BY name"), "SHOW");
	}
	auto &parameter = parameters->values[*parameters->Canonical(name)];
	return Rows(engine->Run(fmt::format("SELECT {}::VARCHAR AS {}", QuoteLiteral(parameter.value),
	                                    QuoteIdentifier(ShowColumns(name)[0].name))),
	            "SHOW");
}

Outcome Session::RunCursorCommand(const std::vector<Token> &tokens, const std::string &sql) {
	auto &verb = tokens[0].text;
	if (verb == "DECLARE") {
		if (tokens.size() < 4) {
			throw Error(ErrorCode::SyntaxError, "syntax error in DECLARE: DECLARE name CURSOR FOR query");
		}
		auto name = IdentifierName(sql, tokens[1]);
		bool holdable = false;
		size_t i = 2;
		for (; i < tokens.size() && !IsWord(tokens, i, "FOR"); i++) {
			if (IsWord(tokens, i, "WITH") && IsWord(tokens, i + 1, "HOLD")) {
				holdable = true;
			}
			if (IsWord(tokens, i, "SCROLL") && !IsWord(tokens, i - 1, "NO")) {
				throw Error(ErrorCode::FeatureNotSupported, "SCROLL cursors are not supported: cursors move forward only");
			}
		}
		if (i == tokens.size()) {
			throw Error(ErrorCode::SyntaxError, "syntax error in DECLARE: expected FOR query");
		}
		if (!holdable && !engine->InTransaction()) {
			throw Error(ErrorCode::NoActiveTransaction, "DECLARE CURSOR can only be used in transaction blocks");
		}
		if (cursors.count(name)) {
			throw Error(ErrorCode::DuplicateCursor, fmt::format("cursor \"{}\" already exists", name));
		}
		auto query = sql.substr(tokens[i].offset + tokens[i].length);
		DetachOpenResults();
		auto stream = engine->Run(query);
		if (stream->Info().returns != engine::ReturnKind::Rows) {
			throw Error(ErrorCode::InvalidCursorName, "DECLARE CURSOR needs a query that returns rows");
		}
		cursors[name] = NamedCursor {std::make_unique<ResultCursor>(std::move(stream), open_results), holdable};
		return Command("DECLARE CURSOR");
	}
	if (verb == "CLOSE") {
		if (IsWord(tokens, 1, "ALL")) {
			cursors.clear();
			return Command("CLOSE CURSOR");
		}
		if (tokens.size() < 2) {
			throw Error(ErrorCode::SyntaxError, "syntax error in CLOSE: CLOSE name");
		}
		auto name = IdentifierName(sql, tokens[1]);
		if (!cursors.erase(name)) {
			throw Error(ErrorCode::InvalidCursorName, fmt::format("cursor \"{}\" does not exist", name));
		}
		return Command("CLOSE CURSOR");
	}
	// FETCH / MOVE [ NEXT | FORWARD [n | ALL] | n | ALL ] [ FROM | IN ] name
	uint64_t limit = 1;
	size_t i = 1;
	if (IsWord(tokens, i, "NEXT")) {
		i++;
	} else if (IsWord(tokens, i, "FORWARD")) {
		i++;
		if (i + 1 < tokens.size() && tokens[i].kind == Token::Kind::Number) {
			limit = std::stoull(tokens[i++].text);
		} else if (IsWord(tokens, i, "ALL")) {
			limit = 0;
			i++;
		}
	} else if (IsWord(tokens, i, "ALL")) {
		limit = 0;
		i++;
	} else if (i + 1 < tokens.size() && tokens[i].kind == Token::Kind::Number) {
		limit = std::stoull(tokens[i++].text);
	} else if (IsWord(tokens, i, "PRIOR") || IsWord(tokens, i, "FIRST") || IsWord(tokens, i, "LAST") ||
	           IsWord(tokens, i, "ABSOLUTE") || IsWord(tokens, i, "RELATIVE") || IsWord(tokens, i, "BACKWARD")) {
		throw Error(ErrorCode::FeatureNotSupported, "cursor can only scan forward");
	}
	if (IsWord(tokens, i, "FROM") || IsWord(tokens, i, "IN")) {
		i++;
	}
	if (i >= tokens.size()) {
		throw Error(ErrorCode::SyntaxError, fmt::format("syntax error in {}: expected a cursor name", verb));
	}
	auto name = IdentifierName(sql, tokens[i]);
	auto found = cursors.find(name);
	if (found == cursors.end()) {
		throw Error(ErrorCode::InvalidCursorName, fmt::format("cursor \"{}\" does not exist", name));
	}
	Outcome outcome;
	outcome.kind = Outcome::Kind::Rows;
	outcome.tag = verb;
	outcome.cursor = found->second.rows.get();
	outcome.row_limit = limit;
	outcome.discard_rows = verb == "MOVE";
	return outcome;
}

Outcome Session::RunCopy(const std::string &sql) {
	bool from_stdin = false;
	auto spec = ParseCopy(sql, from_stdin);
	if (!spec) {
		return RunEngine(sql, nullptr, {});
	}
	DetachOpenResults();
	Outcome outcome;
	outcome.copy = *spec;
	outcome.tag = "COPY";
	if (from_stdin) {
		outcome.kind = Outcome::Kind::CopyIn;
		if (!engine->InTransaction()) {
			BeginImplicitTransaction();
			outcome.implicit_transaction = true;
		}
		try {
			outcome.appender = engine->AppendTo(spec->table, spec->columns);
		} catch (const akko::Error &) {
			if (outcome.implicit_transaction) {
				EndImplicitTransaction(false);
			}
			throw;
		}
		return outcome;
	}
	std::string query = spec->query;
	if (query.empty()) {
		std::string columns;
		for (auto &column : spec->columns) {
			columns += (columns.empty() ? "" : ", ") + column;
		}
		query = fmt::format("SELECT {} FROM {}", columns.empty() ? "*" : columns, spec->table);
	}
	outcome.kind = Outcome::Kind::CopyOut;
	outcome.rows = std::make_unique<ResultCursor>(engine->Run(query), open_results);
	return outcome;
}

std::unique_ptr<Prepared> Session::Prepare(const std::string &sql, const std::vector<engine::TypeKind> &declared_types) {
	RefreshAccess();
	auto prepared = std::make_unique<Prepared>();
	prepared->sql = sql;
	auto tokens = Tokenize(sql, 4);
	static const char *const session_verbs[] = {"BEGIN", "START",   "COMMIT",  "END",       "ROLLBACK", "ABORT",
	                                            "SET",   "RESET",   "DECLARE", "FETCH",     "MOVE",     "CLOSE",
	                                            "COPY",  "DISCARD", "SAVEPOINT", "RELEASE"};
	bool session_command = tokens.empty();
	for (auto verb : session_verbs) {
		session_command = session_command || tokens[0].text == verb;
	}
	auto shown = ShownParameter(Tokenize(sql, 4), sql);
	session_command = session_command || shown.has_value();
	std::optional<authz::AccessStatement> access_statement;
	if (!session_command) {
		try {
			access_statement = authz::ParseAccessStatement(sql);
		} catch (const akko::Error &) {
			// Described as a statement of its own; running it reports the syntax error.
			session_command = true;
		}
	}
	if (access_statement) {
		engine::ColumnType text;
		text.kind = engine::TypeKind::Varchar;
		text.name = "VARCHAR";
		for (auto &name : ShowColumnNames(*access_statement)) {
			prepared->columns.push_back({name, text});
		}
		prepared->returns_rows = !prepared->columns.empty();
		return prepared;
	}
	if (session_command) {
		if (shown) {
			prepared->columns = ShowColumns(*shown);
			prepared->returns_rows = true;
		} else if (!tokens.empty() && (tokens[0].text == "FETCH" || tokens[0].text == "MOVE")) {
			auto all = Tokenize(sql);
			auto found = cursors.find(IdentifierName(sql, all.back()));
			if (found != cursors.end()) {
				prepared->columns = found->second.rows->Columns();
			}
			prepared->returns_rows = tokens[0].text == "FETCH";
		}
		return prepared;
	}
	try {
		if (state == TransactionState::Failed) {
			throw Error(ErrorCode::InFailedTransaction,
			            "current transaction is aborted, commands ignored until end of transaction block");
		}
		DetachOpenResults();
		try {
			prepared->query = engine->Prepare(sql);
		} catch (const akko::Error &error) {
			if (error.code != ErrorCode::UndefinedParameter) {
				throw;
			}
			// PostgreSQL resolves a parameter with no context to its declared type, or text.
			auto typed = RewriteParameters(sql, [&](int n) {
				auto kind = n >= 1 && static_cast<size_t>(n) <= declared_types.size() ? declared_types[n - 1]
				                                                                        : engine::TypeKind::Null;
				return fmt::format("CAST(${} AS {})", n, DuckTypeName(kind));
			});
			prepared->query = engine->Prepare(typed);
		}
	} catch (const akko::Error &error) {
		StatementRecord(service, identity, sql).Failed(error);
		Failed(error);
		throw;
	}
	prepared->parameter_types = prepared->query->ParameterTypes();
	for (size_t i = 0; i < declared_types.size() && i < prepared->parameter_types.size(); i++) {
		if (declared_types[i] != engine::TypeKind::Null && prepared->parameter_types[i].kind == engine::TypeKind::Null) {
			prepared->parameter_types[i].kind = declared_types[i];
		}
	}
	prepared->columns = prepared->query->Columns();
	prepared->returns_rows = prepared->query->Info().returns == engine::ReturnKind::Rows;
	return prepared;
}

} // namespace akko::sql
