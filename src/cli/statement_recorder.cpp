#include "cli/statement_recorder.hpp"

#include "common/log.hpp"
#include "obs/audit_log.hpp"
#include "obs/server_metrics.hpp"
#include "sql/session.hpp"

#include <nlohmann/json.hpp>

namespace akko::cli {

std::function<void(const sql::StatementEvent &)> StatementRecorder(obs::AuditLog &audit) {
	return [&audit](const sql::StatementEvent &event) {
		obs::RecordStatement(event.identity->protocol, event.status, event.seconds);
		// Written before the adapter answers the client (see sql::StatementRecord).
		obs::AuditRecord record;
		record.user = event.identity->user;
		record.roles = event.roles;
		record.protocol = event.identity->protocol;
		record.client = event.identity->client;
		record.operation = *event.sql;
		record.tables_read = event.access.tables_read;
		record.tables_written = event.access.tables_written;
		record.restrictions = event.access.restrictions;
		record.rows = event.rows;
		record.duration_ms = event.seconds * 1000;
		record.outcome = event.status;
		record.error = event.error_message;
		audit.Write(record);
		nlohmann::json fields = {{"user", event.identity->user},     {"protocol", event.identity->protocol},
		                         {"client", event.identity->client}, {"duration_ms", event.seconds * 1000},
		                         {"rows", event.rows},               {"status", event.status},
		                         {"command", event.tag},             {"sql", *event.sql}};
		if (!event.error_message.empty()) {
			fields["error"] = event.error_message;
		}
		log::Write(event.status == "ok" ? log::Level::Info : log::Level::Warn, "statement", fields);
	};
}

} // namespace akko::cli
