#pragma once
// Strict readers for Iceberg metadata JSON (table and view metadata, updates, requirements).
// Every field's presence, type and range is checked; anything wrong raises akko::Error
// (invalid_input) naming the object and the field, never a JSON library exception, so hostile
// input is refused the same way a typo is.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akko::iceberg::metadata_json {

using Json = nlohmann::json;

// `value` itself, or an error saying `what` must be an object.
const Json &RequireObject(const Json &value, std::string_view what);
// The member `key`, or nullptr when it is absent or null.
const Json *FindMember(const Json &object, std::string_view key);
// The member `key`; absent or null is an error.
const Json &RequireMember(const Json &object, std::string_view key, std::string_view what);
const Json &RequireArray(const Json &object, std::string_view key, std::string_view what);

int32_t AsInt(const Json &value, std::string_view key, std::string_view what);
int64_t AsLong(const Json &value, std::string_view key, std::string_view what);
std::string AsString(const Json &value, std::string_view key, std::string_view what);

int32_t GetInt(const Json &object, std::string_view key, std::string_view what);
int64_t GetLong(const Json &object, std::string_view key, std::string_view what);
bool GetBool(const Json &object, std::string_view key, std::string_view what);
std::string GetString(const Json &object, std::string_view key, std::string_view what);
std::optional<int32_t> GetOptionalInt(const Json &object, std::string_view key, std::string_view what);
std::optional<int64_t> GetOptionalLong(const Json &object, std::string_view key, std::string_view what);
std::optional<std::string> GetOptionalString(const Json &object, std::string_view key, std::string_view what);
// A string-to-string object; absent is empty.
std::map<std::string, std::string> GetStringMap(const Json &object, std::string_view key, std::string_view what);
std::vector<int32_t> GetIntList(const Json &object, std::string_view key, std::string_view what);
std::vector<int64_t> GetLongList(const Json &object, std::string_view key, std::string_view what);
std::vector<std::string> GetStringList(const Json &object, std::string_view key, std::string_view what);

// The discriminator of an update or requirement ("action", "type"): a required string.
std::string GetTag(const Json &object, std::string_view key, std::string_view what);

} // namespace akko::iceberg::metadata_json
