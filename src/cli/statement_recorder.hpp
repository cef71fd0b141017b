#pragma once
// What every statement leaves behind, in `akko serve` and `akko init` alike: its metrics, its
// audit record (written before the adapter answers the client) and its log line.
#include <functional>

namespace akko::sql {
struct StatementEvent;
}
namespace akko::obs {
class AuditLog;
}

namespace akko::cli {

std::function<void(const sql::StatementEvent &)> StatementRecorder(obs::AuditLog &audit);

} // namespace akko::cli
