#include "iceberg/view_metadata_builder.hpp"

#include "common/error.hpp"
#include "common/overloaded.hpp"
#include "common/random.hpp"
#include "common/sql_lexer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace akko::iceberg {

namespace {

constexpr int64_t kDefaultVersionHistorySize = 10;

[[noreturn]] void Invalid(std::string message) {
	throw Error(ErrorCode::InvalidInput, std::move(message));
}

std::set<std::string> Dialects(const ViewVersion &version) {
	std::set<std::string> dialects;
	for (auto &representation : version.representations) {
		dialects.insert(ToLower(representation.dialect));
	}
	return dialects;
}

// Java's sameViewVersion: what the version means, whatever its id and timestamp.
bool SameVersion(const ViewVersion &one, const ViewVersion &two) {
	return one.summary == two.summary && one.representations == two.representations &&
	       one.default_catalog == two.default_catalog && one.default_namespace == two.default_namespace &&
	       one.schema_id == two.schema_id;
}

int64_t VersionHistorySize(const std::map<std::string, std::string> &properties) {
	auto found = properties.find("version.history.num-entries");
	if (found == properties.end()) {
		return kDefaultVersionHistorySize;
	}
	auto &text = found->second;
	int64_t size = 0;
	auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), size);
	if (error != std::errc() || end != text.data() + text.size() || size <= 0) {
		Invalid(fmt::format("version.history.num-entries must be positive but was {}", text));
	}
	return size;
}

} // namespace

ViewMetadataBuilder::ViewMetadataBuilder(const ViewMetadata &base, int64_t now_ms_p)
    : metadata(base), now_ms(now_ms_p), previous_version(base.CurrentVersion()) {
}

ViewMetadataBuilder::ViewMetadataBuilder(int64_t now_ms_p) : now_ms(now_ms_p) {
	metadata.view_uuid = NewUuid();
}

void ViewMetadataBuilder::Apply(const ViewUpdate &update) {
	std::visit(Overloaded {
	               [&](const AssignUuidUpdate &u) { AssignUuid(u.uuid); },
	               [&](const UpgradeFormatVersionUpdate &u) { UpgradeFormatVersion(u.format_version); },
	               [&](const AddSchemaUpdate &u) { AddSchema(u.schema); },
	               [&](const SetLocationUpdate &u) { SetLocation(u.location); },
	               [&](const SetPropertiesUpdate &u) { SetProperties(u.updates); },
	               [&](const RemovePropertiesUpdate &u) { RemoveProperties(u.removals); },
	               [&](const AddViewVersionUpdate &u) { AddVersion(u.view_version); },
	               [&](const SetCurrentViewVersionUpdate &u) { SetCurrentVersionId(u.view_version_id); },
	           },
	           update);
}

void ViewMetadataBuilder::SetCurrentVersion(const ViewVersion &version, const Schema &schema) {
	auto with_schema = version;
	with_schema.schema_id = AddSchema(schema);
	SetCurrentVersionId(AddVersion(with_schema));
}

void ViewMetadataBuilder::AssignUuid(const std::string &uuid) {
	if (uuid.empty()) {
		Invalid("cannot set the view uuid to an empty string");
	}
	if (uuid == metadata.view_uuid) {
		return;
	}
	// A new view's uuid is only a placeholder until a client assigns one.
	if (previous_version) {
		Invalid("cannot reassign the uuid of a view");
	}
	metadata.view_uuid = uuid;
	changes.push_back(AssignUuidUpdate {uuid});
}

void ViewMetadataBuilder::UpgradeFormatVersion(int32_t format_version) {
	if (format_version < metadata.format_version) {
		Invalid(fmt::format("cannot downgrade v{} view to v{}", metadata.format_version, format_version));
	}
	if (format_version > kMaxViewFormatVersion) {
		Invalid(fmt::format("unsupported view format version: {}", format_version));
	}
	if (format_version != metadata.format_version) {
		metadata.format_version = format_version;
		changes.push_back(UpgradeFormatVersionUpdate {format_version});
	}
}

int32_t ViewMetadataBuilder::AddSchema(const Schema &schema) {
	schema.Validate();
	int32_t schema_id = 0;
	for (auto &existing : metadata.schemas) {
		if (existing.SameSchema(schema)) {
			return existing.schema_id;
		}
		if (existing.schema_id >= schema_id) {
			schema_id = existing.schema_id + 1;
		}
	}
	auto added = schema;
	added.schema_id = schema_id;
	metadata.schemas.push_back(added);
	changes.push_back(AddSchemaUpdate {std::move(added), std::nullopt});
	last_added_schema_id = schema_id;
	return schema_id;
}

int32_t ViewMetadataBuilder::AddVersion(const ViewVersion &version) {
	auto version_id = version.version_id;
	for (auto &existing : metadata.versions) {
		if (SameVersion(existing, version)) {
			version_id = existing.version_id;
			break;
		}
		if (existing.version_id >= version_id) {
			version_id = existing.version_id + 1;
		}
	}
	if (metadata.VersionById(version_id)) {
		last_added_version_id = IsAddedVersion(version_id) ? std::optional<int32_t>(version_id) : std::nullopt;
		return version_id;
	}
	auto added = version;
	added.version_id = version_id;
	if (added.schema_id == kLastAdded) {
		if (!last_added_schema_id) {
			Invalid("cannot set last added schema: no schema has been added");
		}
		added.schema_id = *last_added_schema_id;
	}
	if (!metadata.SchemaById(added.schema_id)) {
		Invalid(fmt::format("cannot add version with unknown schema: {}", added.schema_id));
	}
	std::set<std::string> dialects;
	for (auto &representation : added.representations) {
		if (!dialects.insert(ToLower(representation.dialect)).second) {
			Invalid(fmt::format("invalid view version: cannot add multiple queries for dialect {}",
			                    ToLower(representation.dialect)));
		}
	}
	metadata.versions.push_back(added);
	if (last_added_schema_id == added.schema_id) {
		added.schema_id = kLastAdded;
	}
	changes.push_back(AddViewVersionUpdate {std::move(added)});
	last_added_version_id = version_id;
	return version_id;
}

void ViewMetadataBuilder::SetCurrentVersionId(int32_t version_id) {
	if (version_id == kLastAdded) {
		if (!last_added_version_id) {
			Invalid("cannot set last version id: no current version id has been set");
		}
		version_id = *last_added_version_id;
	}
	if (version_id == metadata.current_version_id && previous_version) {
		return;
	}
	auto version = metadata.VersionById(version_id);
	if (!version) {
		Invalid(fmt::format("cannot set current version to unknown version: {}", version_id));
	}
	metadata.current_version_id = version_id;
	changes.push_back(SetCurrentViewVersionUpdate {last_added_version_id == version_id ? kLastAdded : version_id});
	// A version added in this commit became current when it was written; an older one now.
	history_entry = ViewHistoryEntry {IsAddedVersion(version_id) ? version->timestamp_ms : now_ms, version_id};
}

void ViewMetadataBuilder::SetLocation(const std::string &location) {
	if (location.empty()) {
		Invalid("invalid view location: empty");
	}
	if (location != metadata.location) {
		metadata.location = location;
		changes.push_back(SetLocationUpdate {location});
	}
}

void ViewMetadataBuilder::SetProperties(const std::map<std::string, std::string> &updates) {
	if (updates.empty()) {
		return;
	}
	for (auto &[key, value] : updates) {
		metadata.properties[key] = value;
	}
	changes.push_back(SetPropertiesUpdate {updates});
}

void ViewMetadataBuilder::RemoveProperties(const std::vector<std::string> &removals) {
	if (removals.empty()) {
		return;
	}
	for (auto &key : removals) {
		metadata.properties.erase(key);
	}
	changes.push_back(RemovePropertiesUpdate {removals});
}

bool ViewMetadataBuilder::IsAddedVersion(int32_t version_id) const {
	return std::any_of(changes.begin(), changes.end(), [&](const ViewUpdate &change) {
		auto added = std::get_if<AddViewVersionUpdate>(&change);
		return added && added->view_version.version_id == version_id;
	});
}

ViewMetadata ViewMetadataBuilder::Build() const {
	if (metadata.location.empty()) {
		Invalid("invalid view location: none was set");
	}
	if (metadata.versions.empty()) {
		Invalid("invalid view: no versions were added");
	}
	auto built = metadata;
	if (history_entry) {
		built.version_log.push_back(*history_entry);
	}
	auto &current = built.CurrentVersion();
	auto drop_allowed = built.properties.find("replace.drop-dialect.allowed");
	if (previous_version && (drop_allowed == built.properties.end() || ToLower(drop_allowed->second) != "true")) {
		auto before = Dialects(*previous_version);
		auto after = Dialects(current);
		if (!std::includes(after.begin(), after.end(), before.begin(), before.end())) {
			Invalid(fmt::format("cannot replace view due to loss of view dialects "
			                    "(replace.drop-dialect.allowed=false): previous dialects {}, new dialects {}",
			                    fmt::join(before, ", "), fmt::join(after, ", ")));
		}
	}
	// Keep the newest versions (ids grow), at least those added now and the current one.
	std::set<int32_t> must_keep = {built.current_version_id};
	for (auto &change : changes) {
		if (auto added = std::get_if<AddViewVersionUpdate>(&change)) {
			must_keep.insert(added->view_version.version_id);
		}
	}
	auto keep = std::max<int64_t>(static_cast<int64_t>(must_keep.size()), VersionHistorySize(built.properties));
	if (static_cast<int64_t>(built.versions.size()) > keep) {
		std::vector<int32_t> ids;
		for (auto &version : built.versions) {
			ids.push_back(version.version_id);
		}
		std::sort(ids.rbegin(), ids.rend());
		std::vector<ViewVersion> retained = {current};
		for (auto id : ids) {
			if (static_cast<int64_t>(retained.size()) == keep) {
				break;
			}
			if (id != built.current_version_id) {
				retained.push_back(*built.VersionById(id));
			}
		}
		built.versions = std::move(retained);
		std::vector<ViewHistoryEntry> history;
		for (auto &entry : built.version_log) {
			if (built.VersionById(entry.version_id)) {
				history.push_back(entry);
			} else {
				// History before a version that is gone would claim the one before it stayed current.
				history.clear();
			}
		}
		built.version_log = std::move(history);
	}
	built.Validate();
	return built;
}

} // namespace akko::iceberg
