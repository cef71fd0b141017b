#include "common/error.hpp"
#include "common/worker_pool.hpp"
#include "net/http_server.hpp"
#include "net/tls.hpp"
#include "obs/metrics.hpp"

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <future>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <poll.h>
#include <thread>

using namespace akko;
using namespace akko::net;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// A byte at `offset` of the streamed test body, so corruption anywhere shows.
char PatternByte(size_t offset) {
	return static_cast<char>('a' + (offset * 7 + offset / 4096) % 26);
}

struct Parsed {
	int status = 0;
	std::string body;
	http::response<http::string_body> message;
};

// Parses one response from raw bytes (chunked or not).
Parsed Parse(const std::string &raw) {
	http::response_parser<http::string_body> parser;
	parser.body_limit(boost::none);
	parser.eager(true);
	boost::beast::error_code error;
	parser.put(asio::buffer(raw), error);
	if (!error && !parser.is_done()) {
		parser.put_eof(error);
	}
	EXPECT_FALSE(error) << error.message() << " in\n" << raw.substr(0, 500);
	Parsed parsed;
	parsed.message = parser.release();
	parsed.status = parsed.message.result_int();
	parsed.body = parsed.message.body();
	return parsed;
}

// Sends raw bytes and reads until the server closes.
std::string Exchange(uint16_t port, const std::string &raw) {
	asio::io_context io;
	tcp::socket socket(io);
	socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
	asio::write(socket, asio::buffer(raw));
	std::string received;
	boost::system::error_code error;
	asio::read(socket, asio::dynamic_buffer(received), error);
	return received;
}

std::string Get(const std::string &path) {
	return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
}

class Sha256 {
public:
	Sha256() : context(EVP_MD_CTX_new()) {
		EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
	}
	~Sha256() {
		EVP_MD_CTX_free(context);
	}
	void Update(const char *data, size_t size) {
		EVP_DigestUpdate(context, data, size);
	}
	std::string Hex() {
		unsigned char digest[EVP_MAX_MD_SIZE];
		unsigned size = 0;
		EVP_DigestFinal_ex(context, digest, &size);
		std::string hex;
		for (unsigned i = 0; i < size; i++) {
			hex += fmt::format("{:02x}", digest[i]);
		}
		return hex;
	}

private:
	EVP_MD_CTX *context;
};

// The pattern bytes from `offset` on, `size` of them.
std::string Pattern(size_t offset, size_t size) {
	std::string piece(size, '\0');
	for (size_t i = 0; i < size; i++) {
		piece[i] = PatternByte(offset + i);
	}
	return piece;
}

// The head of a raw response, up to and including its blank line.
std::string ReadHead(tcp::socket &socket, std::string &received) {
	auto end = asio::read_until(socket, asio::dynamic_buffer(received), "\r\n\r\n");
	auto head = received.substr(0, end);
	received.erase(0, end);
	return head;
}

// Reads until the server closes; true when it did (rather than resetting or timing out).
bool ReadToEnd(tcp::socket &socket, std::string &received) {
	boost::system::error_code error;
	asio::read(socket, asio::dynamic_buffer(received), error);
	return error == asio::error::eof;
}

class HttpServerTest : public ::testing::Test {
protected:
	void SetUp() override {
		options.stop_grace = std::chrono::milliseconds(500);
	}

	void StartServer() {
		server = std::make_unique<HttpServer>(options, workers);
		server->Route("GET", "/hello", [](HttpRequest &request, HttpResponder &responder) {
			responder.Send(
			    HttpResponse {200, "text/plain", {{"X-Test", "yes"}}, "hello " + std::string(request.query)});
		});
		server->Route("POST", "/echo", [](HttpRequest &request, HttpResponder &responder) {
			responder.Send(HttpResponse {200, "application/octet-stream", {}, request.body});
		});
		server->Route(
		    "GET", "/inline",
		    [](HttpRequest &, HttpResponder &responder) {
			    responder.Send(HttpResponse {200, "text/plain", {}, "fast"});
		    },
		    Dispatch::Inline);
		server->RoutePrefix("GET", "/files/", [](HttpRequest &request, HttpResponder &responder) {
			responder.Send(HttpResponse {200, "text/plain", {}, request.path + " via " + request.route});
		});
		server->Route("GET", "/stream", [this](HttpRequest &request, HttpResponder &responder) {
			auto total = std::stoul(request.query);
			auto &stream = responder.Stream(200, "application/octet-stream");
			std::string piece;
			for (size_t offset = 0; offset < total;) {
				piece.clear();
				for (size_t i = 0; i < 8192 && offset < total; i++, offset++) {
					piece += PatternByte(offset);
				}
				if (!stream.Write(piece)) {
					client_gone = true;
					return;
				}
				streamed = offset;
			}
			stream.Finish();
		});
		server->Route("GET", "/wait", [this](HttpRequest &, HttpResponder &responder) {
			std::promise<void> cancelled;
			responder.OnCancel([&] { cancelled.set_value(); });
			entered.set_value();
			auto outcome = cancelled.get_future().wait_for(std::chrono::seconds(10));
			responder.OnCancel(nullptr);
			was_cancelled = outcome == std::future_status::ready;
		});
		server->Route("GET", "/slow", [](HttpRequest &, HttpResponder &responder) {
			std::this_thread::sleep_for(std::chrono::milliseconds(200));
			responder.Send(HttpResponse {200, "text/plain", {}, "done"});
		});
		server->Route("GET", "/fail", [](HttpRequest &, HttpResponder &) {
			throw Error(ErrorCode::UndefinedTable, "table \"t\" does not exist");
		});
		server->Route("GET", "/crash", [](HttpRequest &, HttpResponder &) { throw std::runtime_error("boom"); });
		server->Route("GET", "/silent", [](HttpRequest &, HttpResponder &) {});
		server->Start();
		ASSERT_NE(server->Port(), 0);
	}

	void TearDown() override {
		if (server) {
			server->Stop();
		}
		workers.Stop();
	}

	// A server with stream_request_bodies, and handlers that read and answer as S3 would.
	void StartStreamingServer() {
		options.stream_request_bodies = true;
		server = std::make_unique<HttpServer>(options, workers);
		server->Route("PUT", "/upload", [this](HttpRequest &request, HttpResponder &responder) {
			EXPECT_TRUE(request.body.empty());
			Sha256 digest;
			std::vector<char> buffer(1024 * 1024);
			size_t total = 0;
			size_t largest = 0;
			reads = 0;
			while (auto size = request.body_stream->Read(buffer.data(), buffer.size())) {
				digest.Update(buffer.data(), size);
				total += size;
				largest = std::max(largest, size);
				reads++;
			}
			largest_read = largest;
			responder.Send(HttpResponse {200, "text/plain", {}, fmt::format("{} {}", digest.Hex(), total)});
		});
		server->Route("PUT", "/held", [this](HttpRequest &request, HttpResponder &responder) {
			release.get_future().wait();
			Sha256 digest;
			std::vector<char> buffer(256 * 1024);
			size_t total = 0;
			while (auto size = request.body_stream->Read(buffer.data(), buffer.size())) {
				digest.Update(buffer.data(), size);
				total += size;
			}
			responder.Send(HttpResponse {200, "text/plain", {}, fmt::format("{} {}", digest.Hex(), total)});
		});
		server->Route("PUT", "/refuse", [this](HttpRequest &, HttpResponder &responder) {
			refused++;
			responder.Send(HttpResponse {403, "text/plain", {}, "no"});
		});
		server->Route("PUT", "/peek", [](HttpRequest &request, HttpResponder &responder) {
			std::string start(10, '\0');
			start.resize(request.body_stream->Read(start.data(), start.size()));
			responder.Send(HttpResponse {200, "text/plain", {}, start});
		});
		server->Route("PUT", "/stall", [this](HttpRequest &request, HttpResponder &responder) {
			responder.OnCancel([this] { was_cancelled = true; });
			auto begin = std::chrono::steady_clock::now();
			char buffer[4096];
			bool first = true;
			try {
				while (request.body_stream->Read(buffer, sizeof buffer) > 0) {
					begin = std::chrono::steady_clock::now();
					if (first) {
						first = false;
						entered.set_value();
					}
				}
				read_failure.set_value({ErrorCode::Internal, "the body ended"});
			} catch (const Error &error) {
				stalled_for = std::chrono::steady_clock::now() - begin;
				read_failure.set_value({error.code, error.message});
			}
			responder.OnCancel(nullptr);
		});
		server->Route("", "/object", [](HttpRequest &, HttpResponder &responder) {
			responder.Send(HttpResponse {200, "application/octet-stream", {{"Content-Length", "12345"}}, ""});
		});
		server->Route("", "/fixed", [](HttpRequest &request, HttpResponder &responder) {
			auto total = std::stoul(request.query);
			auto &stream =
			    responder.Stream(200, "application/octet-stream", {{"Content-Length", std::to_string(total)}});
			// Handlers asked for a short body stop halfway; the client must notice.
			auto end = request.Header("x-short").empty() ? total : total / 2;
			for (size_t offset = 0; offset < end; offset += 100000) {
				if (!stream.Write(Pattern(offset, std::min<size_t>(100000, end - offset)))) {
					return;
				}
			}
		});
		server->Route("GET", "/hello", [](HttpRequest &, HttpResponder &responder) {
			responder.Send(HttpResponse {200, "text/plain", {}, "hello"});
		});
		server->Start();
		ASSERT_NE(server->Port(), 0);
	}

	HttpServerOptions options;
	WorkerPool workers {4, "test-worker"};
	std::unique_ptr<HttpServer> server;
	std::atomic<size_t> streamed {0};
	std::atomic<bool> client_gone {false};
	std::promise<void> entered;
	std::atomic<bool> was_cancelled {false};
	std::atomic<size_t> reads {0};
	std::atomic<size_t> largest_read {0};
	std::atomic<int> refused {0};
	std::promise<std::pair<ErrorCode, std::string>> read_failure;
	std::promise<void> release;
	std::chrono::steady_clock::duration stalled_for {};
};

TEST_F(HttpServerTest, WholeResponse) {
	StartServer();
	auto response = Parse(Exchange(server->Port(), Get("/hello?x=1")));
	EXPECT_EQ(response.status, 200);
	EXPECT_EQ(response.body, "hello x=1");
	EXPECT_EQ(response.message["X-Test"], "yes");
	EXPECT_EQ(response.message[http::field::content_type], "text/plain");
	EXPECT_EQ(response.message[http::field::server], "akko");

	EXPECT_EQ(Parse(Exchange(server->Port(), Get("/inline"))).body, "fast");
	EXPECT_EQ(Parse(Exchange(server->Port(), Get("/files/a/b.txt"))).body, "/files/a/b.txt via /files/*");
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequests) {
	StartServer();
	std::string body(100000, 'x');
	auto raw = "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body +
	           "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n" + Get("/stream?100000");
	auto received = Exchange(server->Port(), raw);
	http::response_parser<http::string_body> first;
	first.body_limit(boost::none);
	first.eager(true);
	boost::beast::error_code error;
	auto used = first.put(asio::buffer(received), error);
	ASSERT_FALSE(error) << error.message();
	ASSERT_TRUE(first.is_done());
	EXPECT_EQ(first.get().body(), body);
	EXPECT_TRUE(first.get().keep_alive());
	auto rest = received.substr(used);
	http::response_parser<http::string_body> second;
	second.eager(true);
	used = second.put(asio::buffer(rest), error);
	ASSERT_FALSE(error) << error.message();
	EXPECT_EQ(second.get().body(), "hello ");
	auto third = Parse(rest.substr(used));
	EXPECT_EQ(third.status, 200);
	EXPECT_EQ(third.body.size(), 100000u);
	EXPECT_TRUE(third.message.chunked());
}

TEST_F(HttpServerTest, StreamsToASlowClientWithBoundedMemory) {
	StartServer();
	constexpr size_t kTotal = 24 * 1024 * 1024;
	asio::io_context io;
	tcp::socket socket(io);
	socket.open(tcp::v4());
	// A small receive window, so what the server may queue is its own budget.
	socket.set_option(asio::socket_base::receive_buffer_size(64 * 1024));
	socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()));
	asio::write(socket, asio::buffer(Get("/stream?" + std::to_string(kTotal))));
	std::this_thread::sleep_for(std::chrono::milliseconds(500));
	// The handler is held back: it produced at most its budget plus the kernel's buffers.
	auto produced_while_stalled = streamed.load();
	EXPECT_GT(produced_while_stalled, 0u);
	EXPECT_LT(produced_while_stalled, kTotal / 3);

	std::string received;
	std::vector<char> piece(256 * 1024);
	boost::system::error_code error;
	size_t reads = 0;
	while (true) {
		auto size = socket.read_some(asio::buffer(piece), error);
		received.append(piece.data(), size);
		if (error) {
			break;
		}
		if (++reads % 16 == 0) {
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
		}
	}
	EXPECT_EQ(error, asio::error::eof);
	auto response = Parse(received);
	EXPECT_EQ(response.status, 200);
	ASSERT_EQ(response.body.size(), kTotal);
	for (size_t offset = 0; offset < kTotal; offset += 4093) {
		ASSERT_EQ(response.body[offset], PatternByte(offset)) << offset;
	}
	EXPECT_EQ(response.body.back(), PatternByte(kTotal - 1));
}

TEST_F(HttpServerTest, ClientGoneStopsTheStream) {
	StartServer();
	{
		asio::io_context io;
		tcp::socket socket(io);
		socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()));
		asio::write(socket, asio::buffer(Get("/stream?" + std::to_string(1024L * 1024 * 1024))));
		std::vector<char> piece(64 * 1024);
		socket.read_some(asio::buffer(piece));
	}
	for (int i = 0; i < 100 && !client_gone; i++) {
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	}
	EXPECT_TRUE(client_gone);
	EXPECT_LT(streamed.load(), 1024L * 1024 * 1024);
}

TEST_F(HttpServerTest, DisconnectCancelsTheHandler) {
	StartServer();
	{
		asio::io_context io;
		tcp::socket socket(io);
		socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()));
		asio::write(socket, asio::buffer(Get("/wait")));
		ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
	}
	for (int i = 0; i < 100 && !was_cancelled; i++) {
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	}
	EXPECT_TRUE(was_cancelled);
}

TEST_F(HttpServerTest, NotFoundAndMethodNotAllowed) {
	StartServer();
	auto missing = Parse(Exchange(server->Port(), Get("/nothing")));
	EXPECT_EQ(missing.status, 404);
	EXPECT_NE(missing.body.find("\"code\":\"not_found\""), std::string::npos) << missing.body;
	auto wrong = Parse(Exchange(server->Port(), "DELETE /hello HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"));
	EXPECT_EQ(wrong.status, 405);
	EXPECT_EQ(wrong.message[http::field::allow], "GET");
}

TEST_F(HttpServerTest, OversizedBodyGets413) {
	options.max_body_bytes = 1024;
	StartServer();
	std::string body(2000, 'x');
	auto announced =
	    Parse(Exchange(server->Port(), "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n" + body));
	EXPECT_EQ(announced.status, 413);
	EXPECT_FALSE(announced.message.keep_alive());
	// A chunked body gives no size up front: the limit stops it while it is read.
	auto chunked = Parse(Exchange(server->Port(), "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	                                              "7d0\r\n" +
	                                                  body + "\r\n0\r\n\r\n"));
	EXPECT_EQ(chunked.status, 413);
	// Within the limit all is well.
	auto small = Parse(Exchange(server->Port(), "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
	                                            "Connection: close\r\n\r\nhello"));
	EXPECT_EQ(small.status, 200);
	EXPECT_EQ(small.body, "hello");
}

TEST_F(HttpServerTest, ExpectContinueIsAnswered) {
	StartServer();
	asio::io_context io;
	tcp::socket socket(io);
	socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()));
	asio::write(socket, asio::buffer(std::string("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
	                                             "Expect: 100-continue\r\nConnection: close\r\n\r\n")));
	std::string interim;
	asio::read_until(socket, asio::dynamic_buffer(interim), "\r\n\r\n");
	EXPECT_TRUE(interim.starts_with("HTTP/1.1 100 Continue\r\n")) << interim;
	asio::write(socket, asio::buffer(std::string("abc")));
	boost::system::error_code error;
	asio::read(socket, asio::dynamic_buffer(interim), error);
	auto response = Parse(interim.substr(interim.find("\r\n\r\n") + 4));
	EXPECT_EQ(response.body, "abc");
}

TEST_F(HttpServerTest, MalformedRequestGets400AndTheServerGoesOn) {
	options.max_header_bytes = 2048;
	StartServer();
	auto garbage = Parse(Exchange(server->Port(), "this is not HTTP at all\r\n\r\n"));
	EXPECT_EQ(garbage.status, 400);
	EXPECT_NE(garbage.body.find("protocol_violation"), std::string::npos);
	auto huge = Parse(Exchange(server->Port(), "GET /hello HTTP/1.1\r\nX-Big: " + std::string(4000, 'y') + "\r\n\r\n"));
	EXPECT_EQ(huge.status, 431);
	EXPECT_EQ(Parse(Exchange(server->Port(), Get("/hello"))).status, 200);
}

TEST_F(HttpServerTest, HandlerErrors) {
	StartServer();
	auto failed = Parse(Exchange(server->Port(), Get("/fail")));
	EXPECT_EQ(failed.status, 404);
	EXPECT_EQ(failed.body, "{\"error\":{\"code\":\"undefined_table\",\"message\":\"table \\\"t\\\" does not exist\","
	                       "\"sqlstate\":\"42P01\"}}");
	auto crashed = Parse(Exchange(server->Port(), Get("/crash")));
	EXPECT_EQ(crashed.status, 500);
	EXPECT_NE(crashed.body.find("internal_error"), std::string::npos);
	EXPECT_EQ(Parse(Exchange(server->Port(), Get("/silent"))).status, 500);
}

TEST_F(HttpServerTest, RequestsAreCounted) {
	StartServer();
	auto &counter = obs::DefaultRegistry()
	                    .AddCounter("aden_http_requests_total", "HTTP requests served.", {"method", "route", "status"})
	                    .Labels({"GET", "/hello", "200"});
	auto before = counter.Value();
	Exchange(server->Port(), Get("/hello"));
	Exchange(server->Port(), Get("/hello"));
	EXPECT_EQ(counter.Value(), before + 2);
	auto text = obs::DefaultRegistry().Expose();
	EXPECT_NE(text.find("aden_http_request_duration_seconds_count{route=\"/hello\"}"), std::string::npos);
}

TEST_F(HttpServerTest, StopLetsRunningRequestsFinish) {
	StartServer();
	auto pending = std::async(std::launch::async, [&] { return Exchange(server->Port(), Get("/slow")); });
	std::this_thread::sleep_for(std::chrono::milliseconds(50));
	server->Stop();
	EXPECT_EQ(Parse(pending.get()).body, "done");
	asio::io_context io;
	tcp::socket socket(io);
	boost::system::error_code error;
	socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()), error);
	EXPECT_TRUE(error);
}

TEST_F(HttpServerTest, StopCancelsRequestsBeyondTheGrace) {
	StartServer();
	auto pending = std::async(std::launch::async, [&] { return Exchange(server->Port(), Get("/wait")); });
	ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
	auto start = std::chrono::steady_clock::now();
	server->Stop();
	EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
	EXPECT_TRUE(was_cancelled);
	pending.get();
}

TEST_F(HttpServerTest, ServesTls) {
	auto dir = std::filesystem::temp_directory_path() / ("akko-http-tls-" + std::to_string(getpid()));
	auto files = EnsureSelfSignedCertificate(dir.string());
	options.tls = MakeServerTlsContext(files.certificate, files.key);
	StartServer();

	asio::io_context io;
	asio::ssl::context client(asio::ssl::context::tls_client);
	client.load_verify_file(files.certificate);
	client.set_verify_mode(asio::ssl::verify_peer);
	asio::ssl::stream<tcp::socket> stream(io, client);
	SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
	SSL_set1_host(stream.native_handle(), "localhost");
	stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()));
	stream.handshake(asio::ssl::stream_base::client);
	asio::write(stream, asio::buffer(Get("/stream?300000")));
	std::string received;
	boost::system::error_code error;
	asio::read(stream, asio::dynamic_buffer(received), error);
	auto response = Parse(received);
	EXPECT_EQ(response.status, 200);
	EXPECT_EQ(response.body.size(), 300000u);
	std::filesystem::remove_all(dir);
}

TEST_F(HttpServerTest, StreamsA100MiBUploadInPieces) {
	StartStreamingServer();
	constexpr size_t kTotal = 100 * 1024 * 1024;
	asio::io_context io;
	tcp::socket socket(io);
	socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()));
	asio::write(socket, asio::buffer(fmt::format("PUT /upload HTTP/1.1\r\nHost: h\r\nContent-Length: {}\r\n"
	                                             "Connection: close\r\n\r\n",
	                                             kTotal)));
	Sha256 sent;
	for (size_t offset = 0; offset < kTotal; offset += 1024 * 1024) {
		auto piece = Pattern(offset, 1024 * 1024);
		sent.Update(piece.data(), piece.size());
		asio::write(socket, asio::buffer(piece));
	}
	std::string received;
	ASSERT_TRUE(ReadToEnd(socket, received));
	auto response = Parse(received);
	EXPECT_EQ(response.status, 200);
	EXPECT_EQ(response.body, fmt::format("{} {}", sent.Hex(), kTotal));
	// The body arrived as it came, not as one piece at the end.
	EXPECT_GT(reads.load(), 10u);
}

TEST_F(HttpServerTest, UploadToABusyHandlerIsHeldBack) {
	StartStreamingServer();
	constexpr size_t kTotal = 128 * 1024 * 1024;
	constexpr size_t kPiece = 1024 * 1024;
	asio::io_context io;
	tcp::socket socket(io);
	socket.open(tcp::v4());
	socket.set_option(asio::socket_base::send_buffer_size(64 * 1024));
	socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()));
	asio::write(socket, asio::buffer(fmt::format("PUT /held HTTP/1.1\r\nHost: h\r\nContent-Length: {}\r\n"
	                                             "Connection: close\r\n\r\n",
	                                             kTotal)));
	// The handler does not read yet: the server takes what its queue and the kernel's
	// buffers hold, then the socket stays full (no progress for a second).
	socket.non_blocking(true);
	Sha256 sent;
	size_t offset = 0;
	std::string piece;
	size_t piece_used = 0;
	while (offset < kTotal) {
		if (piece_used == piece.size()) {
			piece = Pattern(offset, kPiece);
			sent.Update(piece.data(), piece.size());
			piece_used = 0;
		}
		boost::system::error_code error;
		auto size = socket.write_some(asio::buffer(piece.data() + piece_used, piece.size() - piece_used), error);
		if (error == asio::error::would_block) {
			pollfd descriptor {socket.native_handle(), POLLOUT, 0};
			if (poll(&descriptor, 1, 1000) == 0) {
				break;
			}
			continue;
		}
		ASSERT_FALSE(error) << error.message();
		piece_used += size;
		offset += size;
	}
	// Far less than the body: 2 MiB of queue plus the kernel's socket buffers (Linux grows
	// a receive buffer up to net.ipv4.tcp_rmem's 32 MiB).
	EXPECT_LT(offset, 48u * 1024 * 1024);
	release.set_value();
	socket.non_blocking(false);
	asio::write(socket, asio::buffer(piece.data() + piece_used, piece.size() - piece_used));
	offset += piece.size() - piece_used;
	for (; offset < kTotal; offset += kPiece) {
		piece = Pattern(offset, kPiece);
		sent.Update(piece.data(), piece.size());
		asio::write(socket, asio::buffer(piece));
	}
	std::string received;
	ASSERT_TRUE(ReadToEnd(socket, received));
	EXPECT_EQ(Parse(received).body, fmt::format("{} {}", sent.Hex(), kTotal));
}

TEST_F(HttpServerTest, StreamsAChunkedUploadAndKeepsTheConnection) {
	StartStreamingServer();
	auto body = Pattern(0, 300000);
	std::string raw = "PUT /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
	// Chunks of uneven sizes, one with an extension, as clients may send them.
	raw += fmt::format("{:x};name=value\r\n", 1000) + body.substr(0, 1000) + "\r\n";
	raw += fmt::format("{:x}\r\n", 299000) + body.substr(1000) + "\r\n";
	raw += "0\r\n\r\n" + Get("/hello");
	auto received = Exchange(server->Port(), raw);
	http::response_parser<http::string_body> first;
	first.eager(true);
	boost::beast::error_code error;
	auto used = first.put(asio::buffer(received), error);
	ASSERT_FALSE(error) << error.message();
	Sha256 digest;
	digest.Update(body.data(), body.size());
	EXPECT_EQ(first.get().body(), digest.Hex() + " 300000");
	EXPECT_TRUE(first.get().keep_alive());
	EXPECT_EQ(Parse(received.substr(used)).body, "hello");
}

TEST_F(HttpServerTest, ContinueWaitsForTheFirstRead) {
	StartStreamingServer();
	{
		// Refused without a read: the client never gets to send its body.
		asio::io_context io;
		tcp::socket socket(io);
		socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()));
		asio::write(socket, asio::buffer(std::string("PUT /refuse HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000\r\n"
		                                             "Expect: 100-continue\r\n\r\n")));
		std::string received;
		EXPECT_TRUE(ReadToEnd(socket, received));
		EXPECT_TRUE(received.starts_with("HTTP/1.1 403 ")) << received;
		EXPECT_EQ(received.find("100 Continue"), std::string::npos);
		auto response = Parse(received);
		EXPECT_EQ(response.body, "no");
		EXPECT_FALSE(response.message.keep_alive());
		EXPECT_EQ(refused.load(), 1);
	}
	{
		// Read: the 100 goes out, then the body comes.
		asio::io_context io;
		tcp::socket socket(io);
		socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()));
		asio::write(socket, asio::buffer(std::string("PUT /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
		                                             "Expect: 100-continue\r\nConnection: close\r\n\r\n")));
		std::string received;
		auto interim = ReadHead(socket, received);
		EXPECT_TRUE(interim.starts_with("HTTP/1.1 100 Continue\r\n")) << interim;
		asio::write(socket, asio::buffer(std::string("abc")));
		EXPECT_TRUE(ReadToEnd(socket, received));
		Sha256 digest;
		digest.Update("abc", 3);
		EXPECT_EQ(Parse(received).body, digest.Hex() + " 3");
	}
}

TEST_F(HttpServerTest, UnreadBodyClosesTheConnection) {
	StartStreamingServer();
	asio::io_context io;
	tcp::socket socket(io);
	socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()));
	// Announces far more than it sends: the rest would be the next request's bytes if the
	// server went on, so it must not.
	asio::write(socket, asio::buffer("PUT /peek HTTP/1.1\r\nHost: h\r\nContent-Length: 67108864\r\n\r\n" +
	                                 Pattern(0, 5000)));
	std::string received;
	EXPECT_TRUE(ReadToEnd(socket, received));
	auto response = Parse(received);
	EXPECT_EQ(response.status, 200);
	EXPECT_EQ(response.body, Pattern(0, 10));
	EXPECT_FALSE(response.message.keep_alive());
	EXPECT_EQ(response.message[http::field::connection], "close");
}

TEST_F(HttpServerTest, StalledUploadFailsTheRead) {
	options.read_timeout = std::chrono::milliseconds(300);
	StartStreamingServer();
	asio::io_context io;
	tcp::socket socket(io);
	socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()));
	asio::write(socket, asio::buffer(std::string("PUT /stall HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n"
	                                             "0123456789")));
	auto failure = read_failure.get_future();
	ASSERT_EQ(failure.wait_for(std::chrono::seconds(10)), std::future_status::ready);
	auto [code, message] = failure.get();
	EXPECT_EQ(code, ErrorCode::ProtocolViolation);
	EXPECT_NE(message.find("300 ms"), std::string::npos) << message;
	EXPECT_GE(stalled_for, std::chrono::milliseconds(250));
	EXPECT_TRUE(was_cancelled);
	// The server gave up on the connection.
	std::string received;
	boost::system::error_code error;
	asio::read(socket, asio::dynamic_buffer(received), error);
	EXPECT_TRUE(error);
}

TEST_F(HttpServerTest, DisconnectDuringUploadFailsTheRead) {
	StartStreamingServer();
	{
		asio::io_context io;
		tcp::socket socket(io);
		socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->Port()));
		asio::write(socket, asio::buffer(std::string("PUT /stall HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n"
		                                             "\r\n0123456789")));
		// Hangs up once the handler runs (a request whose client left before is not run).
		ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
	}
	auto failure = read_failure.get_future();
	ASSERT_EQ(failure.wait_for(std::chrono::seconds(10)), std::future_status::ready);
	EXPECT_EQ(failure.get().first, ErrorCode::ProtocolViolation);
	EXPECT_TRUE(was_cancelled);
}

TEST_F(HttpServerTest, HeadReportsTheDeclaredLength) {
	StartStreamingServer();
	auto received = Exchange(server->Port(), "HEAD /object HTTP/1.1\r\nHost: h\r\n\r\n"
	                                         "HEAD /fixed?5000 HTTP/1.1\r\nHost: h\r\n\r\n" +
	                                             Get("/object"));
	std::vector<std::string> lengths;
	std::vector<std::string> bodies;
	for (int i = 0; i < 3; i++) {
		http::response_parser<http::string_body> parser;
		// A HEAD response has no body whatever its Content-Length says.
		parser.skip(i < 2);
		boost::beast::error_code error;
		auto used = parser.put(asio::buffer(received), error);
		ASSERT_FALSE(error) << error.message() << " in response " << i;
		ASSERT_TRUE(parser.is_done()) << i;
		lengths.emplace_back(parser.get()[http::field::content_length]);
		bodies.push_back(parser.get().body());
		received.erase(0, used);
	}
	EXPECT_EQ(lengths, (std::vector<std::string> {"12345", "5000", "0"}));
	EXPECT_EQ(bodies, (std::vector<std::string> {"", "", ""}));
	// Nothing trails: no body went out after a HEAD response.
	EXPECT_TRUE(received.empty()) << received.size();
}

TEST_F(HttpServerTest, StreamsAFixedLengthResponse) {
	StartStreamingServer();
	constexpr size_t kTotal = 50 * 1024 * 1024;
	auto received = Exchange(server->Port(), fmt::format("GET /fixed?{} HTTP/1.1\r\nHost: h\r\n\r\n", kTotal) +
	                                             Get("/hello"));
	http::response_parser<http::string_body> parser;
	parser.body_limit(boost::none);
	parser.eager(true);
	boost::beast::error_code error;
	auto used = parser.put(asio::buffer(received), error);
	ASSERT_FALSE(error) << error.message();
	ASSERT_TRUE(parser.is_done());
	auto &message = parser.get();
	EXPECT_EQ(message[http::field::content_length], std::to_string(kTotal));
	EXPECT_FALSE(message.chunked());
	EXPECT_EQ(message.count(http::field::transfer_encoding), 0u);
	EXPECT_TRUE(message.keep_alive());
	ASSERT_EQ(message.body().size(), kTotal);
	for (size_t offset = 0; offset < kTotal; offset += 4093) {
		ASSERT_EQ(message.body()[offset], PatternByte(offset)) << offset;
	}
	EXPECT_EQ(message.body().back(), PatternByte(kTotal - 1));
	// The next response on the connection starts right after the declared length.
	EXPECT_EQ(Parse(received.substr(used)).body, "hello");
}

TEST_F(HttpServerTest, ShortFixedLengthResponseClosesTheConnection) {
	StartStreamingServer();
	// Keep-alive asked for: only the short body ends the connection.
	auto received = Exchange(server->Port(), "GET /fixed?1000000 HTTP/1.1\r\nHost: h\r\nX-Short: yes\r\n\r\n");
	http::response_parser<http::string_body> parser;
	boost::beast::error_code error;
	parser.put(asio::buffer(received), error);
	ASSERT_FALSE(error) << error.message();
	// The connection ended inside the body: the client knows the transfer failed.
	EXPECT_FALSE(parser.is_done());
	parser.put_eof(error);
	EXPECT_EQ(error, http::error::partial_message);
	auto body_start = received.find("\r\n\r\n") + 4;
	EXPECT_EQ(received.substr(body_start), Pattern(0, 500000));
}

TEST_F(HttpServerTest, OversizedStreamedBodyGets413) {
	options.max_streamed_body_bytes = 1000;
	StartStreamingServer();
	auto response = Parse(
	    Exchange(server->Port(), "PUT /refuse HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n"
	                                            "Connection: close\r\n\r\n" + Pattern(0, 1001)));
	EXPECT_EQ(response.status, 413);
	EXPECT_NE(response.body.find("exceeds 1000 bytes"), std::string::npos) << response.body;
	EXPECT_EQ(refused.load(), 0);
	// At the limit it is dispatched.
	auto fits = Parse(
	    Exchange(server->Port(), "PUT /refuse HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n"
	                                            "Connection: close\r\n\r\n" + Pattern(0, 1000)));
	EXPECT_EQ(fits.status, 403);
	EXPECT_EQ(refused.load(), 1);
}

} // namespace
