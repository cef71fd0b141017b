#include "adapters/cockpit_api/cockpit_items.hpp"

#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/random.hpp"
#include "metastore/metastore.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <initializer_list>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>

namespace akko::cockpit_api {

namespace {

constexpr size_t kNameBytes = 200;
constexpr size_t kDescriptionBytes = 4000;
constexpr size_t kSqlBytes = 256 * 1024;
constexpr size_t kChartBytes = 64 * 1024;
constexpr size_t kFilterBytes = 4 * 1024;
constexpr size_t kMaxFilters = 50;
constexpr size_t kMaxTiles = 100;
constexpr int64_t kMaxGrid = 1000;
constexpr int64_t kMaxRefreshSeconds = 86400;
constexpr int64_t kMinRefreshSeconds = 5;
// Fields the cockpit reads back and may send again unchanged: the server sets them.
const std::set<std::string> kServerFields {"id", "owner", "created_at", "updated_at"};

using nlohmann::json;

const char *KindName(ItemKind kind) {
	return kind == ItemKind::SavedQuery ? "saved_query" : "dashboard";
}

const char *KindDisplay(ItemKind kind) {
	return kind == ItemKind::SavedQuery ? "saved query" : "dashboard";
}

Error Invalid(const std::string &message) {
	return Error(ErrorCode::InvalidInput, message);
}

void RequireKnown(const json &object, std::initializer_list<const char *> fields, const std::string &where) {
	for (auto &[key, value] : object.items()) {
		if (kServerFields.count(key) && where.empty()) {
			continue;
		}
		if (std::find_if(fields.begin(), fields.end(), [&key](const char *field) { return key == field; }) ==
		    fields.end()) {
			throw Invalid(fmt::format("unknown field \"{}{}\"", where, key));
		}
	}
}

std::string Text(const json &object, const char *field, bool required, size_t max_bytes, const std::string &where = "") {
	auto found = object.find(field);
	if (found == object.end() || found->is_null()) {
		if (required) {
			throw Invalid(fmt::format("\"{}{}\" is required (a string)", where, field));
		}
		return "";
	}
	if (!found->is_string()) {
		throw Invalid(fmt::format("\"{}{}\" must be a string", where, field));
	}
	auto text = found->get<std::string>();
	if (text.size() > max_bytes) {
		throw Invalid(fmt::format("\"{}{}\" is longer than {} bytes", where, field, max_bytes));
	}
	if (required && text.find_first_not_of(" \t\r\n") == std::string::npos) {
		throw Invalid(fmt::format("\"{}{}\" must not be empty", where, field));
	}
	return text;
}

int64_t Integer(const json &object, const char *field, std::optional<int64_t> fallback, int64_t min, int64_t max,
                const std::string &where = "") {
	auto found = object.find(field);
	if (found == object.end() || (found->is_null() && fallback)) {
		if (!fallback) {
			throw Invalid(fmt::format("\"{}{}\" is required (an integer)", where, field));
		}
		return *fallback;
	}
	if (!found->is_number_integer() || found->get<int64_t>() < min || found->get<int64_t>() > max) {
		throw Invalid(fmt::format("\"{}{}\" must be an integer from {} to {}", where, field, min, max));
	}
	return found->get<int64_t>();
}

bool Flag(const json &object, const char *field) {
	auto found = object.find(field);
	if (found == object.end() || found->is_null()) {
		return false;
	}
	if (!found->is_boolean()) {
		throw Invalid(fmt::format("\"{}\" must be true or false", field));
	}
	return found->get<bool>();
}

json Object(const json &object, const char *field, size_t max_bytes, const std::string &where = "") {
	auto found = object.find(field);
	if (found == object.end() || found->is_null()) {
		return json::object();
	}
	if (!found->is_object()) {
		throw Invalid(fmt::format("\"{}{}\" must be a JSON object", where, field));
	}
	if (found->dump().size() > max_bytes) {
		throw Invalid(fmt::format("\"{}{}\" is larger than {} bytes", where, field, max_bytes));
	}
	return *found;
}

const json &Array(const json &object, const char *field, size_t max_items) {
	static const json empty = json::array();
	auto found = object.find(field);
	if (found == object.end() || found->is_null()) {
		return empty;
	}
	if (!found->is_array()) {
		throw Invalid(fmt::format("\"{}\" must be an array", field));
	}
	if (found->size() > max_items) {
		throw Invalid(fmt::format("\"{}\" holds more than {} items", field, max_items));
	}
	return *found;
}

struct Fields {
	std::string name;
	bool shared = false;
	json document;
	std::set<std::string> saved_query_ids; // the tiles', checked against the store
};

Fields SavedQueryFields(const json &body) {
	RequireKnown(body, {"name", "sql", "description", "chart", "shared"}, "");
	Fields fields;
	fields.name = Text(body, "name", true, kNameBytes);
	fields.shared = Flag(body, "shared");
	fields.document = {{"sql", Text(body, "sql", true, kSqlBytes)},
	                   {"description", Text(body, "description", false, kDescriptionBytes)},
	                   {"chart", Object(body, "chart", kChartBytes)}};
	return fields;
}

Fields DashboardFields(const json &body) {
	RequireKnown(body, {"name", "description", "refresh_seconds", "filters", "tiles", "shared"}, "");
	Fields fields;
	fields.name = Text(body, "name", true, kNameBytes);
	fields.shared = Flag(body, "shared");
	auto refresh = Integer(body, "refresh_seconds", 0, 0, kMaxRefreshSeconds);
	if (refresh != 0 && refresh < kMinRefreshSeconds) {
		throw Invalid(fmt::format("\"refresh_seconds\" must be 0 (no refresh) or from {} to {}", kMinRefreshSeconds,
		                          kMaxRefreshSeconds));
	}
	auto filters = json::array();
	for (auto &filter : Array(body, "filters", kMaxFilters)) {
		if (!filter.is_object() || filter.dump().size() > kFilterBytes) {
			throw Invalid(fmt::format("each of \"filters\" must be a JSON object of at most {} bytes", kFilterBytes));
		}
		filters.push_back(filter);
	}
	auto tiles = json::array();
	auto &given = Array(body, "tiles", kMaxTiles);
	for (size_t i = 0; i < given.size(); i++) {
		auto where = fmt::format("tiles[{}].", i);
		if (!given[i].is_object()) {
			throw Invalid(fmt::format("\"tiles[{}]\" must be a JSON object", i));
		}
		RequireKnown(given[i], {"saved_query_id", "title", "chart", "x", "y", "w", "h"}, where);
		auto id = Text(given[i], "saved_query_id", true, kNameBytes, where);
		fields.saved_query_ids.insert(id);
		tiles.push_back({{"saved_query_id", id},
		                 {"title", Text(given[i], "title", false, kNameBytes, where)},
		                 {"chart", Object(given[i], "chart", kChartBytes, where)},
		                 {"x", Integer(given[i], "x", std::nullopt, 0, kMaxGrid, where)},
		                 {"y", Integer(given[i], "y", std::nullopt, 0, kMaxGrid, where)},
		                 {"w", Integer(given[i], "w", std::nullopt, 1, kMaxGrid, where)},
		                 {"h", Integer(given[i], "h", std::nullopt, 1, kMaxGrid, where)}});
	}
	fields.document = {{"description", Text(body, "description", false, kDescriptionBytes)},
	                   {"refresh_seconds", refresh},
	                   {"filters", filters},
	                   {"tiles", tiles}};
	return fields;
}

Fields ParseBody(ItemKind kind, const std::string &text) {
	auto body = json::parse(text, nullptr, false);
	if (body.is_discarded() || !body.is_object()) {
		throw Invalid("the request body must be a JSON object");
	}
	return kind == ItemKind::SavedQuery ? SavedQueryFields(body) : DashboardFields(body);
}

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

std::string Timestamp(int64_t ms) {
	std::chrono::sys_time<std::chrono::milliseconds> time {std::chrono::milliseconds(ms)};
	return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(time)),
	                   ms % 1000);
}

json ToJson(const metastore::CockpitItemRecord &item) {
	json out = {{"id", item.id}, {"name", item.name}};
	out.update(json::parse(item.document));
	out["owner"] = item.owner;
	out["shared"] = item.shared;
	out["created_at"] = Timestamp(item.created_at);
	out["updated_at"] = Timestamp(item.updated_at);
	return out;
}

bool Visible(const metastore::CockpitItemRecord &item, const Viewer &viewer) {
	return viewer.superuser || item.shared || item.owner == viewer.user;
}

Error Unknown(ItemKind kind, const std::string &id) {
	return Error(ErrorCode::NotFound, fmt::format("{} \"{}\" does not exist", KindDisplay(kind), id));
}

// The item the viewer may change, or the error saying why not.
metastore::CockpitItemRecord Changeable(metastore::Transaction &transaction, ItemKind kind, const std::string &id,
                                        const Viewer &viewer) {
	auto item = transaction.FindCockpitItem(KindName(kind), id);
	if (!item || !Visible(*item, viewer)) {
		throw Unknown(kind, id);
	}
	if (!viewer.superuser && item->owner != viewer.user) {
		throw Error(ErrorCode::PermissionDenied, fmt::format("{} \"{}\" belongs to \"{}\": only its owner or an "
		                                                     "admin may change it",
		                                                     KindDisplay(kind), id, item->owner));
	}
	return *item;
}

// A dashboard shows only saved queries its editor can see.
void RequireSavedQueries(metastore::Transaction &transaction, const Fields &fields, const Viewer &viewer) {
	for (auto &id : fields.saved_query_ids) {
		auto query = transaction.FindCockpitItem(KindName(ItemKind::SavedQuery), id);
		if (!query || !Visible(*query, viewer)) {
			throw Invalid(fmt::format("a tile names saved query \"{}\", which does not exist", id));
		}
	}
}

} // namespace

CockpitItems::CockpitItems(metastore::Metastore &metastore_p) : metastore(metastore_p) {
}

json CockpitItems::List(ItemKind kind, const Viewer &viewer) {
	std::vector<metastore::CockpitItemRecord> items;
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		items = transaction.ListCockpitItems(KindName(kind),
		                                     viewer.superuser ? std::nullopt : std::optional<std::string>(viewer.user));
	});
	auto out = json::array();
	for (auto &item : items) {
		out.push_back(ToJson(item));
	}
	return out;
}

json CockpitItems::Get(ItemKind kind, const std::string &id, const Viewer &viewer) {
	std::optional<metastore::CockpitItemRecord> item;
	metastore.RunInTransaction(
	    [&](metastore::Transaction &transaction) { item = transaction.FindCockpitItem(KindName(kind), id); });
	if (!item || !Visible(*item, viewer)) {
		throw Unknown(kind, id);
	}
	return ToJson(*item);
}

json CockpitItems::Create(ItemKind kind, const std::string &body, const Viewer &viewer) {
	auto fields = ParseBody(kind, body);
	metastore::CockpitItemRecord item;
	item.kind = KindName(kind);
	item.id = Hex(RandomBytes(8));
	item.owner = viewer.user;
	item.name = fields.name;
	item.shared = fields.shared;
	item.document = fields.document.dump();
	item.created_at = item.updated_at = NowMs();
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		RequireSavedQueries(transaction, fields, viewer);
		transaction.CreateCockpitItem(item);
	});
	return ToJson(item);
}

json CockpitItems::Update(ItemKind kind, const std::string &id, const std::string &body, const Viewer &viewer) {
	auto fields = ParseBody(kind, body);
	metastore::CockpitItemRecord item;
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		item = Changeable(transaction, kind, id, viewer);
		RequireSavedQueries(transaction, fields, viewer);
		item.name = fields.name;
		item.shared = fields.shared;
		item.document = fields.document.dump();
		item.updated_at = NowMs();
		transaction.UpdateCockpitItem(item);
	});
	return ToJson(item);
}

void CockpitItems::Delete(ItemKind kind, const std::string &id, const Viewer &viewer) {
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		Changeable(transaction, kind, id, viewer);
		transaction.DropCockpitItem(KindName(kind), id);
	});
}

} // namespace akko::cockpit_api
