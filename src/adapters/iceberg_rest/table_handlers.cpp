// Tables: list, create (and stage-create), register, load, exists, drop, rename, credentials,
// metrics reports.
#include "adapters/iceberg_rest/rest_context.hpp"

#include "common/error.hpp"
#include "iceberg/metadata_json.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace akko::iceberg_rest {

namespace mj = iceberg::metadata_json;

namespace {

bool WantsVendedCredentials(const net::HttpRequest &request) {
	auto header = request.Header("x-iceberg-access-delegation");
	return header.find("vended-credentials") != std::string_view::npos;
}

nlohmann::json CredentialConfig(const auth::TemporaryCredential &credential) {
	return {{"s3.access-key-id", credential.access_key_id},
	        {"s3.secret-access-key", credential.secret_access_key},
	        {"s3.session-token", credential.session_token},
	        {"s3.session-token-expires-at-ms", std::to_string(credential.expires_at_ms)}};
}

// "true" or "false" (any case), or `fallback` when absent.
bool BoolParameter(const RestCall &call, const char *name, bool fallback) {
	auto found = call.query.find(name);
	if (found == call.query.end()) {
		return fallback;
	}
	auto value = found->second;
	std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
	if (value != "true" && value != "false") {
		throw Error(ErrorCode::InvalidInput, fmt::format("{} must be true or false, not \"{}\"", name, found->second));
	}
	return value == "true";
}

catalog::CreateTableRequest ParseCreateTable(const RestCall &call, const nlohmann::json &body, bool &staged) {
	constexpr const char *what = "CreateTableRequest";
	catalog::CreateTableRequest request;
	request.id = {call.route.namespace_name, mj::GetString(body, "name", what)};
	request.schema = iceberg::ParseSchema(mj::RequireMember(body, "schema", what));
	if (auto spec = mj::FindMember(body, "partition-spec")) {
		request.spec = iceberg::ParsePartitionSpec(*spec);
	}
	if (auto order = mj::FindMember(body, "write-order")) {
		request.sort_order = iceberg::ParseSortOrder(*order);
	}
	request.location = mj::GetOptionalString(body, "location", what).value_or("");
	request.properties = mj::GetStringMap(body, "properties", what);
	staged = mj::FindMember(body, "stage-create") && mj::GetBool(body, "stage-create", what);
	return request;
}

std::vector<std::string> SortedNames(std::vector<catalog::TableIdentifier> &ids) {
	std::sort(ids.begin(), ids.end(), [](auto &a, auto &b) { return a.name < b.name; });
	std::vector<std::string> names;
	for (auto &id : ids) {
		names.push_back(id.name);
	}
	return names;
}

} // namespace

net::HttpResponse TableResult(RestContext &context, const RestCall &call, const std::string &metadata_location,
                              const iceberg::TableMetadata &metadata, bool refs_only) {
	auto config = nlohmann::json::object();
	std::string credentials;
	if (WantsVendedCredentials(call.http)) {
		auto credential = context.credentials->Issue(call.user, metadata.location, context.options.credential_lifetime);
		config = CredentialConfig(credential);
		credentials = fmt::format(
		    ",\"storage-credentials\":{}",
		    nlohmann::json::array({{{"prefix", metadata.location}, {"config", CredentialConfig(credential)}}}).dump());
	}
	net::HttpResponse response {200, "application/json", {}, {}};
	if (metadata_location.empty()) {
		// Staged: nothing is committed, so there is no file and no version to tag.
		auto text = (refs_only ? iceberg::ToJson(WithRefSnapshotsOnly(metadata)) : iceberg::ToJson(metadata)).dump();
		response.body = fmt::format("{{\"metadata-location\":null,\"metadata\":{},\"config\":{}{}}}", text,
		                            config.dump(), credentials);
		return response;
	}
	auto text = context.metadata_cache.Serialized(metadata_location, metadata, refs_only);
	response.body = fmt::format("{{\"metadata-location\":{},\"metadata\":{},\"config\":{}{}}}",
	                            nlohmann::json(metadata_location).dump(), *text, config.dump(), credentials);
	response.headers.emplace_back("ETag", TableETag(metadata_location, refs_only));
	return response;
}

net::HttpResponse ListTables(RestContext &context, const RestCall &call) {
	auto ids = context.catalog.ListTables(call.route.namespace_name);
	std::erase_if(ids, [&](const catalog::TableIdentifier &id) { return !MayReference(context, call, id); });
	auto page = Paginate(SortedNames(ids), call.query);
	auto identifiers = nlohmann::json::array();
	for (size_t i = page.begin; i < page.end; i++) {
		identifiers.push_back(ToJson(ids[i]));
	}
	return JsonResponse(200, {{"identifiers", identifiers},
	                          {"next-page-token", page.next_token ? nlohmann::json(*page.next_token) : nullptr}});
}

net::HttpResponse CreateTable(RestContext &context, const RestCall &call) {
	auto body = call.Body();
	bool staged = false;
	auto request = ParseCreateTable(call, body, staged);
	if (!staged) {
		auto table = context.catalog.CreateTable(request);
		return TableResult(context, call, table.metadata_location, *table.metadata, false);
	}
	// A create transaction: the metadata the table would start with, committed later by
	// CommitTable with assert-create. Nothing is written now.
	if (!context.catalog.NamespaceExists(request.id.namespace_name)) {
		throw Error(ErrorCode::InvalidSchemaName,
		            fmt::format("namespace \"{}\" does not exist", fmt::join(request.id.namespace_name, ".")));
	}
	if (context.catalog.FindTable(request.id) || context.catalog.FindView(request.id)) {
		throw Error(ErrorCode::DuplicateTable, fmt::format("\"{}\" already exists", catalog::ToString(request.id)));
	}
	auto location = request.location.empty() ? context.catalog.NewTableLocation(request.id)
	                                         : iceberg::StripTrailingSlash(request.location);
	auto metadata =
	    iceberg::NewTableMetadata(request.schema, request.spec, request.sort_order, location, request.properties);
	return TableResult(context, call, "", metadata, false);
}

net::HttpResponse RegisterTable(RestContext &context, const RestCall &call) {
	constexpr const char *what = "RegisterTableRequest";
	auto body = call.Body();
	catalog::TableIdentifier id {call.route.namespace_name, mj::GetString(body, "name", what)};
	auto metadata_location = mj::GetString(body, "metadata-location", what);
	bool overwrite = mj::FindMember(body, "overwrite") && mj::GetBool(body, "overwrite", what);
	if (overwrite && context.catalog.FindTable(id)) {
		throw Error(ErrorCode::FeatureNotSupported,
		            fmt::format("registering over the existing table \"{}\" is not supported: drop it first",
		                        catalog::ToString(id)));
	}
	auto table = context.catalog.RegisterTable(id, metadata_location);
	return TableResult(context, call, table.metadata_location, *table.metadata, false);
}

net::HttpResponse LoadTable(RestContext &context, const RestCall &call) {
	bool refs_only = false;
	auto mode = call.query.find("snapshots");
	if (mode != call.query.end()) {
		if (mode->second != "all" && mode->second != "refs") {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("snapshots must be all or refs, not \"{}\"", mode->second));
		}
		refs_only = mode->second == "refs";
	}
	auto table = context.catalog.LoadTable(call.Identifier());
	auto if_none_match = call.http.Header("if-none-match");
	if (!if_none_match.empty()) {
		auto etag = TableETag(table.metadata_location, refs_only);
		if (ETagMatches(if_none_match, etag)) {
			return net::HttpResponse {304, "", {{"ETag", etag}}, {}};
		}
	}
	return TableResult(context, call, table.metadata_location, *table.metadata, refs_only);
}

net::HttpResponse TableExists(RestContext &context, const RestCall &call) {
	if (!context.catalog.FindTable(call.Identifier())) {
		throw Error(ErrorCode::UndefinedTable,
		            fmt::format("table \"{}\" does not exist", catalog::ToString(call.Identifier())));
	}
	return NoContent();
}

net::HttpResponse DropTable(RestContext &context, const RestCall &call) {
	context.catalog.DropTable(call.Identifier(), BoolParameter(call, "purgeRequested", false));
	return NoContent();
}

net::HttpResponse RenameTable(RestContext &context, const RestCall &call) {
	auto body = call.Body();
	context.catalog.RenameTable(
	    ParseTableIdentifier(mj::RequireMember(body, "source", "RenameTableRequest"), "source"),
	    ParseTableIdentifier(mj::RequireMember(body, "destination", "RenameTableRequest"), "destination"));
	return NoContent();
}

net::HttpResponse LoadCredentials(RestContext &context, const RestCall &call) {
	auto table = context.catalog.LoadTable(call.Identifier());
	auto &prefix = table.metadata->location;
	auto credential = context.credentials->Issue(call.user, prefix, context.options.credential_lifetime);
	return JsonResponse(200,
	                    {{"storage-credentials",
	                      nlohmann::json::array({{{"prefix", prefix}, {"config", CredentialConfig(credential)}}})}});
}

net::HttpResponse ReportMetrics(RestContext &context, const RestCall &call) {
	auto body = call.Body();
	ValidateMetricsReport(body);
	auto id = call.Identifier();
	if (!context.catalog.FindTable(id)) {
		throw Error(ErrorCode::UndefinedTable, fmt::format("table \"{}\" does not exist", catalog::ToString(id)));
	}
	context.reports.Add(catalog::ToString(id), std::move(body));
	return NoContent();
}

} // namespace akko::iceberg_rest
