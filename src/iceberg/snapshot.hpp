#pragma once
// Snapshots, snapshot references (branches and tags) and the snapshot log (table spec
// "Snapshots", "Snapshot References", Appendix C).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace akko::iceberg {

struct Snapshot {
	int64_t snapshot_id = 0;
	std::optional<int64_t> parent_snapshot_id;
	// 0 in v1 tables.
	int64_t sequence_number = 0;
	int64_t timestamp_ms = 0;
	std::string manifest_list;
	// v1 only: manifest locations listed inline, when there is no manifest list.
	std::vector<std::string> manifests;
	// "operation" ("append", "replace", "overwrite", "delete") and the optional summary fields.
	std::map<std::string, std::string> summary;
	std::optional<int32_t> schema_id;
	// v3 row lineage: the first row id this snapshot assigns and how many it may assign.
	std::optional<int64_t> first_row_id;
	std::optional<int64_t> added_rows;
	std::optional<std::string> key_id;

	bool operator==(const Snapshot &other) const = default;
};

enum class SnapshotRefType : uint8_t { Branch, Tag };

struct SnapshotRef {
	int64_t snapshot_id = 0;
	SnapshotRefType type = SnapshotRefType::Branch;
	std::optional<int32_t> min_snapshots_to_keep;
	std::optional<int64_t> max_snapshot_age_ms;
	std::optional<int64_t> max_ref_age_ms;

	bool operator==(const SnapshotRef &other) const = default;
};

// An entry of the table's history: `snapshot_id` became current at `timestamp_ms`.
struct SnapshotLogEntry {
	int64_t timestamp_ms = 0;
	int64_t snapshot_id = 0;

	bool operator==(const SnapshotLogEntry &other) const = default;
};

constexpr const char *kMainBranch = "main";

// As Java reads them: a summary without "operation" gets "overwrite"; a missing sequence
// number is 0.
Snapshot ParseSnapshot(const nlohmann::json &json);
nlohmann::json ToJson(const Snapshot &snapshot);
// Branch-only retention fields on a tag, and non-positive ones, are refused.
SnapshotRef ParseSnapshotRef(const nlohmann::json &json);
nlohmann::json ToJson(const SnapshotRef &ref);
const char *ToString(SnapshotRefType type);
// Checks what Java's SnapshotRef constructor checks. Throws akko::Error (invalid_input).
void ValidateSnapshotRef(const SnapshotRef &ref);

} // namespace akko::iceberg
