// Namespaces: list (with parent and pages), create, load, exists, drop, properties.
#include "adapters/iceberg_rest/rest_context.hpp"

#include "adapters/iceberg_rest/rest_error.hpp"

#include "common/error.hpp"
#include "iceberg/metadata_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace akko::iceberg_rest {

namespace mj = iceberg::metadata_json;

net::HttpResponse ListNamespaces(RestContext &context, const RestCall &call) {
	metastore::NamespaceName parent;
	auto found = call.query.find("parent");
	// An empty parent is the top level, for older clients (the spec keeps that for now).
	if (found != call.query.end() && !found->second.empty()) {
		parent = SplitNamespace(found->second);
	}
	auto children = context.catalog.ListNamespaces(parent);
	std::sort(children.begin(), children.end());
	std::vector<std::string> keys;
	for (auto &child : children) {
		keys.push_back(child.back());
	}
	auto page = Paginate(keys, call.query);
	auto namespaces = nlohmann::json::array();
	for (size_t i = page.begin; i < page.end; i++) {
		namespaces.push_back(children[i]);
	}
	nlohmann::json body = {{"namespaces", namespaces}, {"next-page-token", nullptr}};
	if (page.next_token) {
		body["next-page-token"] = *page.next_token;
	}
	return JsonResponse(200, body);
}

net::HttpResponse CreateNamespace(RestContext &context, const RestCall &call) {
	auto body = call.Body();
	auto name = mj::GetStringList(body, "namespace", "CreateNamespaceRequest");
	auto properties = mj::GetStringMap(body, "properties", "CreateNamespaceRequest");
	context.catalog.CreateNamespace(name, properties);
	return JsonResponse(200, {{"namespace", name}, {"properties", context.catalog.LoadNamespaceProperties(name)}});
}

net::HttpResponse LoadNamespace(RestContext &context, const RestCall &call) {
	auto &name = call.route.namespace_name;
	return JsonResponse(200, {{"namespace", name}, {"properties", context.catalog.LoadNamespaceProperties(name)}});
}

net::HttpResponse NamespaceExists(RestContext &context, const RestCall &call) {
	if (!context.catalog.NamespaceExists(call.route.namespace_name)) {
		throw Error(ErrorCode::InvalidSchemaName,
		            fmt::format("namespace \"{}\" does not exist", fmt::join(call.route.namespace_name, ".")));
	}
	return NoContent();
}

net::HttpResponse DropNamespace(RestContext &context, const RestCall &call) {
	context.catalog.DropNamespace(call.route.namespace_name);
	return NoContent();
}

net::HttpResponse UpdateNamespaceProperties(RestContext &context, const RestCall &call) {
	auto body = call.Body();
	std::vector<std::string> removals;
	if (mj::FindMember(body, "removals")) {
		removals = mj::GetStringList(body, "removals", "UpdateNamespacePropertiesRequest");
	}
	auto updates = mj::GetStringMap(body, "updates", "UpdateNamespacePropertiesRequest");
	for (auto &key : removals) {
		if (updates.count(key)) {
			// The spec's own answer for this case: 422, which no ErrorCode maps to.
			return ErrorResponse(
			    {422, "UnprocessableEntityException", fmt::format("property \"{}\" is both removed and updated", key)});
		}
	}
	auto missing = context.catalog.UpdateNamespaceProperties(call.route.namespace_name, removals, updates);
	std::set<std::string> missing_set(missing.begin(), missing.end());
	auto updated = nlohmann::json::array();
	for (auto &[key, value] : updates) {
		updated.push_back(key);
	}
	auto removed = nlohmann::json::array();
	for (auto &key : std::set<std::string>(removals.begin(), removals.end())) {
		if (!missing_set.count(key)) {
			removed.push_back(key);
		}
	}
	return JsonResponse(200, {{"updated", updated}, {"removed", removed}, {"missing", missing}});
}

} // namespace akko::iceberg_rest
