#include "iceberg/snapshot.hpp"

#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "iceberg/metadata_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace akko::iceberg {

using namespace metadata_json;

namespace {

SnapshotRefType ParseSnapshotRefType(const std::string &text) {
	auto lower = ToLower(text);
	if (lower == "branch") {
		return SnapshotRefType::Branch;
	}
	if (lower == "tag") {
		return SnapshotRefType::Tag;
	}
	throw Error(ErrorCode::InvalidInput, fmt::format("invalid snapshot reference type \"{}\"", text));
}

} // namespace

Snapshot ParseSnapshot(const nlohmann::json &json) {
	RequireObject(json, "snapshot");
	Snapshot snapshot;
	snapshot.snapshot_id = GetLong(json, "snapshot-id", "snapshot");
	auto what = fmt::format("snapshot {}", snapshot.snapshot_id);
	snapshot.parent_snapshot_id = GetOptionalLong(json, "parent-snapshot-id", what);
	snapshot.sequence_number = GetOptionalLong(json, "sequence-number", what).value_or(0);
	snapshot.timestamp_ms = GetLong(json, "timestamp-ms", what);
	if (auto summary = FindMember(json, "summary")) {
		if (!summary->is_object()) {
			throw Error(ErrorCode::InvalidInput, fmt::format("{}: \"summary\" must be an object", what));
		}
		snapshot.summary = GetStringMap(json, "summary", what);
		if (!snapshot.summary.empty() && !snapshot.summary.count("operation")) {
			snapshot.summary["operation"] = "overwrite";
		}
	}
	if (FindMember(json, "manifest-list")) {
		snapshot.manifest_list = GetString(json, "manifest-list", what);
	} else {
		snapshot.manifests = GetStringList(json, "manifests", what);
	}
	snapshot.schema_id = GetOptionalInt(json, "schema-id", what);
	snapshot.first_row_id = GetOptionalLong(json, "first-row-id", what);
	snapshot.added_rows = GetOptionalLong(json, "added-rows", what);
	snapshot.key_id = GetOptionalString(json, "key-id", what);
	return snapshot;
}

nlohmann::json ToJson(const Snapshot &snapshot) {
	auto json = nlohmann::json::object();
	// Java leaves the sequence number out when it is 0, which v1 readers expect.
	if (snapshot.sequence_number > 0) {
		json["sequence-number"] = snapshot.sequence_number;
	}
	json["snapshot-id"] = snapshot.snapshot_id;
	if (snapshot.parent_snapshot_id) {
		json["parent-snapshot-id"] = *snapshot.parent_snapshot_id;
	}
	json["timestamp-ms"] = snapshot.timestamp_ms;
	if (!snapshot.summary.empty()) {
		json["summary"] = snapshot.summary;
	}
	if (!snapshot.manifest_list.empty() || snapshot.manifests.empty()) {
		json["manifest-list"] = snapshot.manifest_list;
	} else {
		json["manifests"] = snapshot.manifests;
	}
	if (snapshot.schema_id) {
		json["schema-id"] = *snapshot.schema_id;
	}
	if (snapshot.first_row_id) {
		json["first-row-id"] = *snapshot.first_row_id;
	}
	if (snapshot.added_rows) {
		json["added-rows"] = *snapshot.added_rows;
	}
	if (snapshot.key_id) {
		json["key-id"] = *snapshot.key_id;
	}
	return json;
}

const char *ToString(SnapshotRefType type) {
	return type == SnapshotRefType::Branch ? "branch" : "tag";
}

void ValidateSnapshotRef(const SnapshotRef &ref) {
	auto fail = [](const char *why) {
		throw Error(ErrorCode::InvalidInput, why);
	};
	bool tag = ref.type == SnapshotRefType::Tag;
	if (ref.min_snapshots_to_keep) {
		if (tag) {
			fail("tags do not support setting min-snapshots-to-keep");
		}
		if (*ref.min_snapshots_to_keep <= 0) {
			fail("min-snapshots-to-keep must be greater than 0");
		}
	}
	if (ref.max_snapshot_age_ms) {
		if (tag) {
			fail("tags do not support setting max-snapshot-age-ms");
		}
		if (*ref.max_snapshot_age_ms <= 0) {
			fail("max-snapshot-age-ms must be greater than 0");
		}
	}
	if (ref.max_ref_age_ms && *ref.max_ref_age_ms <= 0) {
		fail("max-ref-age-ms must be greater than 0");
	}
}

SnapshotRef ParseSnapshotRef(const nlohmann::json &json) {
	RequireObject(json, "snapshot reference");
	SnapshotRef ref;
	ref.snapshot_id = GetLong(json, "snapshot-id", "snapshot reference");
	ref.type = ParseSnapshotRefType(GetString(json, "type", "snapshot reference"));
	ref.min_snapshots_to_keep = GetOptionalInt(json, "min-snapshots-to-keep", "snapshot reference");
	ref.max_snapshot_age_ms = GetOptionalLong(json, "max-snapshot-age-ms", "snapshot reference");
	ref.max_ref_age_ms = GetOptionalLong(json, "max-ref-age-ms", "snapshot reference");
	ValidateSnapshotRef(ref);
	return ref;
}

nlohmann::json ToJson(const SnapshotRef &ref) {
	nlohmann::json json = {{"snapshot-id", ref.snapshot_id}, {"type", ToString(ref.type)}};
	if (ref.min_snapshots_to_keep) {
		json["min-snapshots-to-keep"] = *ref.min_snapshots_to_keep;
	}
	if (ref.max_snapshot_age_ms) {
		json["max-snapshot-age-ms"] = *ref.max_snapshot_age_ms;
	}
	if (ref.max_ref_age_ms) {
		json["max-ref-age-ms"] = *ref.max_ref_age_ms;
	}
	return json;
}

} // namespace akko::iceberg
