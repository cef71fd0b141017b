#pragma once
// What the Iceberg REST handlers share: the services they call, the state the adapter keeps,
// and the decoded request. Each handler is one operation of the spec, thin over the catalog;
// it returns its response or throws akko::Error, which the dispatcher maps to the error model.
#include "adapters/iceberg_rest/iceberg_rest.hpp"
#include "adapters/iceberg_rest/metrics_reports.hpp"
#include "adapters/iceberg_rest/rest_route.hpp"
#include "adapters/iceberg_rest/table_metadata_cache.hpp"
#include "auth/credential_vault.hpp"
#include "authz/principal.hpp"
#include "catalog/catalog_service.hpp"
#include "net/http_message.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

namespace akko::auth {
class UserDirectory;
}

namespace akko::iceberg_rest {

struct RestContext {
	RestContext(catalog::CatalogService &catalog_p, auth::UserDirectory &users_p, IcebergRestOptions options_p);

	catalog::CatalogService &catalog;
	auth::UserDirectory &users;
	IcebergRestOptions options;
	std::shared_ptr<auth::CredentialVault> credentials;
	MetricsReports reports;
	TableMetadataCache metadata_cache;
};

struct RestCall {
	const net::HttpRequest &http;
	const RestRoute &route;
	std::map<std::string, std::string> query;
	std::string user; // empty on the token endpoint, the only route open to anyone
	// Who `user` is in the access model; null without access control.
	std::optional<authz::Principal> principal;

	// The body as a JSON object; throws akko::Error (invalid_input) for anything else.
	nlohmann::json Body() const;
	catalog::TableIdentifier Identifier() const {
		return {route.namespace_name, route.name};
	}
};

net::HttpResponse JsonResponse(int status, const nlohmann::json &body);
net::HttpResponse NoContent();
int64_t NowMs();

// {"namespace": [...], "name": "..."}; throws akko::Error (invalid_input).
catalog::TableIdentifier ParseTableIdentifier(const nlohmann::json &json, const char *what);
nlohmann::json ToJson(const catalog::TableIdentifier &id);

// Whether the caller may see that the table or view exists at all (listings name only these).
bool MayReference(const RestContext &context, const RestCall &call, const catalog::TableIdentifier &id);

// Names in byte order from after `query`'s pageToken, at most pageSize of them when given; the
// token returned continues after the last name sent, or is null at the end. Without pageToken
// and pageSize, everything in one page.
struct Page {
	size_t begin = 0;
	size_t end = 0;
	std::optional<std::string> next_token;
};
Page Paginate(const std::vector<std::string> &sorted_keys, const std::map<std::string, std::string> &query);

// A LoadTableResult (also what create and commit answer): metadata-location (null when
// `metadata_location` is empty: a staged table), metadata, config, and vended credentials when
// the request asked for them; with its ETag.
net::HttpResponse TableResult(RestContext &context, const RestCall &call, const std::string &metadata_location,
                              const iceberg::TableMetadata &metadata, bool refs_only);

// One function per operation (see rest_route.hpp), in the file of its group.
net::HttpResponse GetConfig(RestContext &context, const RestCall &call);
net::HttpResponse GetToken(RestContext &context, const RestCall &call);

net::HttpResponse ListNamespaces(RestContext &context, const RestCall &call);
net::HttpResponse CreateNamespace(RestContext &context, const RestCall &call);
net::HttpResponse LoadNamespace(RestContext &context, const RestCall &call);
net::HttpResponse NamespaceExists(RestContext &context, const RestCall &call);
net::HttpResponse DropNamespace(RestContext &context, const RestCall &call);
net::HttpResponse UpdateNamespaceProperties(RestContext &context, const RestCall &call);

net::HttpResponse ListTables(RestContext &context, const RestCall &call);
net::HttpResponse CreateTable(RestContext &context, const RestCall &call);
net::HttpResponse RegisterTable(RestContext &context, const RestCall &call);
net::HttpResponse LoadTable(RestContext &context, const RestCall &call);
net::HttpResponse DropTable(RestContext &context, const RestCall &call);
net::HttpResponse TableExists(RestContext &context, const RestCall &call);
net::HttpResponse LoadCredentials(RestContext &context, const RestCall &call);
net::HttpResponse ReportMetrics(RestContext &context, const RestCall &call);
net::HttpResponse RenameTable(RestContext &context, const RestCall &call);

net::HttpResponse CommitTable(RestContext &context, const RestCall &call);
net::HttpResponse CommitTransaction(RestContext &context, const RestCall &call);

net::HttpResponse ListViews(RestContext &context, const RestCall &call);
net::HttpResponse CreateView(RestContext &context, const RestCall &call);
net::HttpResponse LoadView(RestContext &context, const RestCall &call);
net::HttpResponse ReplaceView(RestContext &context, const RestCall &call);
net::HttpResponse DropView(RestContext &context, const RestCall &call);
net::HttpResponse ViewExists(RestContext &context, const RestCall &call);
net::HttpResponse RenameView(RestContext &context, const RestCall &call);

} // namespace akko::iceberg_rest
