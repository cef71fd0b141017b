// One client connection: reads a request, hands it to its handler, writes the response the
// handler's ResponseChannel yields, and repeats while keep-alive holds. Everything here
// runs on the connection's strand; workers reach it only through the channel.
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/worker_pool.hpp"
#include "net/http_server_state.hpp"
#include "net/request_body_channel.hpp"
#include "net/response_channel.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace akko::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Kind = ResponseChannel::Item::Kind;

// Time a TLS client gets to answer our close_notify, and any client to stop sending
// before the socket closes.
constexpr std::chrono::seconds kLingerTimeout {2};
// Beast reads at most 64 KiB at a time, and no more than its buffer's free room: a buffer
// sized for headers would mean a system call for every 512 bytes of body.
constexpr size_t kBodyPieceBytes = 64 * 1024;

std::string ToString(beast::string_view text) {
	return std::string(text.data(), text.size());
}

// Clients may send any token as a method; the metric label takes the standard ones only.
std::string MethodLabel(const std::string &method) {
	static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
	for (auto name : known) {
		if (method == name) {
			return method;
		}
	}
	return "other";
}

// The client went away or stalled: nothing to answer.
bool IsDisconnect(const beast::error_code &error) {
	return error == http::error::end_of_stream || error == http::error::partial_message || error == asio::error::eof ||
	       error == asio::error::connection_reset || error == asio::error::broken_pipe ||
	       error == asio::error::operation_aborted || error == beast::error::timeout ||
	       error == asio::ssl::error::stream_truncated;
}

template <class Stream>
class Connection : public HttpConnection, public std::enable_shared_from_this<Connection<Stream>> {
public:
	Connection(HttpServer::State &server_p, Stream stream_p, std::string remote_p)
	    : server(server_p), stream(std::move(stream_p)), remote(std::move(remote_p)),
	      open_metric(server.options.protocol) {
	}

	void Start(uint64_t id_p) {
		id = id_p;
		asio::dispatch(stream.get_executor(), [self = this->shared_from_this()] {
			if constexpr (std::is_same_v<Stream, TlsStream>) {
				self->Lowest().expires_after(self->server.options.read_timeout);
				self->stream.async_handshake(asio::ssl::stream_base::server, [self](beast::error_code error) {
					if (error) {
						log::Write(log::Level::Debug, "tls_handshake_failed",
						           {{"remote", self->remote}, {"error", error.message()}});
						return self->Close(0);
					}
					self->ReadHeader();
				});
			} else {
				self->ReadHeader();
			}
		});
	}

	void CloseIdle() override {
		asio::post(stream.get_executor(), [self = this->shared_from_this()] {
			if (self->idle) {
				self->Close(0);
			} else {
				self->closing = true;
			}
		});
	}

	void CloseNow() override {
		asio::post(stream.get_executor(), [self = this->shared_from_this()] { self->Close(499); });
	}

private:
	beast::tcp_stream &Lowest() {
		return beast::get_lowest_layer(stream);
	}

	void ReadHeader() {
		if (closed) {
			return;
		}
		if (closing || server.stopping) {
			return Shutdown();
		}
		idle = true;
		body_parser.reset();
		body_done = false;
		expect_continue = false;
		header_parser.emplace();
		header_parser->header_limit(static_cast<uint32_t>(server.options.max_header_bytes));
		header_parser->body_limit(BodyLimit());
		Lowest().expires_after(requests == 0 ? server.options.read_timeout : server.options.idle_timeout);
		http::async_read_header(
		    stream, buffer, *header_parser,
		    [self = this->shared_from_this()](beast::error_code error, size_t) { self->OnHeader(error); });
	}

	void OnHeader(beast::error_code error) {
		if (closed) {
			return;
		}
		idle = false;
		if (error && IsDisconnect(error)) {
			return Close(0);
		}
		BeginRequest();
		if (error == http::error::header_limit) {
			return Reject(akko::Error(ErrorCode::InvalidInput, fmt::format("the request header exceeds {} bytes",
			                                                               server.options.max_header_bytes)),
			              431);
		}
		if (error == http::error::body_limit) {
			return RejectBody();
		}
		if (error) {
			return Reject(akko::Error(ErrorCode::ProtocolViolation, "malformed HTTP request: " + error.message()), 400);
		}
		auto &header = header_parser->get();
		if (auto length = header_parser->content_length(); length && *length > BodyLimit()) {
			return RejectBody();
		}
		if (server.options.stream_request_bodies) {
			return Dispatch();
		}
		if (beast::iequals(header[http::field::expect], "100-continue")) {
			// Clients that ask wait for this before they send the body.
			return SendContinue([](Connection &self) { self.ReadBody(); });
		}
		ReadBody();
	}

	// Writes the interim "100 Continue", then goes on with `next`.
	template <class Next>
	void SendContinue(Next next) {
		interim.emplace(http::status::continue_, version);
		writing = true;
		Lowest().expires_after(server.options.write_timeout);
		http::async_write(stream, *interim, [self = this->shared_from_this(), next](beast::error_code error, size_t) {
			self->writing = false;
			if (error) {
				return self->Close(499);
			}
			next(*self);
		});
	}

	void ReadBody() {
		if (closed) {
			return;
		}
		parser.emplace(std::move(*header_parser));
		header_parser.reset();
		buffer.reserve(kBodyPieceBytes);
		Lowest().expires_after(server.options.read_timeout);
		http::async_read(stream, buffer, *parser,
		                 [self = this->shared_from_this()](beast::error_code error, size_t) { self->OnBody(error); });
	}

	void OnBody(beast::error_code error) {
		if (closed) {
			return;
		}
		if (error == http::error::body_limit) {
			return RejectBody();
		}
		if (error && IsDisconnect(error)) {
			return Close(499);
		}
		if (error) {
			return Reject(akko::Error(ErrorCode::ProtocolViolation, "malformed HTTP request: " + error.message()), 400);
		}
		Dispatch();
	}

	void BeginRequest() {
		in_request = true;
		requests++;
		started = std::chrono::steady_clock::now();
		bytes_sent = 0;
		route = "none";
		auto &header = header_parser->get();
		method = ToString(header.method_string());
		path = ToString(header.target());
		version = header.version() == 10 ? 10 : 11;
		head_request = header.method() == http::verb::head;
		server.RequestBegan();
	}

	void Dispatch() {
		HttpRequest request;
		request.method = method;
		request.target = path;
		auto question = request.target.find('?');
		request.path = request.target.substr(0, question);
		if (question != std::string::npos) {
			request.query = request.target.substr(question + 1);
		}
		path = request.path;
		if (parser) {
			auto message = parser->release();
			parser.reset();
			TakeHeader(message, request);
			request.body = std::move(message.body());
		} else {
			// The body stays on the socket: the parser reads it piece by piece later.
			body_parser.emplace(std::move(*header_parser));
			header_parser.reset();
			buffer.reserve(kBodyPieceBytes);
			body_done = body_parser->is_done();
			expect_continue = !body_done && beast::iequals(body_parser->get()[http::field::expect], "100-continue");
			TakeHeader(body_parser->get(), request);
		}
		request.remote = remote;

		int status = 0;
		std::string allowed;
		auto target = server.Match(request.method, request.path, status, allowed);
		if (!target) {
			if (status == 405) {
				auto response = ErrorResponse(
				    akko::Error(ErrorCode::InvalidInput, fmt::format("{} is not allowed on {}", method, request.path)),
				    405);
				response.headers.emplace_back("Allow", allowed);
				return Respond(std::move(response));
			}
			return Respond(ErrorResponse(
			    akko::Error(ErrorCode::NotFound, fmt::format("no resource at {} {}", method, request.path)), 404));
		}
		route = target->prefix ? target->path + "*" : target->path;
		request.route = route;
		if (body_parser) {
			body = std::make_shared<RequestBodyChannel>(Waker(&Connection::ResumeBody),
			                                            target->dispatch == Dispatch::Worker, expect_continue);
			if (body_done) {
				body->End();
			}
			request.body_stream = body.get();
		}
		if (target->dispatch == Dispatch::Inline) {
			channel = std::make_shared<ResponseChannel>(Waker(&Connection::Pump), false);
			std::exception_ptr failure;
			try {
				target->handler(request, *channel);
			} catch (...) {
				failure = std::current_exception();
			}
			channel->Complete(failure);
			return Pump();
		}

		channel = std::make_shared<ResponseChannel>(Waker(&Connection::Pump), true);
		server.HandlerBegan();
		auto posted =
		    server.workers.Post([self = this->shared_from_this(), channel = channel, body = body,
		                         handler = &target->handler, request = std::move(request), &state = server]() mutable {
			    // A request whose client left while it waited for a worker is not worth running.
			    if (!channel->Closed()) {
				    std::exception_ptr failure;
				    try {
					    (*handler)(request, *channel);
				    } catch (...) {
					    failure = std::current_exception();
				    }
				    channel->Complete(failure);
			    }
			    // Let go of the connection before Stop may see no handler running.
			    channel.reset();
			    body.reset();
			    self.reset();
			    state.HandlerEnded();
		    });
		if (!posted) {
			server.HandlerEnded();
			closing = true;
			channel->Send(ErrorResponse(akko::Error(ErrorCode::AdminShutdown, "the server is shutting down")));
			return Pump();
		}
		if (body && !body_done && !expect_continue) {
			ResumeBody();
		} else {
			WatchDisconnect();
		}
	}

	template <class Header>
	void TakeHeader(const Header &message, HttpRequest &request) {
		for (auto &field : message) {
			auto name = ToString(field.name_string());
			std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
			request.headers.emplace_back(std::move(name), ToString(field.value()));
		}
		keep_alive = message.keep_alive();
	}

	uint64_t BodyLimit() const {
		return server.options.stream_request_bodies ? server.options.max_streamed_body_bytes
		                                            : server.options.max_body_bytes;
	}

	// A streamed body not all off the socket yet: the connection cannot serve another request.
	bool BodyUnread() const {
		return body_parser && !body_done;
	}

	// Reads the next piece of a streamed body when its channel has room and the handler
	// asked for it (a client that expects "100 Continue" gets it first).
	void ResumeBody() {
		if (closed || !body || body_done || body_reading || continue_due || !body->WantsMore()) {
			return;
		}
		if (expect_continue) {
			expect_continue = false;
			// A response already under way answers the client in its place.
			if (channel && channel->Status() == 0) {
				continue_due = true;
				return Pump();
			}
		}
		body_reading = true;
		piece.resize(kBodyPieceBytes);
		auto &target = body_parser->get().body();
		target.data = piece.data();
		target.size = piece.size();
		target.more = true;
		Lowest().expires_after(server.options.read_timeout);
		http::async_read_some(stream, buffer, *body_parser, [self = this->shared_from_this()](beast::error_code error,
		                                                                                        size_t) {
			self->OnBodyPiece(error);
		});
	}

	void OnBodyPiece(beast::error_code error) {
		body_reading = false;
		if (closed) {
			return;
		}
		if (!body) {
			// The response went out first and the connection closes; the read was cancelled.
			return Shutdown();
		}
		if (error == http::error::need_buffer) {
			error = {};
		}
		auto size = piece.size() - body_parser->get().body().size;
		if (size > 0) {
			std::string taken(piece.data(), size);
			body->Push(std::move(taken));
		}
		if (error == beast::error::timeout) {
			return Close(408, akko::Error(ErrorCode::ProtocolViolation,
			                              fmt::format("the client sent no request body for {} ms",
			                                          server.options.read_timeout.count())));
		}
		if (error && IsDisconnect(error)) {
			return Close(499,
			             akko::Error(ErrorCode::ProtocolViolation, "the client disconnected during the request body"));
		}
		if (error) {
			closing = true;
			body->Fail(error == http::error::body_limit
			               ? akko::Error(ErrorCode::InvalidInput,
			                             fmt::format("the request body exceeds {} bytes", BodyLimit()))
			               : akko::Error(ErrorCode::ProtocolViolation, "malformed request body: " + error.message()));
			return;
		}
		if (body_parser->is_done()) {
			body_done = true;
			body->End();
			return WatchDisconnect();
		}
		ResumeBody();
	}

	// Calls `member` on the connection's strand, from any thread. The channels keep only a
	// weak reference, so they never keep the connection alive by themselves.
	std::function<void()> Waker(void (Connection::*member)()) {
		return [weak = this->weak_from_this(), executor = stream.get_executor(), member] {
			if (auto self = weak.lock()) {
				asio::post(executor, [self, member] { ((*self).*member)(); });
			}
		};
	}

	void Respond(HttpResponse response) {
		channel = std::make_shared<ResponseChannel>(Waker(&Connection::Pump), false);
		channel->Send(std::move(response));
		Pump();
	}

	void Reject(const akko::Error &error, int status) {
		// The rest of the request is unread or unreadable: the connection cannot go on.
		closing = true;
		Respond(ErrorResponse(error, status));
	}

	void RejectBody() {
		Reject(akko::Error(ErrorCode::InvalidInput, fmt::format("the request body exceeds {} bytes", BodyLimit())), 413);
	}

	template <class Message>
	void SetHeaders(Message &message, HttpResponse &response) {
		message.set(http::field::server, "akko");
		if (!response.content_type.empty()) {
			message.set(http::field::content_type, response.content_type);
		}
		for (auto &[name, value] : response.headers) {
			message.insert(name, value);
		}
		keep_alive = keep_alive && !closing && !server.stopping && !BodyUnread();
		message.keep_alive(keep_alive);
	}

	void Pump() {
		if (writing || closed) {
			return;
		}
		if (continue_due) {
			continue_due = false;
			SendContinue([](Connection &self) {
				self.ResumeBody();
				self.Pump();
			});
			return;
		}
		if (!channel) {
			return;
		}
		auto item = channel->Next();
		if (!item) {
			return;
		}
		writing = true;
		Lowest().expires_after(server.options.write_timeout);
		auto self = this->shared_from_this();
		switch (item->kind) {
		case Kind::Whole: {
			if (auto length = head_request ? DeclaredLength(item->response.headers) : std::nullopt) {
				// The size of what a GET would get, without the body.
				head.emplace(static_cast<http::status>(item->response.status), version);
				SetHeaders(*head, item->response);
				head->content_length(*length);
				http::async_write(stream, *head,
				                  [self](beast::error_code error, size_t) { self->OnWritten(Kind::Whole, 0, error); });
				break;
			}
			whole.emplace(static_cast<http::status>(item->response.status), version);
			SetHeaders(*whole, item->response);
			whole->body() = std::move(item->response.body);
			whole->prepare_payload();
			bytes_sent += whole->body().size();
			http::async_write(stream, *whole,
			                  [self](beast::error_code error, size_t) { self->OnWritten(Kind::Whole, 0, error); });
			break;
		}
		case Kind::Head: {
			head.emplace(static_cast<http::status>(item->response.status), version);
			fixed_remaining = DeclaredLength(item->response.headers);
			if (version == 10 && !fixed_remaining && !head_request) {
				// HTTP/1.0 has no chunks: the body runs to the end of the connection.
				closing = true;
			}
			SetHeaders(*head, item->response);
			if (fixed_remaining) {
				head->content_length(*fixed_remaining);
			} else {
				head->chunked(version == 11);
			}
			head_writer.emplace(*head);
			http::async_write_header(stream, *head_writer, [self](beast::error_code error, size_t) {
				self->OnWritten(Kind::Head, 0, error);
			});
			break;
		}
		case Kind::Chunk: {
			chunk = std::move(item->response.body);
			auto size = chunk.size();
			if (head_request) {
				writing = false;
				channel->Written(size);
				return Pump();
			}
			auto done = [self, size](beast::error_code error, size_t) {
				self->OnWritten(Kind::Chunk, size, error);
			};
			if (fixed_remaining) {
				auto count = std::min<uint64_t>(size, *fixed_remaining);
				*fixed_remaining -= count;
				bytes_sent += count;
				asio::async_write(stream, asio::buffer(chunk.data(), count), done);
			} else if (version == 11) {
				bytes_sent += size;
				asio::async_write(stream, http::make_chunk(asio::buffer(chunk)), done);
			} else {
				bytes_sent += size;
				asio::async_write(stream, asio::buffer(chunk), done);
			}
			break;
		}
		case Kind::End:
			if (head_request) {
				writing = false;
				RequestDone();
			} else if (fixed_remaining) {
				writing = false;
				if (*fixed_remaining > 0) {
					// Short of its declared length: only closing tells the client.
					return Fail();
				}
				RequestDone();
			} else if (version == 11) {
				asio::async_write(stream, http::make_chunk_last(),
				                  [self](beast::error_code error, size_t) { self->OnWritten(Kind::End, 0, error); });
			} else {
				writing = false;
				RequestDone();
			}
			break;
		case Kind::Abort:
			writing = false;
			Fail();
			break;
		}
	}

	void OnWritten(Kind kind, size_t chunk_bytes, beast::error_code error) {
		writing = false;
		if (closed) {
			return;
		}
		if (error) {
			return Close(499);
		}
		if (kind == Kind::Chunk) {
			channel->Written(chunk_bytes);
		}
		if (kind == Kind::Whole || kind == Kind::End) {
			return RequestDone();
		}
		Pump();
	}

	// Interrupts the handler when the client hangs up while it runs: the socket turning
	// readable with nothing to read means the peer closed.
	void WatchDisconnect() {
		if (watching) {
			return;
		}
		watching = true;
		Lowest().socket().async_wait(
		    tcp::socket::wait_read, [self = this->shared_from_this(), number = requests](beast::error_code error) {
			    if (number == self->requests) {
				    self->watching = false;
			    }
			    // A body read under way notices a hang-up itself.
			    if (error || self->closed || !self->in_request || number != self->requests || self->body_reading) {
				    return;
			    }
			    char byte;
			    auto &socket = self->Lowest().socket();
			    socket.non_blocking(true, error);
			    auto size = socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, error);
			    if (error == asio::error::would_block || error == asio::error::try_again) {
				    return self->WatchDisconnect();
			    }
			    if (error || size == 0) {
				    self->Close(499);
			    }
			    // Otherwise the client already sent its next request: it is still there.
		    });
	}

	void Record(int status) {
		auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
		server.metrics.http_requests.Labels({MethodLabel(method), route, std::to_string(status)}).Increment();
		server.metrics.http_duration.Labels({route}).Observe(seconds);
		if (log::Enabled(log::Level::Debug)) {
			log::Write(log::Level::Debug, "http_request",
			           {{"method", method},
			            {"path", path},
			            {"route", route},
			            {"status", status},
			            {"ms", std::round(seconds * 1e6) / 1e3},
			            {"bytes", bytes_sent},
			            {"remote", remote}});
		}
	}

	// Ends a response whose body is cut short; the client sees the transfer fail as the
	// connection closes, gently, so that what went out is not lost to a reset.
	void Fail() {
		keep_alive = false;
		RequestDone(500);
	}

	// `status`, when not 0, is what the request counts as in the metrics.
	void RequestDone(int status = 0) {
		Record(status ? status : channel->Status());
		channel.reset();
		whole.reset();
		head_writer.reset();
		head.reset();
		fixed_remaining.reset();
		std::string().swap(chunk);
		in_request = false;
		server.RequestEnded();
		beast::error_code ignored;
		// Ends the disconnect watch, if one is waiting, and a body read.
		Lowest().socket().cancel(ignored);
		watching = false;
		if (body) {
			body->Fail(akko::Error(ErrorCode::ProtocolViolation, "the response went out before the request body was read"));
			body.reset();
		}
		if (body_reading) {
			// Its completion closes the connection: one read at a time.
			return;
		}
		if (!keep_alive || BodyUnread()) {
			return Shutdown();
		}
		ReadHeader();
	}

	// Closes after the last response: TLS says close_notify; then the client gets a moment
	// to stop sending, as closing with unread data would reset the connection and could
	// lose the response on its way.
	void Shutdown() {
		if constexpr (std::is_same_v<Stream, TlsStream>) {
			Lowest().expires_after(kLingerTimeout);
			stream.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->Close(0); });
		} else {
			beast::error_code ignored;
			Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
			Drain();
		}
	}

	void Drain() {
		Lowest().expires_after(kLingerTimeout);
		Lowest().async_read_some(asio::buffer(drain_buffer),
		                         [self = this->shared_from_this()](beast::error_code error, size_t) {
			                         if (error) {
				                         return self->Close(0);
			                         }
			                         self->Drain();
		                         });
	}

	void Close(int status) {
		Close(status, akko::Error(ErrorCode::ProtocolViolation, "the connection closed during the request body"));
	}

	// `status` is what a request cut short counts as in the metrics; `body_error` what reads
	// of its unfinished streamed body throw.
	void Close(int status, akko::Error body_error) {
		if (closed) {
			return;
		}
		closed = true;
		if (in_request) {
			in_request = false;
			Record(status);
			server.RequestEnded();
		}
		// The cancel hook runs before reads fail, so a handler that sees the failure knows
		// its hook already ran.
		if (channel) {
			channel->Close();
		}
		if (body) {
			body->Fail(std::move(body_error));
		}
		Lowest().close();
		server.Unregister(id);
	}

	HttpServer::State &server;
	Stream stream;
	const std::string remote;
	obs::ConnectionMetric open_metric;
	uint64_t id = 0;
	beast::flat_buffer buffer;
	std::optional<http::request_parser<http::empty_body>> header_parser;
	std::optional<http::request_parser<http::string_body>> parser;      // a whole body
	std::optional<http::request_parser<http::buffer_body>> body_parser; // a streamed body
	std::shared_ptr<RequestBodyChannel> body;
	std::string piece;
	std::optional<http::response<http::empty_body>> interim;
	std::optional<http::response<http::string_body>> whole;
	std::optional<http::response<http::empty_body>> head;
	std::optional<http::response_serializer<http::empty_body>> head_writer;
	std::string chunk;
	char drain_buffer[4096];
	std::shared_ptr<ResponseChannel> channel;

	// The request being served.
	bool in_request = false;
	uint64_t requests = 0;
	std::string method;
	std::string path;
	std::string route;
	unsigned version = 11;
	bool head_request = false;
	bool body_done = false;       // the streamed body is all off the socket
	bool body_reading = false;    // a read of a body piece is under way
	bool expect_continue = false; // "100 Continue" waits for the handler's first Read
	bool continue_due = false;    // "100 Continue" is next to write
	std::optional<uint64_t> fixed_remaining; // of a streamed body with a declared length
	std::chrono::steady_clock::time_point started;
	uint64_t bytes_sent = 0;
	bool keep_alive = false;

	bool idle = false;    // waiting for a request header
	bool writing = false; // a write is under way
	bool watching = false; // a disconnect watch is waiting
	bool closing = false; // close after the current response
	bool closed = false;
};

template <class Stream>
void Serve(std::shared_ptr<Connection<Stream>> connection, HttpServer::State &server) {
	if (auto id = server.Register(connection)) {
		connection->Start(*id);
	}
}

} // namespace

void ServeConnection(tcp::socket socket, HttpServer::State &server) {
	beast::error_code error;
	auto endpoint = socket.remote_endpoint(error);
	auto remote =
	    error ? std::string("unknown") : fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
	// Response heads and last chunks are small writes that must not wait for an ACK.
	socket.set_option(tcp::no_delay(true), error);
	if (server.options.tls) {
		Serve(std::make_shared<Connection<TlsStream>>(
		          server, TlsStream(beast::tcp_stream(std::move(socket)), *server.options.tls), std::move(remote)),
		      server);
	} else {
		Serve(std::make_shared<Connection<PlainStream>>(server, PlainStream(std::move(socket)), std::move(remote)),
		      server);
	}
}

} // namespace akko::net
