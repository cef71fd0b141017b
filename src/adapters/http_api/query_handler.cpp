#include "adapters/http_api/query_handler.hpp"

#include "adapters/http_api/result_encoder.hpp"
#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "sql/copy_spec.hpp"
#include "sql/session.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace akko::http_api {

namespace {

// Flushed to the network in pieces this big: few writes, little memory.
constexpr size_t kFlushBytes = 32 * 1024;

struct QueryRequest {
	std::string sql;
	std::vector<engine::Param> params;
	std::unique_ptr<ResultEncoder> encoder;
};

engine::Param ParamFromJson(const nlohmann::json &value, size_t number) {
	engine::Param param;
	switch (value.type()) {
	case nlohmann::json::value_t::null:
		break;
	case nlohmann::json::value_t::boolean:
		param.kind = engine::Param::Kind::Boolean;
		param.integer = value.get<bool>();
		break;
	case nlohmann::json::value_t::number_integer:
		param.kind = engine::Param::Kind::Integer;
		param.integer = value.get<int64_t>();
		break;
	case nlohmann::json::value_t::number_unsigned:
		if (value.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) {
			param.kind = engine::Param::Kind::Integer;
			param.integer = value.get<int64_t>();
		} else {
			// Beyond BIGINT: the engine casts the digits to what the statement expects.
			param.kind = engine::Param::Kind::Text;
			param.bytes = value.dump();
		}
		break;
	case nlohmann::json::value_t::number_float:
		param.kind = engine::Param::Kind::Double;
		param.real = value.get<double>();
		break;
	case nlohmann::json::value_t::string:
		param.kind = engine::Param::Kind::Text;
		param.bytes = value.get<std::string>();
		break;
	default:
		throw akko::Error(ErrorCode::InvalidInput,
		                  fmt::format("parameter ${} is an array or object: give a JSON string, number, boolean or "
		                              "null (for a JSON value, its text)",
		                              number));
	}
	return param;
}

QueryRequest ParseRequest(const net::HttpRequest &request) {
	nlohmann::json body;
	try {
		body = nlohmann::json::parse(request.body);
	} catch (const nlohmann::json::parse_error &error) {
		throw akko::Error(ErrorCode::InvalidInput, fmt::format("the request body is not valid JSON: {}", error.what()));
	}
	if (!body.is_object() || !body.contains("sql") || !body["sql"].is_string()) {
		throw akko::Error(ErrorCode::InvalidInput, "the request body needs \"sql\": the statement text");
	}
	QueryRequest query;
	query.sql = body["sql"].get<std::string>();
	if (body.contains("parameters") && !body["parameters"].is_null()) {
		auto &parameters = body["parameters"];
		if (!parameters.is_array()) {
			throw akko::Error(ErrorCode::InvalidInput, "\"parameters\" must be an array, bound as $1, $2, ...");
		}
		for (size_t i = 0; i < parameters.size(); i++) {
			query.params.push_back(ParamFromJson(parameters[i], i + 1));
		}
	}
	std::string format = "json";
	if (body.contains("format")) {
		format = body["format"].is_string() ? body["format"].get<std::string>() : "";
	}
	if (format == "json") {
		query.encoder = MakeJsonEncoder();
	} else if (format == "csv") {
		query.encoder = MakeCsvEncoder();
	} else {
		throw akko::Error(ErrorCode::InvalidInput, "\"format\" must be \"json\" or \"csv\"");
	}
	return query;
}

akko::Error CopyRefused() {
	return akko::Error(ErrorCode::FeatureNotSupported,
	                   "COPY FROM STDIN and COPY TO STDOUT need the PostgreSQL protocol; over HTTP, use INSERT or "
	                   "SELECT");
}

// The count at the end of a command tag ("INSERT 0 5" -> 5); 0 when there is none.
uint64_t TagCount(const std::string &tag) {
	auto space = tag.rfind(' ');
	if (space == std::string::npos) {
		return 0;
	}
	auto digits = tag.substr(space + 1);
	if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
		return 0;
	}
	return std::stoull(digits);
}

// Clears the responder's cancel hook before the session it cancels goes away.
class CancelGuard {
public:
	CancelGuard(net::HttpResponder &responder_p, sql::Session &session) : responder(responder_p) {
		responder.OnCancel([&session] { session.Cancel(); });
	}
	~CancelGuard() {
		responder.OnCancel(nullptr);
	}

private:
	net::HttpResponder &responder;
};

class QueryRun {
public:
	QueryRun(sql::SqlService &service, const auth::Caller &caller, net::HttpRequest &request_p,
	         net::HttpResponder &responder_p)
	    : request(request_p), responder(responder_p), started(std::chrono::steady_clock::now()),
	      session(service, Identity(caller, request)) {
	}

	void Run() {
		auto query = ParseRequest(request);
		encoder = std::move(query.encoder);
		auto statements = SplitStatements(query.sql);
		if (statements.empty()) {
			throw akko::Error(ErrorCode::InvalidInput, "\"sql\" holds no statement");
		}
		if (!query.params.empty() && statements.size() > 1) {
			throw akko::Error(
			    ErrorCode::InvalidInput,
			    fmt::format("parameters need exactly one statement; \"sql\" holds {}", statements.size()));
		}
		for (auto &statement : statements) {
			bool from_stdin = false;
			if (sql::ParseCopy(statement, from_stdin)) {
				throw CopyRefused();
			}
		}
		bool implicit = session.NeedsImplicitTransaction(statements);
		CancelGuard cancel(responder, session);
		if (implicit) {
			session.BeginImplicitTransaction();
		}
		try {
			for (size_t i = 0; i + 1 < statements.size(); i++) {
				auto outcome = session.Run(statements[i]);
				Drain(outcome);
			}
			auto outcome = query.params.empty() ? session.Run(statements.back()) : Execute(statements.back(), query);
			Respond(outcome, implicit);
		} catch (const akko::Error &) {
			if (implicit && !streaming) {
				EndImplicitTransaction(false);
			}
			throw;
		}
	}

private:
	static sql::SessionIdentity Identity(const auth::Caller &caller, const net::HttpRequest &request) {
		sql::SessionIdentity identity;
		identity.user = caller.user;
		identity.idp_roles = caller.roles;
		identity.protocol = "http";
		identity.client = request.remote;
		identity.application_name = std::string(request.Header("user-agent"));
		return identity;
	}

	sql::Outcome Execute(const std::string &statement, const QueryRequest &query) {
		auto prepared = session.Prepare(statement, {});
		return session.Execute(*prepared, query.params);
	}

	// Reads a Rows outcome to its end (that is how a statement before the last runs, and
	// how MOVE skips) and returns the count.
	uint64_t Drain(sql::Outcome &outcome) {
		RefuseCopy(outcome);
		if (outcome.kind != sql::Outcome::Kind::Rows) {
			return 0;
		}
		uint64_t count = 0;
		try {
			count = outcome.Source()->Read(outcome.row_limit, [](const engine::ResultChunk &, uint64_t) {});
		} catch (const akko::Error &error) {
			session.StreamFailed(outcome, error);
			throw;
		}
		outcome.record->Done(sql::CommandTag(outcome.tag, count), count);
		return count;
	}

	void RefuseCopy(sql::Outcome &outcome) {
		if (outcome.kind == sql::Outcome::Kind::CopyIn || outcome.kind == sql::Outcome::Kind::CopyOut) {
			auto error = CopyRefused();
			session.StreamFailed(outcome, error);
			throw error;
		}
	}

	void EndImplicitTransaction(bool commit) {
		try {
			session.EndImplicitTransaction(commit);
		} catch (const akko::Error &) {
			if (commit) {
				throw;
			}
			// Rolling back after an error: the first error is the one to report.
		}
	}

	double ElapsedMs() const {
		return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
	}

	void Respond(sql::Outcome &outcome, bool implicit) {
		RefuseCopy(outcome);
		if (outcome.kind != sql::Outcome::Kind::Rows || outcome.discard_rows) {
			auto tag = outcome.tag;
			if (outcome.kind == sql::Outcome::Kind::Rows) {
				tag = sql::CommandTag(outcome.tag, Drain(outcome));
			}
			if (implicit) {
				EndImplicitTransaction(true);
			}
			std::string body;
			encoder->Begin(body, {});
			encoder->End(body, tag, TagCount(tag), ElapsedMs());
			responder.Send(net::HttpResponse {200, encoder->ContentType(), {}, std::move(body)});
			return;
		}
		StreamRows(outcome, implicit);
	}

	void StreamRows(sql::Outcome &outcome, bool implicit) {
		auto *source = outcome.Source();
		std::string body;
		encoder->Begin(body, source->Columns());
		uint64_t count = 0;
		auto visit = [&](const engine::ResultChunk &chunk, uint64_t row) {
			encoder->Row(body, chunk, row);
			if (body.size() >= kFlushBytes) {
				Flush(body);
			}
		};
		try {
			// The first row is computed before the status goes out, so the errors most
			// statements meet early still get their own status.
			count = source->Read(1, visit);
		} catch (const akko::Error &error) {
			session.StreamFailed(outcome, error);
			throw;
		}
		stream = &responder.Stream(200, encoder->ContentType());
		streaming = true;
		try {
			uint64_t limit = outcome.row_limit;
			if (!source->Exhausted() && (limit == 0 || count < limit)) {
				count += source->Read(limit == 0 ? 0 : limit - count, visit);
			}
			outcome.record->Done(sql::CommandTag(outcome.tag, count), count);
			if (implicit) {
				// The result is read: let it go before the commit, which would keep it.
				outcome.rows.reset();
				EndImplicitTransaction(true);
			}
		} catch (const akko::Error &error) {
			session.StreamFailed(outcome, error);
			if (implicit) {
				outcome.rows.reset();
				EndImplicitTransaction(false);
			}
			if (client_gone) {
				return;
			}
			if (!encoder->Fail(body, error)) {
				stream->Abort();
				return;
			}
			Flush(body);
			stream->Finish();
			return;
		}
		encoder->End(body, sql::CommandTag(outcome.tag, count), count, ElapsedMs());
		Flush(body);
		stream->Finish();
	}

	void Flush(std::string &body) {
		if (!stream) {
			return; // still before the status: kept until the first row is in
		}
		if (!stream->Write(body)) {
			client_gone = true;
			throw akko::Error(ErrorCode::QueryCanceled, "the client closed the connection");
		}
		body.clear();
	}

	net::HttpRequest &request;
	net::HttpResponder &responder;
	std::chrono::steady_clock::time_point started;
	sql::Session session;
	std::unique_ptr<ResultEncoder> encoder;
	net::ResponseStream *stream = nullptr;
	bool streaming = false;
	bool client_gone = false;
};

} // namespace

void HandleQuery(sql::SqlService &service, const auth::Caller &caller, net::HttpRequest &request,
                 net::HttpResponder &responder) {
	QueryRun(service, caller, request, responder).Run();
}

} // namespace akko::http_api
