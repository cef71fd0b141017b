#pragma once
// Applies view updates one by one with the checks and bookkeeping of Java's
// ViewMetadata.Builder: equal schemas and versions keep their ids, -1 means the one added
// last, the version log records each change of the current version, and old versions expire.
#include "iceberg/view_metadata.hpp"
#include "iceberg/view_update.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace akko::iceberg {

class ViewMetadataBuilder {
public:
	ViewMetadataBuilder(const ViewMetadata &base, int64_t now_ms_p);
	// An empty view, for creating one: it needs a location and a version before Build.
	explicit ViewMetadataBuilder(int64_t now_ms_p);

	// Throws akko::Error (invalid_input); the builder is then unusable.
	void Apply(const ViewUpdate &update);
	// Adds `schema` and `version` and makes the version current, its schema-id pointing at the
	// schema (Java's setCurrentVersion).
	void SetCurrentVersion(const ViewVersion &version, const Schema &schema);
	ViewMetadata Build() const;

private:
	void AssignUuid(const std::string &uuid);
	void UpgradeFormatVersion(int32_t format_version);
	int32_t AddSchema(const Schema &schema);
	int32_t AddVersion(const ViewVersion &version);
	void SetCurrentVersionId(int32_t version_id);
	void SetLocation(const std::string &location);
	void SetProperties(const std::map<std::string, std::string> &updates);
	void RemoveProperties(const std::vector<std::string> &removals);

	bool IsAddedVersion(int32_t version_id) const;

	ViewMetadata metadata;
	int64_t now_ms;
	// The version current before this commit, whose SQL dialects the new one must keep.
	std::optional<ViewVersion> previous_version;
	std::vector<ViewUpdate> changes;
	std::optional<int32_t> last_added_schema_id;
	std::optional<int32_t> last_added_version_id;
	std::optional<ViewHistoryEntry> history_entry;
};

} // namespace akko::iceberg
