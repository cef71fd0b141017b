#include "objstore/s3_client.hpp"

#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/log.hpp"
#include "objstore/s3_xml.hpp"
#include "objstore/sigv4.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <ctime>
#include <fmt/format.h>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

namespace akko::objstore {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

namespace {

struct Endpoint {
	bool https = false;
	std::string host;
	std::string port;
	bool default_port = true;
};

Endpoint ParseEndpoint(const std::string &endpoint) {
	Endpoint parsed;
	std::string_view rest = endpoint;
	if (rest.rfind("https://", 0) == 0) {
		parsed.https = true;
		rest.remove_prefix(8);
	} else if (rest.rfind("http://", 0) == 0) {
		rest.remove_prefix(7);
	} else {
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("s3_endpoint \"{}\" must start with http:// or https://", endpoint));
	}
	while (!rest.empty() && rest.back() == '/') {
		rest.remove_suffix(1);
	}
	if (rest.empty() || rest.find('/') != std::string_view::npos) {
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("s3_endpoint \"{}\" must be scheme://host[:port] without a path", endpoint));
	}
	auto colon = rest.rfind(':');
	bool bracketed = !rest.empty() && rest.front() == '[';
	if (colon != std::string_view::npos && (!bracketed || rest[colon - 1] == ']')) {
		parsed.host = std::string(rest.substr(0, colon));
		parsed.port = std::string(rest.substr(colon + 1));
		parsed.default_port = parsed.port == (parsed.https ? "443" : "80");
	} else {
		parsed.host = std::string(rest);
		parsed.port = parsed.https ? "443" : "80";
	}
	return parsed;
}

std::string AmzDate(std::chrono::system_clock::time_point now) {
	auto seconds = std::chrono::system_clock::to_time_t(now);
	std::tm tm {};
	gmtime_r(&seconds, &tm);
	char text[20];
	std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &tm);
	return text;
}

bool Retryable(unsigned status) {
	return status >= 500 || status == 429;
}

} // namespace

struct S3Client::State {
	Endpoint endpoint;
	ssl::context tls {ssl::context::tls_client};
	std::mutex lock;
	std::vector<std::unique_ptr<Connection>> idle;
};

// One kept-alive connection with its own io_context: requests run synchronously on the calling
// thread, yet every step has a deadline (Beast's timeouts need the asynchronous operations).
class S3Client::Connection {
public:
	Connection(State &state, std::string host_p, std::chrono::seconds timeout_p)
	    : host(std::move(host_p)), timeout(timeout_p), tcp(io) {
		asio::ip::tcp::resolver resolver(io);
		boost::system::error_code error;
		asio::ip::tcp::resolver::results_type results;
		resolver.async_resolve(host, state.endpoint.port, [&](const boost::system::error_code &e, auto found) {
			error = e;
			results = std::move(found);
		});
		Run(error);
		tcp.expires_after(timeout);
		tcp.async_connect(results, [&](const boost::system::error_code &e, const auto &) { error = e; });
		Run(error);
		tcp.socket().set_option(asio::ip::tcp::no_delay(true));
		if (state.endpoint.https) {
			tls = std::make_unique<beast::ssl_stream<beast::tcp_stream &>>(tcp, state.tls);
			if (!SSL_set_tlsext_host_name(tls->native_handle(), host.c_str())) {
				throw boost::system::system_error(
				    boost::system::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
			}
			tls->set_verify_callback(ssl::host_name_verification(host));
			tcp.expires_after(timeout);
			tls->async_handshake(ssl::stream_base::client, [&](const boost::system::error_code &e) { error = e; });
			Run(error);
		}
	}

	// Sends the request and reads the whole answer. Throws boost::system::system_error.
	http::response<http::string_body> Exchange(http::request<http::span_body<const char>> &request, bool head) {
		boost::system::error_code error;
		http::response_parser<http::string_body> parser;
		parser.body_limit(std::numeric_limits<std::uint64_t>::max());
		parser.skip(head);
		auto step = [&](auto &stream) {
			tcp.expires_after(timeout);
			http::async_write(stream, request, [&](const boost::system::error_code &e, size_t) { error = e; });
			Run(error);
			tcp.expires_after(timeout);
			http::async_read(stream, buffer, parser, [&](const boost::system::error_code &e, size_t) { error = e; });
			Run(error);
		};
		if (tls) {
			step(*tls);
		} else {
			step(tcp);
		}
		used = true;
		return parser.release();
	}

	std::string host;
	bool used = false; // has answered a request before (a stale keep-alive may fail the next)

private:
	void Run(boost::system::error_code &error) {
		io.restart();
		io.run();
		if (error) {
			throw boost::system::system_error(error);
		}
	}

	std::chrono::seconds timeout;
	asio::io_context io;
	beast::tcp_stream tcp;
	std::unique_ptr<beast::ssl_stream<beast::tcp_stream &>> tls;
	beast::flat_buffer buffer;
};

S3Client::S3Client(S3ClientOptions options_p) : options(std::move(options_p)), state(std::make_unique<State>()) {
	state->endpoint = ParseEndpoint(options.endpoint);
	if (state->endpoint.https) {
		state->tls.set_default_verify_paths();
		state->tls.set_verify_mode(ssl::verify_peer);
	}
	if (options.max_attempts < 1) {
		options.max_attempts = 1;
	}
}

S3Client::~S3Client() = default;

std::unique_ptr<S3Client::Connection> S3Client::Acquire() {
	// Virtual-host addressing names the bucket in the host, so connections are per host.
	std::lock_guard<std::mutex> guard(state->lock);
	if (!state->idle.empty()) {
		auto connection = std::move(state->idle.back());
		state->idle.pop_back();
		return connection;
	}
	return nullptr;
}

void S3Client::Release(std::unique_ptr<Connection> connection) {
	std::lock_guard<std::mutex> guard(state->lock);
	if (state->idle.size() < options.max_idle_connections) {
		state->idle.push_back(std::move(connection));
	}
}

S3Response S3Client::SendOnce(const S3Request &request) {
	auto &endpoint = state->endpoint;
	auto host = options.virtual_host && !request.bucket.empty() ? request.bucket + "." + endpoint.host : endpoint.host;
	auto host_header = endpoint.default_port ? host : host + ":" + endpoint.port;
	std::string path;
	if (options.virtual_host && !request.bucket.empty()) {
		path = "/" + UriEncode(request.key, true);
	} else {
		path = "/" + request.bucket + (request.key.empty() ? "" : "/" + UriEncode(request.key, true));
	}
	std::string target = path;
	for (size_t i = 0; i < request.query.size(); i++) {
		auto &[name, value] = request.query[i];
		target += (i == 0 ? "?" : "&") + UriEncode(name, false) + (value.empty() ? "" : "=" + UriEncode(value, false));
	}

	SigV4Request signing;
	signing.method = request.method;
	signing.path = path;
	signing.query = request.query;
	signing.payload_sha256 = Sha256Hex(request.body);
	auto amz_date = AmzDate(std::chrono::system_clock::now());
	signing.headers = {{"host", host_header}, {"x-amz-date", amz_date}, {"x-amz-content-sha256", signing.payload_sha256}};
	for (auto &header : request.headers) {
		signing.headers.push_back(header);
	}
	SigV4Credentials credentials {options.access_key_id, options.secret_access_key, options.region, "s3"};

	http::request<http::span_body<const char>> message;
	message.method_string(request.method);
	message.target(target);
	message.version(11);
	for (auto &[name, value] : signing.headers) {
		message.set(name, value);
	}
	if (!options.access_key_id.empty()) {
		message.set(http::field::authorization, Authorization(signing, credentials, amz_date));
	}
	message.body() = beast::span<const char>(request.body.data(), request.body.size());
	message.prepare_payload();
	if (request.body.empty() && (request.method == "PUT" || request.method == "POST")) {
		message.content_length(0);
	}
	message.keep_alive(true);

	bool head = request.method == "HEAD";
	while (true) {
		auto connection = Acquire();
		bool reused = connection != nullptr;
		if (connection && connection->host != host) {
			connection.reset();
			reused = false;
		}
		if (!connection) {
			connection = std::make_unique<Connection>(*state, host, options.timeout);
		}
		http::response<http::string_body> answer;
		try {
			answer = connection->Exchange(message, head);
		} catch (const boost::system::system_error &) {
			// A kept-alive connection the server has since closed: try a fresh one at once.
			if (reused) {
				continue;
			}
			throw;
		}
		S3Response response;
		response.status = answer.result_int();
		for (auto &field : answer) {
			std::string name(field.name_string());
			std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
			response.headers[name] = std::string(field.value());
		}
		response.body = std::move(answer.body());
		if (answer.keep_alive()) {
			Release(std::move(connection));
		}
		return response;
	}
}

S3Response S3Client::Send(const S3Request &request) {
	thread_local std::mt19937_64 random(std::random_device {}());
	for (int attempt = 1;; attempt++) {
		std::string failure;
		try {
			auto response = SendOnce(request);
			if (!Retryable(response.status) || attempt >= options.max_attempts) {
				return response;
			}
			auto error = ParseS3Error(response.body);
			failure = fmt::format("HTTP {} {}", response.status, error ? error->code : "");
		} catch (const boost::system::system_error &error) {
			if (attempt >= options.max_attempts) {
				throw Error(ErrorCode::Internal,
				            fmt::format("cannot reach the S3 service at {} ({} {}/{}) after {} attempts: {}", options.endpoint,
				                        request.method, request.bucket, request.key, attempt, error.what()));
			}
			failure = error.what();
		}
		// Exponential backoff with jitter (between half and all of the step), so clients that failed
		// together retry apart.
		auto ceiling = std::min<int64_t>(options.max_backoff.count(),
		                                 options.first_backoff.count() << std::min(attempt - 1, 20));
		auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(ceiling / 2, ceiling)(random));
		log::Warn("s3_retry", {{"method", request.method},
		                       {"object", request.bucket + "/" + request.key},
		                       {"attempt", attempt},
		                       {"error", failure},
		                       {"delay_ms", delay.count()}});
		std::this_thread::sleep_for(delay);
	}
}

S3Response S3Client::Call(const S3Request &request, std::string_view what) {
	auto response = Send(request);
	if (response.status < 200 || response.status > 299) {
		ThrowS3Error(response, what);
	}
	return response;
}

void ThrowS3Error(const S3Response &response, std::string_view what) {
	auto error = ParseS3Error(response.body).value_or(S3ErrorBody {});
	if (error.code.empty()) {
		error.code = response.status == 404 ? "NotFound" : response.status == 403 ? "AccessDenied" : "";
	}
	auto message = fmt::format("S3 {} failed: HTTP {} {}{}{}", what, response.status, error.code,
	                           error.message.empty() ? "" : ": ", error.message);
	if (response.status == 404 || error.code == "NoSuchKey" || error.code == "NoSuchBucket") {
		throw Error(ErrorCode::NotFound, message);
	}
	if (response.status == 403) {
		throw Error(ErrorCode::PermissionDenied, message);
	}
	throw Error(ErrorCode::Internal, message);
}

} // namespace akko::objstore
