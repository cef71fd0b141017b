#pragma once
// Rows of one result, read in pieces: a protocol portal, a SQL cursor, or a whole result.
#include "engine/engine.hpp"

#include <memory>
#include <set>

namespace akko::sql {

class ResultCursor {
public:
	// `open_results` is the session's register of results that hold a live engine stream.
	ResultCursor(std::unique_ptr<engine::QueryStream> stream_p, std::set<ResultCursor *> &open_results_p);
	~ResultCursor();
	ResultCursor(const ResultCursor &) = delete;
	ResultCursor &operator=(const ResultCursor &) = delete;

	const std::vector<engine::Column> &Columns() const {
		return stream->Columns();
	}

	// Calls visit(chunk, row) for up to `limit` rows (0: all that are left); returns the count.
	template <class F>
	uint64_t Read(uint64_t limit, F &&visit) {
		uint64_t count = 0;
		while (limit == 0 || count < limit) {
			if (!chunk || next_row == chunk->RowCount()) {
				chunk = stream->Next();
				next_row = 0;
				if (!chunk) {
					exhausted = true;
					break;
				}
			}
			visit(*chunk, next_row++);
			count++;
		}
		return count;
	}
	bool Exhausted() const {
		return exhausted;
	}
	// Buffers the rest of the result so the session's engine is free for other statements.
	void Detach();

private:
	std::unique_ptr<engine::QueryStream> stream;
	std::set<ResultCursor *> *open_results;
	std::unique_ptr<engine::ResultChunk> chunk;
	uint64_t next_row = 0;
	bool exhausted = false;
};

} // namespace akko::sql
