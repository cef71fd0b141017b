#pragma once
// What an HTTP handler sees: the request, and a responder that sends a whole response or
// streams one with chunked transfer encoding. Free of Boost so adapters stay light to build.
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

struct HttpRequest {
	std::string method;  // "GET", "POST", ...
	std::string target;  // as sent: path and query
	std::string path;    // the target before '?', not percent-decoded
	std::string query;   // the target after '?'
	HttpHeaders headers; // names in lower case
	std::string body;
	std::string remote; // peer "address:port"
	std::string route;  // the pattern that matched, for logs and metrics

	// The first value of a header (name in any case); empty when absent.
	std::string_view Header(std::string_view name) const;
};

struct HttpResponse {
	int status = 200;
	std::string content_type = "application/json";
	HttpHeaders headers; // beside Content-Type, Content-Length and Connection
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
	// Ends the body with its terminating chunk. The server finishes a stream the handler
	// left open when it returns.
	virtual bool Finish() = 0;
	// Ends the response without its terminating chunk: the client sees the transfer fail,
	// the only error signal left once the status line is out.
	virtual void Abort() = 0;
};

class HttpResponder {
public:
	virtual ~HttpResponder() = default;
	// One response per request: Send, or Stream then writes. A handler that returns
	// without either gets a 500; one that throws akko::Error gets its JSON error.
	virtual void Send(HttpResponse response) = 0;
	virtual ResponseStream &Stream(int status, std::string content_type, HttpHeaders headers = {}) = 0;
	// Called, from a network thread, if the client disconnects or the server stops while
	// the handler runs; pass nullptr to clear it (waits for a running call to return).
	virtual void OnCancel(std::function<void()> cancel) = 0;
};

// Handlers run on the worker pool unless registered inline; they may block there.
using HttpHandler = std::function<void(HttpRequest &request, HttpResponder &responder)>;

// {"error":{"code":..,"sqlstate":..,"message":..[,"position":n]}}, with the status of
// Describe(code), or `status` when not 0.
HttpResponse ErrorResponse(const akko::Error &error, int status = 0);

} // namespace akko::net
