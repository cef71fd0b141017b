#pragma once
// One PostgreSQL client connection: startup, authentication, then the simple and extended
// query protocols, on the connection's own thread.
#include "adapters/pgwire/pg_message_reader.hpp"
#include "adapters/pgwire/pg_message_writer.hpp"
#include "adapters/pgwire/pg_server_state.hpp"
#include "adapters/pgwire/pg_socket.hpp"
#include "sql/session.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace akko::pgwire {

class PgConnection {
public:
	PgConnection(PgServer::State &server_p, boost::asio::ip::tcp::socket socket_p, int32_t pid_p, int32_t secret_p);
	~PgConnection();
	void Run();
	int32_t Secret() const {
		return secret;
	}
	// Safe from any thread.
	void CancelStatement();
	void Terminate();

private:
	struct PreparedEntry {
		std::unique_ptr<sql::Prepared> prepared;
		std::vector<int32_t> parameter_oids;
	};
	struct Portal {
		std::shared_ptr<PreparedEntry> statement;
		std::vector<engine::Param> params;
		std::vector<int16_t> formats; // one per result column
		std::optional<sql::Outcome> outcome;
		bool done = false;
	};
	enum class StartupResult { Continue, Ready, Close };

	bool ReadMessage(FrontendMessage &message);
	bool Flush();
	StartupResult HandleStartupPacket(std::string_view payload);
	bool Authenticate();
	void ServeQueries();
	void SendError(const akko::Error &error, const char *severity = "ERROR");
	void SendSessionMessages();
	void SendReadyForQuery();
	void SendRowDescription(const std::vector<engine::Column> &columns, const std::vector<int16_t> &formats);
	// Streams up to `limit` rows (0: all); returns whether rows are left (portal suspended).
	bool StreamRows(sql::Outcome &outcome, const std::vector<int16_t> &formats, uint64_t limit, uint64_t &count);
	void FinishOutcome(sql::Outcome &outcome, const std::vector<int16_t> &formats, uint64_t limit, bool &suspended);
	void RunCopyOut(sql::Outcome &outcome);
	void RunCopyIn(sql::Outcome &outcome);

	void HandleSimpleQuery(std::string_view payload);
	void HandleParse(std::string_view payload);
	void HandleBind(std::string_view payload);
	void HandleDescribe(std::string_view payload);
	void HandleExecute(std::string_view payload);
	void HandleClose(std::string_view payload);
	void HandleSync();

	PgServer::State &server;
	PgSocket socket;
	int32_t pid;
	int32_t secret;
	MessageReader reader;
	MessageWriter writer;
	std::string user;
	std::string database;
	std::string application_name;
	std::vector<std::pair<std::string, std::string>> startup_options;
	std::mutex session_lock;
	std::unique_ptr<sql::Session> session;
	std::map<std::string, std::shared_ptr<PreparedEntry>> statements;
	std::map<std::string, Portal> portals;
	bool skip_until_sync = false;
	bool closing = false;
};

} // namespace akko::pgwire
