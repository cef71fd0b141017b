#pragma once
// What an HTTP handler sees: the request, and a responder that sends a whole response or
// streams one. Free of Boost so adapters stay light to build.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace akko {
class Error;
}

namespace akko::net {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// A request body the handler reads as it arrives (servers with stream_request_bodies), so
// an upload of any size needs little memory. Safe from the handler's thread only.
class RequestBody {
public:
	virtual ~RequestBody() = default;
	// Up to `size` bytes; 0 at the end of the body. Blocks until bytes arrive. The first
	// read answers a client's "Expect: 100-continue". Throws akko::Error (protocol_violation)
	// when the client disconnects or stalls beyond the read timeout.
	virtual size_t Read(char *buffer, size_t size) = 0;
};

struct HttpRequest {
	std::string method;  // "GET", "POST", ...
	std::string target;  // as sent: path and query
	std::string path;    // the target before '?', not percent-decoded
	std::string query;   // the target after '?'
	HttpHeaders headers; // names in lower case
	std::string body;
	// Set instead of `body` on servers with stream_request_bodies; a handler that does not read
	// it to the end gets its connection closed after the response.
	RequestBody *body_stream = nullptr;
	std::string remote; // peer "address:port"
	std::string route;  // the pattern that matched, for logs and metrics

	// The first value of a header (name in any case); empty when absent.
	std::string_view Header(std::string_view name) const;
};

struct HttpResponse {
	int status = 200;
	std::string content_type = "application/json";
	// Beside Content-Type and Connection. A Content-Length here is replaced by the body's
	// size, except in the answer to a HEAD request, which goes out with it and no body.
	HttpHeaders headers;
	std::string body;
};

// A streamed response body. Safe from the handler's thread only.
class ResponseStream {
public:
	virtual ~ResponseStream() = default;
	// Queues bytes, coalesced into chunks of tens of kilobytes. Blocks while the client is
	// slower than the handler (bounded memory). False once the client is gone: stop
	// producing, the response is lost.
	virtual bool Write(std::string_view data) = 0;
	// Ends the body (with its terminating chunk, when chunked). The server finishes a
	// stream the handler left open when it returns. A body shorter than its declared
	// Content-Length ends with the connection, as Abort does.
	virtual bool Finish() = 0;
	// Ends the response without its terminating chunk, or short of its declared length,
	// and closes the connection: the client sees the transfer fail, the only error signal
	// left once the status line is out.
	virtual void Abort() = 0;
};

class HttpResponder {
public:
	virtual ~HttpResponder() = default;
	// One response per request: Send, or Stream then writes. A handler that returns
	// without either gets a 500; one that throws akko::Error gets its JSON error.
	virtual void Send(HttpResponse response) = 0;
	// With a "Content-Length" among `headers`, the body goes out raw with that length (bytes
	// written beyond it are dropped); otherwise chunked. A HEAD request gets the head only.
	virtual ResponseStream &Stream(int status, std::string content_type, HttpHeaders headers = {}) = 0;
	// Called, from a network thread, if the client disconnects or the server stops while
	// the handler runs (at once, from this call, if that happened already); pass nullptr to
	// clear it (waits for a running call to return).
	virtual void OnCancel(std::function<void()> cancel) = 0;
};

// Handlers run on the worker pool unless registered inline; they may block there.
using HttpHandler = std::function<void(HttpRequest &request, HttpResponder &responder)>;

// {"error":{"code":..,"sqlstate":..,"message":..[,"position":n]}}, with the status of
// Describe(code), or `status` when not 0.
HttpResponse ErrorResponse(const akko::Error &error, int status = 0);

} // namespace akko::net
