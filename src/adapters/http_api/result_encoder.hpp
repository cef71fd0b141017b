#pragma once
// Turns a statement's result into a response body, piece by piece, so any result streams
// in bounded memory: Begin, Row per row, then End, or Fail once rows went out.
#include "engine/result_chunk.hpp"

#include <memory>
#include <string>
#include <vector>

namespace akko {
class Error;
}

namespace akko::http_api {

class ResultEncoder {
public:
	virtual ~ResultEncoder() = default;
	virtual const char *ContentType() const = 0;
	// `columns` empty: a command without rows.
	virtual void Begin(std::string &out, const std::vector<engine::Column> &columns) = 0;
	virtual void Row(std::string &out, const engine::ResultChunk &chunk, uint64_t row) = 0;
	virtual void End(std::string &out, const std::string &command, uint64_t row_count, double elapsed_ms) = 0;
	// An error after Begin went out. False when the format has no way to say it: the
	// response is then cut off, which the client sees as a failed transfer.
	virtual bool Fail(std::string &out, const akko::Error &error) = 0;
};

// JSON: {"columns":[{"name","type"}],"rows":[[...]],"row_count","command","elapsed_ms"}
// with numbers and booleans as JSON, JSON-typed values embedded, others as text; an error
// after the rows began ends them with "error" in place of the counts.
std::unique_ptr<ResultEncoder> MakeJsonEncoder();
// CSV (RFC 4180): a header line, then rows; NULL is an empty field, the empty string "".
std::unique_ptr<ResultEncoder> MakeCsvEncoder();

} // namespace akko::http_api
