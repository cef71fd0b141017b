#include "sql/result_cursor.hpp"

namespace akko::sql {

ResultCursor::ResultCursor(std::unique_ptr<engine::QueryStream> stream_p, std::set<ResultCursor *> &open_results_p)
    : stream(std::move(stream_p)), open_results(&open_results_p) {
	if (!stream->IsMaterialized()) {
		open_results->insert(this);
	}
}

ResultCursor::~ResultCursor() {
	chunk.reset();
	open_results->erase(this);
}

void ResultCursor::Detach() {
	// A stream read to its end is closed; there is nothing left to buffer (materializing a
	// closed DuckDB stream fails with an empty error).
	if (!exhausted && !stream->IsMaterialized()) {
		stream->Materialize();
	}
	open_results->erase(this);
}

} // namespace akko::sql
