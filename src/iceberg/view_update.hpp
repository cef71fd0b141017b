#pragma once
// The changes a commit makes to a view (the REST API's ViewUpdate) and what it expects of the
// view (ViewRequirement), read from and written to JSON and applied as Java's
// ViewMetadata.Builder applies them.
#include "iceberg/table_update.hpp"
#include "iceberg/view_metadata.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace akko::iceberg {

struct AddViewVersionUpdate {
	ViewVersion view_version;
};
// kLastAdded (-1): the version added last in this commit.
struct SetCurrentViewVersionUpdate {
	int32_t view_version_id = 0;
};

using ViewUpdate =
    std::variant<AssignUuidUpdate, UpgradeFormatVersionUpdate, AddSchemaUpdate, SetLocationUpdate, SetPropertiesUpdate,
                 RemovePropertiesUpdate, AddViewVersionUpdate, SetCurrentViewVersionUpdate>;

// Throws akko::Error (invalid_input) for an unknown action (the message names it), a
// table-only action, or a malformed update.
ViewUpdate ParseViewUpdate(const nlohmann::json &json);
nlohmann::json ToJson(const ViewUpdate &update);

// `base` with `updates` applied in order. `now_ms` dates the version-log entry when an older
// version becomes current again. Besides Java's checks on each update, the result keeps
// version.history.num-entries versions (default 10, never dropping the current one or those
// just added) and, unless replace.drop-dialect.allowed is "true", refuses a current version
// that lost a SQL dialect the previous one had. Throws akko::Error (invalid_input).
ViewMetadata ApplyViewUpdates(const ViewMetadata &base, const std::vector<ViewUpdate> &updates, int64_t now_ms);

// A new view, as Java's view builder makes one for a REST create-view request: a random
// uuid, `location` and `properties`, `schema` as schema 0 (or the first id free), and
// `version` as the current version, its schema-id pointing at `schema`.
ViewMetadata NewViewMetadata(const Schema &schema, const ViewVersion &version, std::string location,
                             std::map<std::string, std::string> properties);

// assert-view-uuid, the only view requirement: the view's uuid must be `uuid`.
struct ViewRequirement {
	std::string uuid;
};

ViewRequirement ParseViewRequirement(const nlohmann::json &json);
nlohmann::json ToJson(const ViewRequirement &requirement);
// Throws akko::Error (serialization_failure) when the uuid differs or the view (`current`
// null) does not exist.
void CheckViewRequirement(const ViewRequirement &requirement, const ViewMetadata *current);

} // namespace akko::iceberg
