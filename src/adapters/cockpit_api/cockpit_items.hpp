#pragma once
// The cockpit's saved queries and dashboards (docs/cockpit-api.md): request bodies validated
// into documents kept in the metastore, read back as JSON. A user sees their own items and the
// shared ones (a superuser sees all); only the owner or a superuser changes or deletes one. The
// SQL is stored, never run here: the cockpit runs it through POST /api/v1/query as the viewing
// user, so that user's grants, row filters and masks apply.
#include <nlohmann/json_fwd.hpp>

#include <string>

namespace akko::metastore {
class Metastore;
}

namespace akko::cockpit_api {

enum class ItemKind { SavedQuery, Dashboard };

struct Viewer {
	std::string user;
	bool superuser = false;
};

// Each method throws akko::Error: invalid_input for a bad body (naming the field), not_found
// for an unknown id or another user's private item, permission_denied for a change to a
// shared item of another user.
class CockpitItems {
public:
	explicit CockpitItems(metastore::Metastore &metastore_p);

	nlohmann::json List(ItemKind kind, const Viewer &viewer);
	nlohmann::json Get(ItemKind kind, const std::string &id, const Viewer &viewer);
	nlohmann::json Create(ItemKind kind, const std::string &body, const Viewer &viewer);
	// Replaces the item's fields with the body's (fields left out take their defaults).
	nlohmann::json Update(ItemKind kind, const std::string &id, const std::string &body, const Viewer &viewer);
	void Delete(ItemKind kind, const std::string &id, const Viewer &viewer);

private:
	metastore::Metastore &metastore;
};

} // namespace akko::cockpit_api
