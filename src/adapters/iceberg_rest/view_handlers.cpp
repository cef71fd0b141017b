// Views: list, create, load, replace (commit), drop, exists, rename.
#include "adapters/iceberg_rest/rest_context.hpp"

#include "common/error.hpp"
#include "iceberg/metadata_json.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace akko::iceberg_rest {

namespace mj = iceberg::metadata_json;

namespace {

net::HttpResponse ViewResult(const catalog::LoadedView &view) {
	return JsonResponse(200, {{"metadata-location", view.metadata_location},
	                          {"metadata", iceberg::ToJson(*view.metadata)},
	                          {"config", nlohmann::json::object()}});
}

} // namespace

net::HttpResponse ListViews(RestContext &context, const RestCall &call) {
	auto ids = context.catalog.ListViews(call.route.namespace_name);
	std::erase_if(ids, [&](const catalog::TableIdentifier &id) { return !MayReference(context, call, id); });
	std::sort(ids.begin(), ids.end(), [](auto &a, auto &b) { return a.name < b.name; });
	std::vector<std::string> names;
	for (auto &id : ids) {
		names.push_back(id.name);
	}
	auto page = Paginate(names, call.query);
	auto identifiers = nlohmann::json::array();
	for (size_t i = page.begin; i < page.end; i++) {
		identifiers.push_back(ToJson(ids[i]));
	}
	return JsonResponse(200, {{"identifiers", identifiers},
	                          {"next-page-token", page.next_token ? nlohmann::json(*page.next_token) : nullptr}});
}

net::HttpResponse CreateView(RestContext &context, const RestCall &call) {
	constexpr const char *what = "CreateViewRequest";
	auto body = call.Body();
	catalog::TableIdentifier id {call.route.namespace_name, mj::GetString(body, "name", what)};
	auto schema = iceberg::ParseSchema(mj::RequireMember(body, "schema", what));
	auto version = iceberg::ParseViewVersion(mj::RequireMember(body, "view-version", what));
	auto properties = mj::GetStringMap(body, "properties", what);
	return ViewResult(context.catalog.CreateView(id, schema, version, properties, false));
}

net::HttpResponse LoadView(RestContext &context, const RestCall &call) {
	return ViewResult(context.catalog.LoadView(call.Identifier()));
}

net::HttpResponse ReplaceView(RestContext &context, const RestCall &call) {
	constexpr const char *what = "CommitViewRequest";
	auto body = call.Body();
	std::vector<iceberg::ViewRequirement> requirements;
	if (mj::FindMember(body, "requirements")) {
		for (auto &requirement : mj::RequireArray(body, "requirements", what)) {
			requirements.push_back(iceberg::ParseViewRequirement(requirement));
		}
	}
	std::vector<iceberg::ViewUpdate> updates;
	for (auto &update : mj::RequireArray(body, "updates", what)) {
		updates.push_back(iceberg::ParseViewUpdate(update));
	}
	return ViewResult(context.catalog.CommitView(call.Identifier(), requirements, updates));
}

net::HttpResponse DropView(RestContext &context, const RestCall &call) {
	context.catalog.DropView(call.Identifier());
	return NoContent();
}

net::HttpResponse ViewExists(RestContext &context, const RestCall &call) {
	if (!context.catalog.FindView(call.Identifier())) {
		throw Error(ErrorCode::UndefinedTable,
		            fmt::format("view \"{}\" does not exist", catalog::ToString(call.Identifier())));
	}
	return NoContent();
}

net::HttpResponse RenameView(RestContext &context, const RestCall &call) {
	auto body = call.Body();
	context.catalog.RenameView(
	    ParseTableIdentifier(mj::RequireMember(body, "source", "RenameTableRequest"), "source"),
	    ParseTableIdentifier(mj::RequireMember(body, "destination", "RenameTableRequest"), "destination"));
	return NoContent();
}

} // namespace akko::iceberg_rest
