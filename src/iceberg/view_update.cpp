#include "iceberg/view_update.hpp"

#include "common/error.hpp"
#include "common/overloaded.hpp"
#include "common/sql_lexer.hpp"
#include "iceberg/metadata_json.hpp"
#include "iceberg/view_metadata_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace akko::iceberg {

using namespace metadata_json;

namespace {

constexpr std::string_view kTableOnlyActions[] = {
    "set-current-schema",
    "add-spec",
    "set-default-spec",
    "add-sort-order",
    "set-default-sort-order",
    "add-snapshot",
    "set-snapshot-ref",
    "remove-snapshots",
    "remove-snapshot-ref",
    "set-statistics",
    "remove-statistics",
    "set-partition-statistics",
    "remove-partition-statistics",
    "remove-partition-specs",
    "remove-schemas",
    "add-encryption-key",
    "remove-encryption-key",
};

} // namespace

ViewUpdate ParseViewUpdate(const nlohmann::json &json) {
	try {
		auto action = ToLower(GetTag(json, "action", "view update"));
		auto what = fmt::format("view update \"{}\"", action);
		if (action == "add-view-version") {
			return AddViewVersionUpdate {ParseViewVersion(RequireMember(json, "view-version", what))};
		}
		if (action == "set-current-view-version") {
			return SetCurrentViewVersionUpdate {GetInt(json, "view-version-id", what)};
		}
		if (action == "assign-uuid" || action == "upgrade-format-version" || action == "add-schema" ||
		    action == "set-location" || action == "set-properties" || action == "remove-properties") {
			return std::visit(
			    [](auto &&update) -> ViewUpdate {
				    using Update = std::decay_t<decltype(update)>;
				    if constexpr (std::is_constructible_v<ViewUpdate, Update>) {
					    return update;
				    } else {
					    throw Error(ErrorCode::Internal, "a shared update parsed as a table-only one");
				    }
			    },
			    ParseTableUpdate(json));
		}
		auto table_only = std::find(std::begin(kTableOnlyActions), std::end(kTableOnlyActions), action) !=
		                  std::end(kTableOnlyActions);
		throw Error(ErrorCode::InvalidInput, fmt::format("{} \"{}\"",
		                                                 table_only ? "update action applies to tables, not views:"
		                                                            : "unknown view update action",
		                                                 action));
	} catch (const nlohmann::json::exception &error) {
		throw Error(ErrorCode::InvalidInput, fmt::format("invalid view update: {}", error.what()));
	}
}

nlohmann::json ToJson(const ViewUpdate &update) {
	return std::visit(Overloaded {
	                      [](const AddViewVersionUpdate &u) -> nlohmann::json {
		                      return {{"action", "add-view-version"}, {"view-version", ToJson(u.view_version)}};
	                      },
	                      [](const SetCurrentViewVersionUpdate &u) -> nlohmann::json {
		                      return {{"action", "set-current-view-version"}, {"view-version-id", u.view_version_id}};
	                      },
	                      [](const auto &shared) -> nlohmann::json { return ToJson(TableUpdate(shared)); },
	                  },
	                  update);
}

ViewMetadata ApplyViewUpdates(const ViewMetadata &base, const std::vector<ViewUpdate> &updates, int64_t now_ms) {
	ViewMetadataBuilder builder(base, now_ms);
	for (auto &update : updates) {
		builder.Apply(update);
	}
	return builder.Build();
}

ViewMetadata NewViewMetadata(const Schema &schema, const ViewVersion &version, std::string location,
                             std::map<std::string, std::string> properties) {
	ViewMetadataBuilder builder(version.timestamp_ms);
	builder.Apply(SetLocationUpdate {std::move(location)});
	builder.Apply(SetPropertiesUpdate {std::move(properties)});
	builder.SetCurrentVersion(version, schema);
	return builder.Build();
}

ViewRequirement ParseViewRequirement(const nlohmann::json &json) {
	auto type = ToLower(GetTag(json, "type", "view requirement"));
	if (type != "assert-view-uuid") {
		throw Error(ErrorCode::InvalidInput, fmt::format("unknown view requirement type \"{}\"", type));
	}
	return {GetString(json, "uuid", "view requirement \"assert-view-uuid\"")};
}

nlohmann::json ToJson(const ViewRequirement &requirement) {
	return {{"type", "assert-view-uuid"}, {"uuid", requirement.uuid}};
}

void CheckViewRequirement(const ViewRequirement &requirement, const ViewMetadata *current) {
	if (!current) {
		throw Error(ErrorCode::SerializationFailure, "requirement failed: assert-view-uuid: the view does not exist");
	}
	if (ToLower(requirement.uuid) != ToLower(current->view_uuid)) {
		throw Error(ErrorCode::SerializationFailure,
		            fmt::format("requirement failed: view uuid does not match: expected {} != {}", current->view_uuid,
		                        requirement.uuid));
	}
}

} // namespace akko::iceberg
