#include "iceberg/view_metadata.hpp"

#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "iceberg/metadata_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace akko::iceberg {

using namespace metadata_json;

namespace {

[[noreturn]] void Invalid(std::string message) {
	throw Error(ErrorCode::InvalidInput, std::move(message));
}

ViewRepresentation ParseRepresentation(const Json &json) {
	RequireObject(json, "view representation");
	auto type = ToLower(GetString(json, "type", "view representation"));
	if (type != "sql") {
		Invalid(fmt::format("unsupported view representation type \"{}\"", type));
	}
	return {GetString(json, "sql", "view representation"), GetString(json, "dialect", "view representation")};
}

} // namespace

const ViewVersion *ViewMetadata::VersionById(int32_t id) const {
	for (auto &version : versions) {
		if (version.version_id == id) {
			return &version;
		}
	}
	return nullptr;
}

const Schema *ViewMetadata::SchemaById(int32_t id) const {
	for (auto &schema : schemas) {
		if (schema.schema_id == id) {
			return &schema;
		}
	}
	return nullptr;
}

const ViewVersion &ViewMetadata::CurrentVersion() const {
	auto version = VersionById(current_version_id);
	if (!version) {
		Invalid(fmt::format("cannot find current version {} in view versions", current_version_id));
	}
	return *version;
}

const Schema &ViewMetadata::CurrentSchema() const {
	auto schema_id = CurrentVersion().schema_id;
	auto schema = SchemaById(schema_id);
	if (!schema) {
		Invalid(fmt::format("cannot find current schema with id {} in view schemas", schema_id));
	}
	return *schema;
}

void ViewMetadata::Validate() const {
	if (format_version < 1 || format_version > kMaxViewFormatVersion) {
		Invalid(fmt::format("unsupported view format version {}", format_version));
	}
	if (view_uuid.empty()) {
		Invalid("a view uuid is required");
	}
	if (location.empty()) {
		Invalid("a view location is required");
	}
	CurrentSchema();
}

ViewVersion ParseViewVersion(const nlohmann::json &json) {
	RequireObject(json, "view version");
	ViewVersion version;
	version.version_id = GetInt(json, "version-id", "view version");
	auto what = fmt::format("view version {}", version.version_id);
	version.schema_id = GetInt(json, "schema-id", what);
	version.timestamp_ms = GetLong(json, "timestamp-ms", what);
	RequireMember(json, "summary", what);
	version.summary = GetStringMap(json, "summary", what);
	for (auto &item : RequireArray(json, "representations", what)) {
		version.representations.push_back(ParseRepresentation(item));
	}
	version.default_catalog = GetOptionalString(json, "default-catalog", what);
	version.default_namespace = GetStringList(json, "default-namespace", what);
	return version;
}

nlohmann::json ToJson(const ViewVersion &version) {
	nlohmann::json json = {{"version-id", version.version_id},
	                       {"timestamp-ms", version.timestamp_ms},
	                       {"schema-id", version.schema_id},
	                       {"summary", version.summary}};
	if (version.default_catalog) {
		json["default-catalog"] = *version.default_catalog;
	}
	json["default-namespace"] = version.default_namespace;
	json["representations"] = nlohmann::json::array();
	for (auto &representation : version.representations) {
		json["representations"].push_back(
		    {{"type", "sql"}, {"sql", representation.sql}, {"dialect", representation.dialect}});
	}
	return json;
}

ViewMetadata ParseViewMetadata(const nlohmann::json &json) {
	try {
		RequireObject(json, "view metadata");
		ViewMetadata metadata;
		metadata.view_uuid = GetString(json, "view-uuid", "view metadata");
		metadata.format_version = GetInt(json, "format-version", "view metadata");
		metadata.location = GetString(json, "location", "view metadata");
		metadata.properties = GetStringMap(json, "properties", "view metadata");
		for (auto &item : RequireArray(json, "schemas", "view metadata")) {
			metadata.schemas.push_back(ParseSchema(item));
		}
		metadata.current_version_id = GetInt(json, "current-version-id", "view metadata");
		for (auto &item : RequireArray(json, "versions", "view metadata")) {
			metadata.versions.push_back(ParseViewVersion(item));
		}
		for (auto &item : RequireArray(json, "version-log", "view metadata")) {
			RequireObject(item, "view version log entry");
			metadata.version_log.push_back({GetLong(item, "timestamp-ms", "view version log entry"),
			                                GetInt(item, "version-id", "view version log entry")});
		}
		metadata.Validate();
		return metadata;
	} catch (const nlohmann::json::exception &error) {
		Invalid(fmt::format("invalid view metadata: {}", error.what()));
	}
}

nlohmann::json ToJson(const ViewMetadata &metadata) {
	nlohmann::json json = {{"view-uuid", metadata.view_uuid},
	                       {"format-version", metadata.format_version},
	                       {"location", metadata.location}};
	if (!metadata.properties.empty()) {
		json["properties"] = metadata.properties;
	}
	json["schemas"] = nlohmann::json::array();
	for (auto &schema : metadata.schemas) {
		json["schemas"].push_back(ToJson(schema));
	}
	json["current-version-id"] = metadata.current_version_id;
	json["versions"] = nlohmann::json::array();
	for (auto &version : metadata.versions) {
		json["versions"].push_back(ToJson(version));
	}
	json["version-log"] = nlohmann::json::array();
	for (auto &entry : metadata.version_log) {
		json["version-log"].push_back({{"timestamp-ms", entry.timestamp_ms}, {"version-id", entry.version_id}});
	}
	return json;
}

} // namespace akko::iceberg
