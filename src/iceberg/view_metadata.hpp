#pragma once
// View metadata: the content of a view's metadata JSON file (the Iceberg view spec), read
// and written as Java does, so Spark and Trino views and ours are interchangeable.
#include "iceberg/schema.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace akko::iceberg {

// The spec's only representation type: a SQL SELECT in one dialect.
struct ViewRepresentation {
	std::string sql;
	std::string dialect;

	bool operator==(const ViewRepresentation &other) const = default;
};

struct ViewVersion {
	int32_t version_id = 0;
	int64_t timestamp_ms = 0;
	// -1 in an add-view-version update: the schema added last in the same commit.
	int32_t schema_id = 0;
	std::map<std::string, std::string> summary;
	std::vector<ViewRepresentation> representations;
	std::optional<std::string> default_catalog;
	std::vector<std::string> default_namespace;

	bool operator==(const ViewVersion &other) const = default;
};

// `version_id` became the current version at `timestamp_ms`.
struct ViewHistoryEntry {
	int64_t timestamp_ms = 0;
	int32_t version_id = 0;

	bool operator==(const ViewHistoryEntry &other) const = default;
};

constexpr int32_t kMaxViewFormatVersion = 1;

struct ViewMetadata {
	std::string view_uuid;
	int32_t format_version = 1;
	std::string location;
	std::vector<Schema> schemas;
	int32_t current_version_id = 0;
	std::vector<ViewVersion> versions;
	std::vector<ViewHistoryEntry> version_log;
	std::map<std::string, std::string> properties;

	const ViewVersion *VersionById(int32_t id) const;
	const Schema *SchemaById(int32_t id) const;
	// These throw akko::Error (invalid_input) when missing, which Validate rules out.
	const ViewVersion &CurrentVersion() const;
	const Schema &CurrentSchema() const;

	// Format version 1, a uuid and a location, and a current version whose schema exists.
	// Throws akko::Error (invalid_input).
	void Validate() const;
};

// Throws akko::Error (invalid_input) naming what is wrong.
ViewMetadata ParseViewMetadata(const nlohmann::json &json);
nlohmann::json ToJson(const ViewMetadata &metadata);
ViewVersion ParseViewVersion(const nlohmann::json &json);
nlohmann::json ToJson(const ViewVersion &version);

} // namespace akko::iceberg
