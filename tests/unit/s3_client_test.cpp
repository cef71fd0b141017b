// The S3 client's retries and error mapping against a scripted HTTP server on loopback: 5xx and
// 429 are retried with backoff, other 4xx are not, and an unreachable endpoint is reported.
#include "common/error.hpp"
#include "objstore/s3_client.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <thread>

using namespace akko::objstore;
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

// Answers request n with statuses[n] (the last one from then on) and an S3 error body.
class ScriptedServer {
public:
	explicit ScriptedServer(std::vector<unsigned> statuses_p) : statuses(std::move(statuses_p)), acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) {
		thread = std::thread([this] { Serve(); });
	}
	~ScriptedServer() {
		stopping = true;
		boost::system::error_code ignored;
		asio::ip::tcp::socket poke(io);
		poke.connect(acceptor.local_endpoint(), ignored);
		thread.join();
	}
	std::string Endpoint() const {
		return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
	}
	int Requests() const {
		return requests;
	}

private:
	void Serve() {
		while (!stopping) {
			asio::ip::tcp::socket socket(io);
			boost::system::error_code error;
			acceptor.accept(socket, error);
			if (error || stopping) {
				return;
			}
			boost::beast::flat_buffer buffer;
			while (true) {
				http::request<http::string_body> request;
				http::read(socket, buffer, request, error);
				if (error) {
					break;
				}
				auto n = requests++;
				auto status = statuses[std::min<size_t>(n, statuses.size() - 1)];
				http::response<http::string_body> response {static_cast<http::status>(status), 11};
				if (status >= 300) {
					response.body() = "<Error><Code>Code" + std::to_string(status) + "</Code><Message>scripted</Message></Error>";
				}
				response.keep_alive(request.keep_alive());
				response.prepare_payload();
				http::write(socket, response, error);
			}
		}
	}

	std::vector<unsigned> statuses;
	asio::io_context io;
	asio::ip::tcp::acceptor acceptor;
	std::atomic<int> requests {0};
	std::atomic<bool> stopping {false};
	std::thread thread;
};

S3ClientOptions Options(const std::string &endpoint) {
	S3ClientOptions options;
	options.endpoint = endpoint;
	options.access_key_id = "AKID";
	options.secret_access_key = "secret";
	options.max_attempts = 4;
	options.first_backoff = std::chrono::milliseconds(1);
	options.max_backoff = std::chrono::milliseconds(5);
	return options;
}

S3Request Get() {
	return S3Request {"GET", "bucket", "key", {}, {}, {}};
}

} // namespace

TEST(S3Client, ServerErrorsAreRetriedUntilSuccess) {
	ScriptedServer server({503, 500, 429, 200});
	S3Client client(Options(server.Endpoint()));
	EXPECT_EQ(client.Call(Get(), "GET").status, 200u);
	EXPECT_EQ(server.Requests(), 4);
}

TEST(S3Client, PersistentServerErrorIsReportedWithItsCode) {
	ScriptedServer server({503});
	S3Client client(Options(server.Endpoint()));
	try {
		client.Call(Get(), "GET \"bucket/key\"");
		FAIL() << "a 503 was accepted";
	} catch (const akko::Error &error) {
		EXPECT_EQ(error.code, akko::ErrorCode::Internal);
		EXPECT_NE(error.message.find("HTTP 503 Code503: scripted"), std::string::npos) << error.message;
	}
	EXPECT_EQ(server.Requests(), 4);
}

TEST(S3Client, ClientErrorsAreNotRetried) {
	ScriptedServer not_found({404});
	S3Client client(Options(not_found.Endpoint()));
	EXPECT_THROW(client.Call(Get(), "GET"), akko::Error);
	EXPECT_EQ(not_found.Requests(), 1);

	ScriptedServer denied({403});
	S3Client denied_client(Options(denied.Endpoint()));
	try {
		denied_client.Call(Get(), "GET");
		FAIL();
	} catch (const akko::Error &error) {
		EXPECT_EQ(error.code, akko::ErrorCode::PermissionDenied);
	}
	EXPECT_EQ(denied.Requests(), 1);
}

TEST(S3Client, RefusedConnectionIsRetriedThenReported) {
	std::string endpoint;
	{
		asio::io_context io;
		asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
		endpoint = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
	}
	S3Client client(Options(endpoint));
	try {
		client.Send(Get());
		FAIL() << "a refused connection succeeded";
	} catch (const akko::Error &error) {
		EXPECT_NE(error.message.find("after 4 attempts"), std::string::npos) << error.message;
	}
}

TEST(S3Client, EndpointMustBeHttpOrHttps) {
	EXPECT_THROW(S3Client(Options("ftp://host")), akko::Error);
	EXPECT_THROW(S3Client(Options("http://host/path")), akko::Error);
}
