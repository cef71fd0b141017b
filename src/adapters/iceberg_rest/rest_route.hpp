#pragma once
// The Iceberg REST catalog's URL space: which operation a method and path name, with the
// namespace and table or view they address, decoded the way Java's RESTUtil encodes them.
#include "metastore/metastore.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akko::iceberg_rest {

enum class Operation {
	GetConfig,
	GetToken,
	ListNamespaces,
	CreateNamespace,
	LoadNamespace,
	NamespaceExists,
	DropNamespace,
	UpdateNamespaceProperties,
	ListTables,
	CreateTable,
	RegisterTable,
	LoadTable,
	CommitTable,
	DropTable,
	TableExists,
	LoadCredentials,
	ReportMetrics,
	RenameTable,
	CommitTransaction,
	ListViews,
	CreateView,
	LoadView,
	ReplaceView,
	DropView,
	ViewExists,
	RenameView,
};

// What an operation is about, which decides the "no such ..." error type.
enum class Subject { Catalog, Namespace, Table, View };

struct RestRoute {
	Operation operation = Operation::GetConfig;
	Subject subject = Subject::Catalog;
	// A commit: a server-side failure leaves its outcome unknown to the client.
	bool commit = false;
	metastore::NamespaceName namespace_name;
	std::string name; // the table or view
};

struct RouteMatch {
	std::optional<RestRoute> route;
	int status = 404;    // without a route: 404, or 405 when the path exists for other methods
	std::string allowed; // for 405: the methods the path takes, comma-separated
};

// `path` is the request path below the mount point, e.g. "/v1/namespaces/a%1Fb/tables/t".
// Throws akko::Error (invalid_input) for a malformed percent escape or an empty namespace
// level, which a 400 answers.
RouteMatch MatchRoute(std::string_view method, std::string_view path);

// "GET /v1/{prefix}/namespaces", ... : every catalog route served, for /v1/config.
std::vector<std::string> Endpoints();

// A namespace in a path: levels separated by "%1F", each then decoded.
metastore::NamespaceName DecodeNamespacePath(std::string_view raw);
// A namespace in a query parameter, already decoded: levels separated by the 0x1F byte.
metastore::NamespaceName SplitNamespace(std::string_view decoded);

} // namespace akko::iceberg_rest
