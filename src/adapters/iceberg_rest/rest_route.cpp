#include "adapters/iceberg_rest/rest_route.hpp"

#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/url.hpp"

#include <fmt/format.h>

namespace akko::iceberg_rest {

namespace {

struct RouteSpec {
	const char *method;
	// Below "/v1/"; {namespace}, {table} and {view} are path parameters.
	const char *pattern;
	Operation operation;
	Subject subject;
	bool commit;
	// Under the catalog prefix, hence listed in /v1/config's endpoints.
	bool catalog_route;
};

constexpr RouteSpec kRoutes[] = {
    {"GET", "config", Operation::GetConfig, Subject::Catalog, false, false},
    {"POST", "oauth/tokens", Operation::GetToken, Subject::Catalog, false, false},
    {"GET", "namespaces", Operation::ListNamespaces, Subject::Namespace, false, true},
    {"POST", "namespaces", Operation::CreateNamespace, Subject::Namespace, false, true},
    {"GET", "namespaces/{namespace}", Operation::LoadNamespace, Subject::Namespace, false, true},
    {"HEAD", "namespaces/{namespace}", Operation::NamespaceExists, Subject::Namespace, false, true},
    {"DELETE", "namespaces/{namespace}", Operation::DropNamespace, Subject::Namespace, false, true},
    {"POST", "namespaces/{namespace}/properties", Operation::UpdateNamespaceProperties, Subject::Namespace, false,
     true},
    {"GET", "namespaces/{namespace}/tables", Operation::ListTables, Subject::Table, false, true},
    {"POST", "namespaces/{namespace}/tables", Operation::CreateTable, Subject::Table, false, true},
    {"POST", "namespaces/{namespace}/register", Operation::RegisterTable, Subject::Table, false, true},
    {"GET", "namespaces/{namespace}/tables/{table}", Operation::LoadTable, Subject::Table, false, true},
    {"POST", "namespaces/{namespace}/tables/{table}", Operation::CommitTable, Subject::Table, true, true},
    {"DELETE", "namespaces/{namespace}/tables/{table}", Operation::DropTable, Subject::Table, false, true},
    {"HEAD", "namespaces/{namespace}/tables/{table}", Operation::TableExists, Subject::Table, false, true},
    {"GET", "namespaces/{namespace}/tables/{table}/credentials", Operation::LoadCredentials, Subject::Table, false,
     true},
    {"POST", "namespaces/{namespace}/tables/{table}/metrics", Operation::ReportMetrics, Subject::Table, false, true},
    {"POST", "tables/rename", Operation::RenameTable, Subject::Table, false, true},
    {"POST", "transactions/commit", Operation::CommitTransaction, Subject::Table, true, true},
    {"GET", "namespaces/{namespace}/views", Operation::ListViews, Subject::View, false, true},
    {"POST", "namespaces/{namespace}/views", Operation::CreateView, Subject::View, false, true},
    {"GET", "namespaces/{namespace}/views/{view}", Operation::LoadView, Subject::View, false, true},
    {"POST", "namespaces/{namespace}/views/{view}", Operation::ReplaceView, Subject::View, true, true},
    {"DELETE", "namespaces/{namespace}/views/{view}", Operation::DropView, Subject::View, false, true},
    {"HEAD", "namespaces/{namespace}/views/{view}", Operation::ViewExists, Subject::View, false, true},
    {"POST", "views/rename", Operation::RenameView, Subject::View, false, true},
};

std::vector<std::string_view> Split(std::string_view text, char separator) {
	std::vector<std::string_view> parts;
	size_t start = 0;
	for (;;) {
		auto end = text.find(separator, start);
		parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
		if (end == std::string_view::npos) {
			return parts;
		}
		start = end + 1;
	}
}

metastore::NamespaceName CheckedNamespace(metastore::NamespaceName levels) {
	for (auto &level : levels) {
		if (level.empty()) {
			throw Error(ErrorCode::InvalidInput, "a namespace level must not be empty");
		}
	}
	return levels;
}

// Fills `route` when the raw path segments fit `pattern`.
bool Fits(const RouteSpec &spec, const std::vector<std::string_view> &segments, RestRoute *route) {
	auto pattern = Split(spec.pattern, '/');
	if (pattern.size() != segments.size()) {
		return false;
	}
	for (size_t i = 0; i < pattern.size(); i++) {
		if (pattern[i].front() != '{' && pattern[i] != segments[i]) {
			return false;
		}
	}
	if (!route) {
		return true;
	}
	route->operation = spec.operation;
	route->subject = spec.subject;
	route->commit = spec.commit;
	for (size_t i = 0; i < pattern.size(); i++) {
		if (pattern[i] == "{namespace}") {
			route->namespace_name = DecodeNamespacePath(segments[i]);
		} else if (pattern[i] == "{table}" || pattern[i] == "{view}") {
			route->name = PercentDecode(segments[i], true);
		}
	}
	return true;
}

} // namespace

metastore::NamespaceName DecodeNamespacePath(std::string_view raw) {
	metastore::NamespaceName levels;
	size_t start = 0;
	for (;;) {
		size_t end = start;
		while (end < raw.size() && !(raw[end] == '%' && end + 2 < raw.size() && raw[end + 1] == '1' &&
		                             (raw[end + 2] == 'F' || raw[end + 2] == 'f'))) {
			end++;
		}
		levels.push_back(PercentDecode(raw.substr(start, end - start), true));
		if (end >= raw.size()) {
			return CheckedNamespace(std::move(levels));
		}
		start = end + 3;
	}
}

metastore::NamespaceName SplitNamespace(std::string_view decoded) {
	metastore::NamespaceName levels;
	for (auto level : Split(decoded, '\x1f')) {
		levels.emplace_back(level);
	}
	return CheckedNamespace(std::move(levels));
}

RouteMatch MatchRoute(std::string_view method, std::string_view path) {
	RouteMatch match;
	if (!path.starts_with("/v1/")) {
		return match;
	}
	auto segments = Split(path.substr(4), '/');
	for (auto &spec : kRoutes) {
		if (!Fits(spec, segments, nullptr)) {
			continue;
		}
		if (method == spec.method) {
			RestRoute route;
			Fits(spec, segments, &route);
			match.route = std::move(route);
			match.status = 200;
			return match;
		}
		match.status = 405;
		match.allowed += match.allowed.empty() ? spec.method : fmt::format(", {}", spec.method);
	}
	return match;
}

std::vector<std::string> Endpoints() {
	std::vector<std::string> endpoints;
	for (auto &spec : kRoutes) {
		if (spec.catalog_route) {
			endpoints.push_back(fmt::format("{} /v1/{{prefix}}/{}", spec.method, spec.pattern));
		}
	}
	return endpoints;
}

} // namespace akko::iceberg_rest
