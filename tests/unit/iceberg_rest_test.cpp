// The Iceberg REST catalog adapter: its URL decoding (namespaces joined by %1F as the spec's
// examples show them, Java's URLEncoder forms, hostile names), its error model (the exception
// types and codes the spec names), ETags, vended credentials and metrics reports; then the
// routes end to end over HTTP against SQLite and the local store.
#include "common/url.hpp"
#include "adapters/iceberg_rest/iceberg_rest.hpp"
#include "adapters/iceberg_rest/metrics_reports.hpp"
#include "adapters/iceberg_rest/rest_error.hpp"
#include "adapters/iceberg_rest/rest_route.hpp"
#include "adapters/iceberg_rest/table_metadata_cache.hpp"
#include "auth/credential_vault.hpp"
#include "auth/user_directory.hpp"
#include "catalog/catalog_service.hpp"
#include "common/error.hpp"
#include "common/worker_pool.hpp"
#include "metastore/sqlite_metastore.hpp"
#include "net/http_server.hpp"
#include "objstore/store.hpp"
#include "error_of.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>

using namespace akko;
using akko::test::CodeOf;
using namespace akko::iceberg_rest;
using nlohmann::json;
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

TEST(IcebergRestRoute, MultipartNamespaceAsTheSpecEncodesIt) {
	// The spec's MultipartNamespaceAsPathVariable example: "accounting%1Ftax".
	auto match = MatchRoute("GET", "/v1/namespaces/accounting%1Ftax/tables/paid");
	ASSERT_TRUE(match.route);
	EXPECT_EQ(match.route->operation, Operation::LoadTable);
	EXPECT_EQ(match.route->subject, Subject::Table);
	EXPECT_EQ(match.route->namespace_name, (std::vector<std::string> {"accounting", "tax"}));
	EXPECT_EQ(match.route->name, "paid");
	// Percent escapes are case-insensitive (RFC 3986 2.1).
	match = MatchRoute("HEAD", "/v1/namespaces/a%1fb%1Fc");
	ASSERT_TRUE(match.route);
	EXPECT_EQ(match.route->operation, Operation::NamespaceExists);
	EXPECT_EQ(match.route->namespace_name, (std::vector<std::string> {"a", "b", "c"}));
}

TEST(IcebergRestRoute, JavaUrlEncoderForms) {
	// java.net.URLEncoder.encode("my table", UTF_8) is "my+table"; "ü" is "%C3%BC"; "a+b" is
	// "a%2Bb" (its Javadoc: space becomes '+', other unsafe bytes %XY of their UTF-8).
	auto match = MatchRoute("GET", "/v1/namespaces/caf%C3%A9/tables/my+table");
	ASSERT_TRUE(match.route);
	EXPECT_EQ(match.route->namespace_name, (std::vector<std::string> {"caf\xc3\xa9"}));
	EXPECT_EQ(match.route->name, "my table");
	EXPECT_EQ(PercentDecode("a%2Bb", true), "a+b");
}

TEST(IcebergRestRoute, HostileNamesDecodeWithinTheirSegment) {
	// An encoded slash or dot-dot stays inside the name; the catalog refuses it later.
	auto match = MatchRoute("DELETE", "/v1/namespaces/%2E%2E/tables/a%2Fb");
	ASSERT_TRUE(match.route);
	EXPECT_EQ(match.route->operation, Operation::DropTable);
	EXPECT_EQ(match.route->namespace_name, (std::vector<std::string> {".."}));
	EXPECT_EQ(match.route->name, "a/b");
	match = MatchRoute("GET", "/v1/namespaces/x/tables/nul%00byte");
	ASSERT_TRUE(match.route);
	EXPECT_EQ(match.route->name, std::string("nul\0byte", 8));
	// A literal "%1F" inside a level is written "%251F" and is not a separator.
	match = MatchRoute("GET", "/v1/namespaces/a%251Fb");
	ASSERT_TRUE(match.route);
	EXPECT_EQ(match.route->namespace_name, (std::vector<std::string> {"a%1Fb"}));
}

TEST(IcebergRestRoute, MalformedPathsAreBadRequests) {
	EXPECT_EQ(CodeOf([] { MatchRoute("GET", "/v1/namespaces/a%G1"); }), ErrorCode::InvalidInput);
	EXPECT_EQ(CodeOf([] { MatchRoute("GET", "/v1/namespaces/a%1"); }), ErrorCode::InvalidInput);
	EXPECT_EQ(CodeOf([] { MatchRoute("GET", "/v1/namespaces/a%"); }), ErrorCode::InvalidInput);
	EXPECT_EQ(CodeOf([] { MatchRoute("GET", "/v1/namespaces/a%1F%1Fb"); }), ErrorCode::InvalidInput);
	EXPECT_EQ(CodeOf([] { MatchRoute("GET", "/v1/namespaces//tables"); }), ErrorCode::InvalidInput);
	EXPECT_EQ(CodeOf([] { SplitNamespace("a\x1f"); }), ErrorCode::InvalidInput);
}

TEST(IcebergRestRoute, UnknownPathsAndMethods) {
	EXPECT_EQ(MatchRoute("GET", "/v1/nothing").status, 404);
	EXPECT_EQ(MatchRoute("GET", "/v2/namespaces").status, 404);
	EXPECT_EQ(MatchRoute("GET", "/v1/namespaces/a/tables/t/extra/more").status, 404);
	auto match = MatchRoute("PUT", "/v1/namespaces");
	EXPECT_FALSE(match.route);
	EXPECT_EQ(match.status, 405);
	EXPECT_EQ(match.allowed, "GET, POST");
	match = MatchRoute("GET", "/v1/tables/rename");
	EXPECT_EQ(match.status, 405);
	EXPECT_EQ(match.allowed, "POST");
}

TEST(IcebergRestRoute, QueryParameters) {
	// The spec's parent example, "accounting%1Ftax", and the empty first pageToken.
	auto query = ParseQuery("parent=accounting%1Ftax&pageToken=&pageSize=10&pageSize=20");
	EXPECT_EQ(query["parent"], "accounting\x1ftax");
	EXPECT_EQ(SplitNamespace(query["parent"]), (std::vector<std::string> {"accounting", "tax"}));
	EXPECT_EQ(query.count("pageToken"), 1u);
	EXPECT_EQ(query["pageToken"], "");
	EXPECT_EQ(query["pageSize"], "10");
	// An OAuth form as Java's RESTUtil.encodeFormData writes it.
	auto form = ParseQuery("grant_type=client_credentials&client_id=admin&client_secret=p%40ss+word&scope=catalog");
	EXPECT_EQ(form["client_secret"], "p@ss word");
}

TEST(IcebergRestRoute, EndpointsCoverTheSpecsDefaultSet) {
	// The routes the spec says a client assumes when a server sends no endpoints (GET /v1/config).
	const char *defaults[] = {
	    "GET /v1/{prefix}/namespaces",
	    "POST /v1/{prefix}/namespaces",
	    "GET /v1/{prefix}/namespaces/{namespace}",
	    "DELETE /v1/{prefix}/namespaces/{namespace}",
	    "POST /v1/{prefix}/namespaces/{namespace}/properties",
	    "GET /v1/{prefix}/namespaces/{namespace}/tables",
	    "POST /v1/{prefix}/namespaces/{namespace}/tables",
	    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
	    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
	    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
	    "POST /v1/{prefix}/namespaces/{namespace}/register",
	    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
	    "POST /v1/{prefix}/tables/rename",
	    "POST /v1/{prefix}/transactions/commit",
	};
	auto endpoints = Endpoints();
	for (auto endpoint : defaults) {
		EXPECT_NE(std::find(endpoints.begin(), endpoints.end(), endpoint), endpoints.end()) << endpoint;
	}
	// Each listed endpoint routes (with sample values for its parameters), and nothing else is listed.
	EXPECT_EQ(endpoints.size(), 24u);
	for (auto &endpoint : endpoints) {
		auto space = endpoint.find(' ');
		auto path = endpoint.substr(space + 1);
		path.replace(path.find("/{prefix}"), 9, "");
		for (auto parameter : {"{namespace}", "{table}", "{view}"}) {
			auto at = path.find(parameter);
			if (at != std::string::npos) {
				path.replace(at, std::string(parameter).size(), "x");
			}
		}
		EXPECT_TRUE(MatchRoute(endpoint.substr(0, space), path).route) << endpoint;
	}
}

TEST(IcebergRestError, TypesAndCodesOfTheSpec) {
	struct Case {
		ErrorCode code;
		Subject subject;
		bool commit;
		int status;
		const char *type;
	};
	// Types and codes from the spec's examples and route descriptions.
	Case cases[] = {
	    {ErrorCode::InvalidSchemaName, Subject::Table, false, 404, "NoSuchNamespaceException"},
	    {ErrorCode::UndefinedTable, Subject::Table, false, 404, "NoSuchTableException"},
	    {ErrorCode::UndefinedTable, Subject::View, false, 404, "NoSuchViewException"},
	    {ErrorCode::UndefinedTable, Subject::Table, true, 404, "NoSuchTableException"},
	    {ErrorCode::DuplicateTable, Subject::Table, false, 409, "AlreadyExistsException"},
	    {ErrorCode::DuplicateSchema, Subject::Namespace, false, 409, "AlreadyExistsException"},
	    {ErrorCode::DependentObjects, Subject::Namespace, false, 409, "NamespaceNotEmptyException"},
	    {ErrorCode::SerializationFailure, Subject::Table, true, 409, "CommitFailedException"},
	    {ErrorCode::SerializationFailure, Subject::Namespace, false, 503, "ServiceUnavailableException"},
	    {ErrorCode::TransactionResolutionUnknown, Subject::Table, true, 500, "CommitStateUnknownException"},
	    {ErrorCode::InvalidInput, Subject::Table, true, 400, "BadRequestException"},
	    {ErrorCode::InvalidName, Subject::Namespace, false, 400, "BadRequestException"},
	    {ErrorCode::InvalidAuthorization, Subject::Catalog, false, 401, "NotAuthorizedException"},
	    {ErrorCode::PermissionDenied, Subject::Table, false, 403, "ForbiddenException"},
	    {ErrorCode::FeatureNotSupported, Subject::Table, false, 406, "UnsupportedOperationException"},
	    {ErrorCode::NotFound, Subject::Table, false, 404, "NotFoundException"},
	    {ErrorCode::AdminShutdown, Subject::Table, false, 503, "ServiceUnavailableException"},
	    {ErrorCode::Internal, Subject::Table, true, 500, "CommitStateUnknownException"},
	    {ErrorCode::Internal, Subject::Table, false, 500, "InternalServerError"},
	    {ErrorCode::ConfigurationError, Subject::View, true, 500, "CommitStateUnknownException"},
	};
	for (auto &test : cases) {
		auto model = ToErrorModel(Error(test.code, "boom"), test.subject, test.commit);
		EXPECT_EQ(model.code, test.status) << Describe(test.code).name;
		EXPECT_EQ(model.type, test.type) << Describe(test.code).name;
	}
	// The ErrorModel shape: {"error": {"message", "type", "code"}}.
	auto response = ErrorResponse({409, "CommitFailedException", "requirement failed"});
	EXPECT_EQ(response.status, 409);
	EXPECT_EQ(json::parse(response.body),
	          json::parse(R"({"error":{"message":"requirement failed","type":"CommitFailedException","code":409}})"));
	EXPECT_EQ(InternalErrorModel("x", true).type, "CommitStateUnknownException");
}

TEST(IcebergRestETag, MatchingFollowsRfc9110) {
	auto tag = TableETag("s3://b/t/metadata/00001-x.metadata.json", false);
	EXPECT_EQ(tag.front(), '"');
	EXPECT_NE(tag, TableETag("s3://b/t/metadata/00001-x.metadata.json", true));
	EXPECT_NE(tag, TableETag("s3://b/t/metadata/00002-x.metadata.json", false));
	EXPECT_TRUE(ETagMatches(tag, tag));
	EXPECT_TRUE(ETagMatches("W/" + tag, tag)); // If-None-Match uses the weak comparison
	EXPECT_TRUE(ETagMatches("\"other\", " + tag, tag));
	EXPECT_TRUE(ETagMatches("*", tag));
	EXPECT_TRUE(ETagMatches(tag.substr(1, tag.size() - 2), tag)); // unquoted, as Java's server sends them
	EXPECT_FALSE(ETagMatches("\"other\"", tag));
	EXPECT_FALSE(ETagMatches("", tag));
}

TEST(IcebergRestETag, RefsModeKeepsOnlyReferencedSnapshots) {
	// Trino wrote four snapshots with main at the last (8471224892810331394); load-table's
	// snapshots=refs keeps what a ref points at (Java's suppressHistoricalSnapshots).
	std::ifstream file(std::string(AKKO_SOURCE_DIR) + "/tests/fixtures/iceberg/metadata/trino-timetravel.metadata.json");
	auto metadata = iceberg::ParseTableMetadata(json::parse(file));
	ASSERT_EQ(metadata.snapshots.size(), 4u);
	auto refs = WithRefSnapshotsOnly(metadata);
	ASSERT_EQ(refs.snapshots.size(), 1u);
	EXPECT_EQ(refs.snapshots[0].snapshot_id, 8471224892810331394);
	metadata.refs["tag"] = metadata.refs.at("main");
	metadata.refs["tag"].snapshot_id = 583816926071139654;
	EXPECT_EQ(WithRefSnapshotsOnly(metadata).snapshots.size(), 2u);
	TableMetadataCache cache(1);
	auto all = cache.Serialized("s3://b/m1.json", metadata, false);
	EXPECT_EQ(json::parse(*all)["snapshots"].size(), 4u);
	EXPECT_EQ(json::parse(*cache.Serialized("s3://b/m1.json", metadata, true))["snapshots"].size(), 2u);
	EXPECT_EQ(cache.Serialized("s3://b/m1.json", metadata, false)->size(), all->size());
}

TEST(IcebergRestCredentials, IssuedUntilTheyExpire) {
	int64_t now = 1'000'000;
	auth::CredentialVault vault(3, [&] { return now; });
	auto credential = vault.Issue("alice", "s3://akko-warehouse/ns/t", std::chrono::seconds(60));
	// AWS temporary keys: "ASIA" and 16 characters of [A-Z2-7]; secrets are 40 characters.
	EXPECT_EQ(credential.access_key_id.size(), 20u);
	EXPECT_EQ(credential.access_key_id.substr(0, 4), "ASIA");
	EXPECT_EQ(credential.secret_access_key.size(), 40u);
	EXPECT_FALSE(credential.session_token.empty());
	EXPECT_EQ(credential.expires_at_ms, now + 60000);
	auto found = vault.Find(credential.access_key_id);
	ASSERT_TRUE(found);
	EXPECT_EQ(found->user, "alice");
	EXPECT_EQ(found->prefix, "s3://akko-warehouse/ns/t");
	EXPECT_EQ(found->secret_access_key, credential.secret_access_key);
	now += 60000;
	EXPECT_FALSE(vault.Find(credential.access_key_id));
	EXPECT_EQ(vault.Size(), 0u);
	// Beyond capacity the credential closest to expiry goes first.
	auto a = vault.Issue("u", "s3://b/a", std::chrono::seconds(10));
	auto b = vault.Issue("u", "s3://b/b", std::chrono::seconds(20));
	auto c = vault.Issue("u", "s3://b/c", std::chrono::seconds(30));
	auto d = vault.Issue("u", "s3://b/d", std::chrono::seconds(40));
	EXPECT_FALSE(vault.Find(a.access_key_id));
	EXPECT_TRUE(vault.Find(b.access_key_id));
	EXPECT_TRUE(vault.Find(d.access_key_id));
	EXPECT_EQ(vault.Size(), 3u);
}

TEST(IcebergRestMetrics, ReportsAreCheckedAndBounded) {
	// A ScanReport shaped as the spec's Metrics example.
	auto scan = json::parse(R"({
		"report-type": "scan-report", "table-name": "ns.t", "snapshot-id": 1, "filter": true,
		"schema-id": 0, "projected-field-ids": [1], "projected-field-names": ["id"],
		"metrics": {"total-planning-duration": {"count": 1, "time-unit": "nanoseconds", "total-duration": 2644235116},
		            "result-data-files": {"unit": "count", "value": 1}}})");
	EXPECT_NO_THROW(ValidateMetricsReport(scan));
	auto commit = json::parse(R"({"report-type": "commit-report", "table-name": "ns.t", "snapshot-id": 2,
		"sequence-number": 2, "operation": "append", "metrics": {}})");
	EXPECT_NO_THROW(ValidateMetricsReport(commit));
	auto broken = scan;
	broken.erase("projected-field-ids");
	EXPECT_EQ(CodeOf([&] { ValidateMetricsReport(broken); }), ErrorCode::InvalidInput);
	EXPECT_EQ(CodeOf([] { ValidateMetricsReport(json::array()); }), ErrorCode::InvalidInput);
	EXPECT_EQ(CodeOf([] { ValidateMetricsReport(json::object()); }), ErrorCode::InvalidInput);

	MetricsReports reports(2, 2);
	for (int i = 0; i < 3; i++) {
		auto report = commit;
		report["snapshot-id"] = i;
		reports.Add("ns.t", report);
	}
	auto kept = reports.Reports("ns.t");
	ASSERT_EQ(kept.size(), 2u);
	EXPECT_EQ(kept[0]["snapshot-id"], 1);
	EXPECT_EQ(kept[1]["snapshot-id"], 2);
	reports.Add("ns.u", commit);
	reports.Add("ns.v", commit); // ns.t was reported on least recently
	EXPECT_TRUE(reports.Reports("ns.t").empty());
	EXPECT_EQ(reports.Reports("ns.v").size(), 1u);
}

// The whole adapter on a real HTTP server.
class IcebergRestServerTest : public ::testing::Test {
protected:
	void SetUp() override {
		directory =
		    std::filesystem::temp_directory_path() / ("akko_rest_test_" + std::to_string(std::random_device()()));
		std::filesystem::create_directories(directory);
		metastore = metastore::OpenSqliteMetastore((directory / "metastore.db").string());
		store = objstore::OpenLocalStore((directory / "objects").string());
		catalog = std::make_unique<catalog::CatalogService>(*metastore, *store, "s3://akko-warehouse/");
		users = std::make_unique<auth::UserDirectory>(*metastore);
		users->EnsureBootstrapAdmin("secret");
		server = std::make_unique<net::HttpServer>(net::HttpServerOptions {}, workers);
		IcebergRestOptions options;
		options.s3_host = "127.0.0.1";
		options.s3_port = 9333;
		options.credentials = vault;
		RegisterIcebergRest(*server, *catalog, *users, options);
		server->Start();
		auto token =
		    Call("POST", "/iceberg/v1/oauth/tokens",
		         "grant_type=client_credentials&client_id=admin&client_secret=secret&scope=catalog", {}, false);
		EXPECT_EQ(token.status, 200) << token.body;
		bearer = json::parse(token.body)["access_token"];
	}
	void TearDown() override {
		server->Stop();
		server.reset();
		std::filesystem::remove_all(directory);
	}

	struct Reply {
		int status = 0;
		std::string body;
		http::response<http::string_body> message;
		json Json() const {
			return json::parse(body);
		}
	};

	Reply Call(const std::string &method, const std::string &target, const std::string &body = "",
	           std::vector<std::pair<std::string, std::string>> headers = {}, bool authenticate = true) {
		asio::io_context io;
		asio::ip::tcp::socket socket(io);
		socket.connect({asio::ip::make_address("127.0.0.1"), server->Port()});
		http::request<http::string_body> request(http::string_to_verb(method), target, 11);
		request.set(http::field::host, "localhost");
		if (authenticate) {
			request.set(http::field::authorization, "Bearer " + bearer);
		}
		for (auto &[name, value] : headers) {
			request.set(name, value);
		}
		request.body() = body;
		request.prepare_payload();
		http::write(socket, request);
		boost::beast::flat_buffer buffer;
		http::response_parser<http::string_body> parser;
		parser.skip(method == "HEAD");
		http::read(socket, buffer, parser);
		Reply reply;
		reply.message = parser.release();
		reply.status = reply.message.result_int();
		reply.body = reply.message.body();
		return reply;
	}

	static std::string ErrorType(const Reply &reply) {
		return json::parse(reply.body)["error"]["type"];
	}

	void CreateNamespace(const json &name) {
		auto reply = Call("POST", "/iceberg/v1/namespaces", json {{"namespace", name}}.dump());
		ASSERT_EQ(reply.status, 200) << reply.body;
	}

	json CreateTableBody(const std::string &name, bool staged = false) {
		return {{"name", name},
		        {"schema",
		         {{"type", "struct"}, {"fields", {{{"id", 1}, {"name", "id"}, {"type", "long"}, {"required", true}}}}}},
		        {"stage-create", staged}};
	}

	std::filesystem::path directory;
	WorkerPool workers {4};
	std::unique_ptr<metastore::Metastore> metastore;
	std::unique_ptr<objstore::Store> store;
	std::unique_ptr<catalog::CatalogService> catalog;
	std::unique_ptr<auth::UserDirectory> users;
	std::shared_ptr<auth::CredentialVault> vault = std::make_shared<auth::CredentialVault>();
	std::unique_ptr<net::HttpServer> server;
	std::string bearer;
};

TEST_F(IcebergRestServerTest, TokensAndAuthentication) {
	auto reply = Call("POST", "/iceberg/v1/oauth/tokens",
	                  "grant_type=client_credentials&client_id=admin&client_secret=no", {}, false);
	EXPECT_EQ(reply.status, 401);
	EXPECT_EQ(reply.Json()["error"], "invalid_client");
	reply = Call("POST", "/iceberg/v1/oauth/tokens", "grant_type=password&username=admin", {}, false);
	EXPECT_EQ(reply.status, 400);
	EXPECT_EQ(reply.Json()["error"], "unsupported_grant_type");
	reply = Call("POST", "/iceberg/v1/oauth/tokens", "client_id=admin", {}, false);
	EXPECT_EQ(reply.status, 400);
	EXPECT_EQ(reply.Json()["error"], "invalid_request");
	// A refresh by token exchange gives a new working token.
	reply = Call("POST", "/iceberg/v1/oauth/tokens",
	             "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=" + bearer +
	                 "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token",
	             {}, false);
	ASSERT_EQ(reply.status, 200) << reply.body;
	EXPECT_EQ(reply.Json()["token_type"], "bearer");
	EXPECT_EQ(reply.Json()["issued_token_type"], "urn:ietf:params:oauth:token-type:access_token");
	// Tokens do not expire yet: promising an expiry would have clients refresh for nothing.
	EXPECT_FALSE(reply.Json().contains("expires_in"));
	bearer = reply.Json()["access_token"];
	EXPECT_EQ(Call("GET", "/iceberg/v1/config").status, 200);

	reply = Call("GET", "/iceberg/v1/namespaces", "", {}, false);
	EXPECT_EQ(reply.status, 401);
	EXPECT_EQ(ErrorType(reply), "NotAuthorizedException");
	reply = Call("GET", "/iceberg/v1/namespaces", "", {{"Authorization", "Bearer wrong"}}, false);
	EXPECT_EQ(reply.status, 401);
	EXPECT_EQ(ErrorType(reply), "NotAuthorizedException");
	// Basic, for curl: admin:secret.
	reply = Call("GET", "/iceberg/v1/namespaces", "", {{"Authorization", "Basic YWRtaW46c2VjcmV0"}}, false);
	EXPECT_EQ(reply.status, 200) << reply.body;
}

TEST_F(IcebergRestServerTest, Config) {
	auto reply = Call("GET", "/iceberg/v1/config?warehouse=anything");
	ASSERT_EQ(reply.status, 200);
	auto config = reply.Json();
	EXPECT_EQ(config["overrides"]["s3.endpoint"], "http://127.0.0.1:9333");
	EXPECT_EQ(config["overrides"]["s3.path-style-access"], "true");
	EXPECT_EQ(config["overrides"]["client.region"], "us-east-1");
	EXPECT_FALSE(config["overrides"].contains("prefix"));
	EXPECT_TRUE(config["defaults"].is_object());
	EXPECT_EQ(config["endpoints"].size(), Endpoints().size());
}

TEST_F(IcebergRestServerTest, Namespaces) {
	CreateNamespace({"accounting"});
	CreateNamespace({"accounting", "tax"});
	CreateNamespace({"accounting", "credits"});
	auto reply = Call("POST", "/iceberg/v1/namespaces", R"({"namespace": ["accounting"]})");
	EXPECT_EQ(reply.status, 409);
	EXPECT_EQ(ErrorType(reply), "AlreadyExistsException");
	reply = Call("POST", "/iceberg/v1/namespaces", R"({"namespace": ["a"], )");
	EXPECT_EQ(reply.status, 400);
	EXPECT_EQ(ErrorType(reply), "BadRequestException");

	reply = Call("GET", "/iceberg/v1/namespaces?parent=accounting");
	ASSERT_EQ(reply.status, 200) << reply.body;
	EXPECT_EQ(reply.Json()["namespaces"], json::parse(R"([["accounting","credits"],["accounting","tax"]])"));
	reply = Call("GET", "/iceberg/v1/namespaces?parent=nowhere");
	EXPECT_EQ(reply.status, 404);
	EXPECT_EQ(ErrorType(reply), "NoSuchNamespaceException");

	// Pages of one, following next-page-token to its null end.
	reply = Call("GET", "/iceberg/v1/namespaces?parent=accounting&pageToken=&pageSize=1");
	EXPECT_EQ(reply.Json()["namespaces"], json::parse(R"([["accounting","credits"]])"));
	auto token = reply.Json()["next-page-token"].get<std::string>();
	reply = Call("GET", "/iceberg/v1/namespaces?parent=accounting&pageSize=1&pageToken=" + token);
	EXPECT_EQ(reply.Json()["namespaces"], json::parse(R"([["accounting","tax"]])"));
	EXPECT_TRUE(reply.Json()["next-page-token"].is_null());
	EXPECT_EQ(Call("GET", "/iceberg/v1/namespaces?pageSize=0").status, 400);

	EXPECT_EQ(Call("HEAD", "/iceberg/v1/namespaces/accounting%1Ftax").status, 204);
	EXPECT_EQ(Call("HEAD", "/iceberg/v1/namespaces/accounting%1Fnone").status, 404);
	reply = Call("GET", "/iceberg/v1/namespaces/accounting%1Ftax");
	EXPECT_EQ(reply.Json(), json::parse(R"({"namespace":["accounting","tax"],"properties":{}})"));

	reply = Call("POST", "/iceberg/v1/namespaces/accounting/properties",
	             R"({"removals": ["gone"], "updates": {"owner": "Ralph"}})");
	ASSERT_EQ(reply.status, 200) << reply.body;
	EXPECT_EQ(reply.Json(), json::parse(R"({"updated":["owner"],"removed":[],"missing":["gone"]})"));
	reply = Call("POST", "/iceberg/v1/namespaces/accounting/properties", R"({"removals": ["owner"]})");
	EXPECT_EQ(reply.Json(), json::parse(R"({"updated":[],"removed":["owner"],"missing":[]})"));
	reply =
	    Call("POST", "/iceberg/v1/namespaces/accounting/properties", R"({"removals": ["k"], "updates": {"k": "v"}})");
	EXPECT_EQ(reply.status, 422);
	EXPECT_EQ(ErrorType(reply), "UnprocessableEntityException");

	reply = Call("DELETE", "/iceberg/v1/namespaces/accounting");
	EXPECT_EQ(reply.status, 409);
	EXPECT_EQ(ErrorType(reply), "NamespaceNotEmptyException");
	EXPECT_EQ(Call("DELETE", "/iceberg/v1/namespaces/accounting%1Ftax").status, 204);
	reply = Call("DELETE", "/iceberg/v1/namespaces/accounting%1Ftax");
	EXPECT_EQ(reply.status, 404);
	EXPECT_EQ(ErrorType(reply), "NoSuchNamespaceException");
	// Hostile names are refused as bad requests, never 500.
	reply = Call("POST", "/iceberg/v1/namespaces", json {{"namespace", {"a/b"}}}.dump());
	EXPECT_EQ(reply.status, 400);
	EXPECT_EQ(Call("GET", "/iceberg/v1/namespaces/a%ZZ").status, 400);
}

TEST_F(IcebergRestServerTest, TablesLoadCommitAndETags) {
	CreateNamespace({"ns"});
	auto reply = Call("POST", "/iceberg/v1/namespaces/ns/tables", CreateTableBody("t").dump());
	ASSERT_EQ(reply.status, 200) << reply.body;
	auto created = reply.Json();
	EXPECT_TRUE(created["metadata-location"].is_string());
	EXPECT_EQ(created["metadata"]["format-version"], 2);
	reply = Call("POST", "/iceberg/v1/namespaces/ns/tables", CreateTableBody("t").dump());
	EXPECT_EQ(reply.status, 409);
	EXPECT_EQ(ErrorType(reply), "AlreadyExistsException");
	reply = Call("POST", "/iceberg/v1/namespaces/none/tables", CreateTableBody("t").dump());
	EXPECT_EQ(reply.status, 404);
	EXPECT_EQ(ErrorType(reply), "NoSuchNamespaceException");
	reply = Call("POST", "/iceberg/v1/namespaces/ns/tables", CreateTableBody("a/b").dump());
	EXPECT_EQ(reply.status, 400);

	reply = Call("GET", "/iceberg/v1/namespaces/ns/tables/t");
	ASSERT_EQ(reply.status, 200);
	auto etag = std::string(reply.message["ETag"]);
	EXPECT_FALSE(etag.empty());
	EXPECT_EQ(reply.Json()["metadata"], created["metadata"]);
	reply = Call("GET", "/iceberg/v1/namespaces/ns/tables/t", "", {{"If-None-Match", etag}});
	EXPECT_EQ(reply.status, 304);
	EXPECT_TRUE(reply.body.empty());
	// Another representation has another tag.
	reply = Call("GET", "/iceberg/v1/namespaces/ns/tables/t?snapshots=refs", "", {{"If-None-Match", etag}});
	EXPECT_EQ(reply.status, 200);
	EXPECT_EQ(Call("GET", "/iceberg/v1/namespaces/ns/tables/t?snapshots=some").status, 400);
	reply = Call("GET", "/iceberg/v1/namespaces/ns/tables/missing");
	EXPECT_EQ(reply.status, 404);
	EXPECT_EQ(ErrorType(reply), "NoSuchTableException");
	EXPECT_EQ(Call("HEAD", "/iceberg/v1/namespaces/ns/tables/t").status, 204);
	EXPECT_EQ(Call("HEAD", "/iceberg/v1/namespaces/ns/tables/missing").status, 404);

	auto uuid = created["metadata"]["table-uuid"].get<std::string>();
	json commit = {{"requirements", {{{"type", "assert-table-uuid"}, {"uuid", uuid}}}},
	               {"updates", {{{"action", "set-properties"}, {"updates", {{"owner", "me"}}}}}}};
	reply = Call("POST", "/iceberg/v1/namespaces/ns/tables/t", commit.dump());
	ASSERT_EQ(reply.status, 200) << reply.body;
	EXPECT_EQ(reply.Json()["metadata"]["properties"]["owner"], "me");
	EXPECT_NE(reply.Json()["metadata-location"], created["metadata-location"]);
	// The old tag no longer matches.
	EXPECT_EQ(Call("GET", "/iceberg/v1/namespaces/ns/tables/t", "", {{"If-None-Match", etag}}).status, 200);

	commit["requirements"][0]["uuid"] = "00000000-0000-0000-0000-000000000000";
	reply = Call("POST", "/iceberg/v1/namespaces/ns/tables/t", commit.dump());
	EXPECT_EQ(reply.status, 409);
	EXPECT_EQ(ErrorType(reply), "CommitFailedException");
	reply = Call("POST", "/iceberg/v1/namespaces/ns/tables/t",
	             R"({"requirements": [], "updates": [{"action": "make-it-fast"}]})");
	EXPECT_EQ(reply.status, 400);
	EXPECT_EQ(ErrorType(reply), "BadRequestException");
	reply = Call("POST", "/iceberg/v1/namespaces/ns/tables/t",
	             R"({"requirements": [{"type": "assert-magic"}], "updates": []})");
	EXPECT_EQ(reply.status, 400);
	reply = Call("POST", "/iceberg/v1/namespaces/ns/tables/missing", R"({"requirements": [], "updates": []})");
	EXPECT_EQ(reply.status, 404);
	EXPECT_EQ(ErrorType(reply), "NoSuchTableException");
}

TEST_F(IcebergRestServerTest, StagedCreateCommitsWithAssertCreate) {
	CreateNamespace({"ns"});
	auto reply = Call("POST", "/iceberg/v1/namespaces/ns/tables", CreateTableBody("staged", true).dump());
	ASSERT_EQ(reply.status, 200) << reply.body;
	auto staged = reply.Json();
	EXPECT_TRUE(staged["metadata-location"].is_null());
	EXPECT_EQ(Call("HEAD", "/iceberg/v1/namespaces/ns/tables/staged").status, 404);
	auto &metadata = staged["metadata"];
	// What Java's client sends to finish the create transaction.
	json commit = {{"requirements", {{{"type", "assert-create"}}}},
	               {"updates",
	                {{{"action", "assign-uuid"}, {"uuid", metadata["table-uuid"]}},
	                 {{"action", "upgrade-format-version"}, {"format-version", 2}},
	                 {{"action", "add-schema"}, {"schema", metadata["schemas"][0]}, {"last-column-id", 1}},
	                 {{"action", "set-current-schema"}, {"schema-id", -1}},
	                 {{"action", "add-spec"}, {"spec", metadata["partition-specs"][0]}},
	                 {{"action", "set-default-spec"}, {"spec-id", -1}},
	                 {{"action", "add-sort-order"}, {"sort-order", metadata["sort-orders"][0]}},
	                 {{"action", "set-default-sort-order"}, {"sort-order-id", -1}},
	                 {{"action", "set-location"}, {"location", metadata["location"]}},
	                 {{"action", "set-properties"}, {"updates", metadata["properties"]}}}}};
	reply = Call("POST", "/iceberg/v1/namespaces/ns/tables/staged", commit.dump());
	ASSERT_EQ(reply.status, 200) << reply.body;
	EXPECT_EQ(reply.Json()["metadata"]["table-uuid"], metadata["table-uuid"]);
	EXPECT_EQ(reply.Json()["metadata"]["location"], metadata["location"]);
	EXPECT_EQ(Call("HEAD", "/iceberg/v1/namespaces/ns/tables/staged").status, 204);
	reply = Call("POST", "/iceberg/v1/namespaces/ns/tables/staged", commit.dump());
	EXPECT_EQ(reply.status, 409);
	EXPECT_EQ(ErrorType(reply), "CommitFailedException");
	// Staging a name that is taken fails at once.
	reply = Call("POST", "/iceberg/v1/namespaces/ns/tables", CreateTableBody("staged", true).dump());
	EXPECT_EQ(reply.status, 409);
}

TEST_F(IcebergRestServerTest, ListRenameDropRegisterTransactions) {
	CreateNamespace({"ns"});
	CreateNamespace({"other"});
	for (auto name : {"c", "a", "b"}) {
		ASSERT_EQ(Call("POST", "/iceberg/v1/namespaces/ns/tables", CreateTableBody(name).dump()).status, 200);
	}
	auto reply = Call("GET", "/iceberg/v1/namespaces/ns/tables?pageToken=&pageSize=2");
	EXPECT_EQ(reply.Json()["identifiers"],
	          json::parse(R"([{"namespace":["ns"],"name":"a"},{"namespace":["ns"],"name":"b"}])"));
	auto token = reply.Json()["next-page-token"].get<std::string>();
	reply = Call("GET", "/iceberg/v1/namespaces/ns/tables?pageSize=2&pageToken=" + token);
	EXPECT_EQ(reply.Json()["identifiers"], json::parse(R"([{"namespace":["ns"],"name":"c"}])"));
	EXPECT_TRUE(reply.Json()["next-page-token"].is_null());
	reply = Call("GET", "/iceberg/v1/namespaces/none/tables");
	EXPECT_EQ(ErrorType(reply), "NoSuchNamespaceException");
	// A token that was never ours.
	reply = Call("GET", "/iceberg/v1/namespaces/ns/tables?pageSize=2&pageToken=%01garbage");
	EXPECT_EQ(reply.status, 400);
	EXPECT_EQ(ErrorType(reply), "BadRequestException");

	auto rename = [&](const std::string &from, const std::string &to) {
		return Call("POST", "/iceberg/v1/tables/rename",
		            json {{"source", {{"namespace", {"ns"}}, {"name", from}}},
		                  {"destination", {{"namespace", {"other"}}, {"name", to}}}}
		                .dump());
	};
	EXPECT_EQ(rename("a", "moved").status, 204);
	reply = rename("a", "again");
	EXPECT_EQ(reply.status, 404);
	EXPECT_EQ(ErrorType(reply), "NoSuchTableException");
	ASSERT_EQ(Call("POST", "/iceberg/v1/namespaces/other/tables", CreateTableBody("taken").dump()).status, 200);
	reply = rename("b", "taken");
	EXPECT_EQ(reply.status, 409);
	EXPECT_EQ(ErrorType(reply), "AlreadyExistsException");

	// Register the moved table's current file under a new name, then drop both.
	auto location = Call("GET", "/iceberg/v1/namespaces/other/tables/moved").Json()["metadata-location"];
	reply = Call("POST", "/iceberg/v1/namespaces/ns/register",
	             json {{"name", "registered"}, {"metadata-location", location}}.dump());
	ASSERT_EQ(reply.status, 200) << reply.body;
	EXPECT_EQ(reply.Json()["metadata-location"], location);
	reply = Call("POST", "/iceberg/v1/namespaces/ns/register",
	             json {{"name", "ghost"}, {"metadata-location", "s3://akko-warehouse/none/metadata.json"}}.dump());
	EXPECT_EQ(reply.status, 404);
	EXPECT_EQ(Call("DELETE", "/iceberg/v1/namespaces/ns/tables/registered").status, 204);
	EXPECT_EQ(Call("DELETE", "/iceberg/v1/namespaces/other/tables/moved?purgeRequested=true").status, 204);
	EXPECT_EQ(Call("DELETE", "/iceberg/v1/namespaces/other/tables/moved").status, 404);

	// Two tables in one transaction: one failing requirement commits neither.
	auto b = Call("GET", "/iceberg/v1/namespaces/ns/tables/b").Json();
	auto c = Call("GET", "/iceberg/v1/namespaces/ns/tables/c").Json();
	auto change = [](const std::string &name, const json &uuid) {
		return json {{"identifier", {{"namespace", {"ns"}}, {"name", name}}},
		             {"requirements", {{{"type", "assert-table-uuid"}, {"uuid", uuid}}}},
		             {"updates", {{{"action", "set-properties"}, {"updates", {{"tx", "1"}}}}}}};
	};
	json transaction = {{"table-changes", {change("b", b["metadata"]["table-uuid"]), change("c", "wrong")}}};
	reply = Call("POST", "/iceberg/v1/transactions/commit", transaction.dump());
	EXPECT_EQ(reply.status, 409);
	EXPECT_EQ(ErrorType(reply), "CommitFailedException");
	EXPECT_EQ(Call("GET", "/iceberg/v1/namespaces/ns/tables/b").Json()["metadata-location"], b["metadata-location"]);
	transaction["table-changes"][1] = change("c", c["metadata"]["table-uuid"]);
	reply = Call("POST", "/iceberg/v1/transactions/commit", transaction.dump());
	EXPECT_EQ(reply.status, 204) << reply.body;
	EXPECT_EQ(Call("GET", "/iceberg/v1/namespaces/ns/tables/b").Json()["metadata"]["properties"]["tx"], "1");
	EXPECT_EQ(Call("GET", "/iceberg/v1/namespaces/ns/tables/c").Json()["metadata"]["properties"]["tx"], "1");
}

TEST_F(IcebergRestServerTest, CredentialsAndMetrics) {
	CreateNamespace({"ns"});
	auto table = Call("POST", "/iceberg/v1/namespaces/ns/tables", CreateTableBody("t").dump()).Json();
	auto reply = Call("GET", "/iceberg/v1/namespaces/ns/tables/t/credentials");
	ASSERT_EQ(reply.status, 200) << reply.body;
	auto credential = reply.Json()["storage-credentials"][0];
	EXPECT_EQ(credential["prefix"], table["metadata"]["location"]);
	auto key = credential["config"]["s3.access-key-id"].get<std::string>();
	auto stored = vault->Find(key);
	ASSERT_TRUE(stored);
	EXPECT_EQ(stored->user, "admin");
	EXPECT_EQ(credential["config"]["s3.secret-access-key"], stored->secret_access_key);
	EXPECT_EQ(credential["config"]["s3.session-token"], stored->session_token);
	EXPECT_EQ(credential["config"]["s3.session-token-expires-at-ms"], std::to_string(stored->expires_at_ms));
	EXPECT_EQ(Call("GET", "/iceberg/v1/namespaces/ns/tables/none/credentials").status, 404);
	// Loading with vended-credentials asked for carries them too.
	reply =
	    Call("GET", "/iceberg/v1/namespaces/ns/tables/t", "", {{"X-Iceberg-Access-Delegation", "vended-credentials"}});
	EXPECT_TRUE(vault->Find(reply.Json()["storage-credentials"][0]["config"]["s3.access-key-id"]));

	json report = {{"report-type", "commit-report"}, {"table-name", "ns.t"},  {"snapshot-id", 1},
	               {"sequence-number", 1},           {"operation", "append"}, {"metrics", json::object()}};
	EXPECT_EQ(Call("POST", "/iceberg/v1/namespaces/ns/tables/t/metrics", report.dump()).status, 204);
	EXPECT_EQ(Call("POST", "/iceberg/v1/namespaces/ns/tables/none/metrics", report.dump()).status, 404);
	EXPECT_EQ(Call("POST", "/iceberg/v1/namespaces/ns/tables/t/metrics", "{}").status, 400);
}

TEST_F(IcebergRestServerTest, Views) {
	CreateNamespace({"ns"});
	json create = {{"name", "v"},
	               {"schema",
	                {{"type", "struct"},
	                 {"schema-id", 0},
	                 {"fields", {{{"id", 1}, {"name", "x"}, {"type", "long"}, {"required", false}}}}}},
	               {"view-version",
	                {{"version-id", 1},
	                 {"timestamp-ms", 1700000000000},
	                 {"schema-id", 0},
	                 {"summary", json::object()},
	                 {"representations", {{{"type", "sql"}, {"sql", "SELECT 1 AS x"}, {"dialect", "spark"}}}},
	                 {"default-namespace", {"ns"}}}},
	               {"properties", json::object()}};
	auto reply = Call("POST", "/iceberg/v1/namespaces/ns/views", create.dump());
	ASSERT_EQ(reply.status, 200) << reply.body;
	auto uuid = reply.Json()["metadata"]["view-uuid"];
	reply = Call("POST", "/iceberg/v1/namespaces/ns/views", create.dump());
	EXPECT_EQ(reply.status, 409);
	EXPECT_EQ(ErrorType(reply), "AlreadyExistsException");
	EXPECT_EQ(Call("GET", "/iceberg/v1/namespaces/ns/views").Json()["identifiers"],
	          json::parse(R"([{"namespace":["ns"],"name":"v"}])"));
	EXPECT_EQ(Call("HEAD", "/iceberg/v1/namespaces/ns/views/v").status, 204);
	reply = Call("GET", "/iceberg/v1/namespaces/ns/views/none");
	EXPECT_EQ(reply.status, 404);
	EXPECT_EQ(ErrorType(reply), "NoSuchViewException");
	// A view is not a table.
	EXPECT_EQ(ErrorType(Call("GET", "/iceberg/v1/namespaces/ns/tables/v")), "NoSuchTableException");

	json replace = {{"requirements", {{{"type", "assert-view-uuid"}, {"uuid", uuid}}}},
	                {"updates", {{{"action", "set-properties"}, {"updates", {{"k", "v"}}}}}}};
	reply = Call("POST", "/iceberg/v1/namespaces/ns/views/v", replace.dump());
	ASSERT_EQ(reply.status, 200) << reply.body;
	EXPECT_EQ(reply.Json()["metadata"]["properties"]["k"], "v");
	replace["requirements"][0]["uuid"] = "00000000-0000-0000-0000-000000000000";
	reply = Call("POST", "/iceberg/v1/namespaces/ns/views/v", replace.dump());
	EXPECT_EQ(reply.status, 409);
	EXPECT_EQ(ErrorType(reply), "CommitFailedException");

	reply =
	    Call("POST", "/iceberg/v1/views/rename",
	         R"({"source": {"namespace": ["ns"], "name": "v"}, "destination": {"namespace": ["ns"], "name": "w"}})");
	EXPECT_EQ(reply.status, 204);
	EXPECT_EQ(Call("DELETE", "/iceberg/v1/namespaces/ns/views/w").status, 204);
	reply = Call("DELETE", "/iceberg/v1/namespaces/ns/views/w");
	EXPECT_EQ(reply.status, 404);
	EXPECT_EQ(ErrorType(reply), "NoSuchViewException");
}

TEST_F(IcebergRestServerTest, UnknownRoutesAnswerInTheErrorModel) {
	auto reply = Call("GET", "/iceberg/v1/nothing");
	EXPECT_EQ(reply.status, 404);
	EXPECT_EQ(ErrorType(reply), "NotFoundException");
	reply = Call("PUT", "/iceberg/v1/namespaces");
	EXPECT_EQ(reply.status, 405);
	EXPECT_EQ(std::string(reply.message["Allow"]), "GET, POST");
}

} // namespace
