#include "iceberg/metadata_json.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <limits>

namespace akko::iceberg::metadata_json {

namespace {

[[noreturn]] void Fail(std::string_view what, std::string_view key, std::string_view expected) {
	throw Error(ErrorCode::InvalidInput, fmt::format("{}: \"{}\" must be {}", what, key, expected));
}

int64_t IntegerIn(const Json &value, std::string_view key, std::string_view what, int64_t low, int64_t high,
                  std::string_view expected) {
	if (value.is_number_unsigned()) {
		auto number = value.get<uint64_t>();
		if (number > static_cast<uint64_t>(high)) {
			Fail(what, key, expected);
		}
		return static_cast<int64_t>(number);
	}
	if (!value.is_number_integer()) {
		Fail(what, key, expected);
	}
	auto number = value.get<int64_t>();
	if (number < low || number > high) {
		Fail(what, key, expected);
	}
	return number;
}

} // namespace

const Json &RequireObject(const Json &value, std::string_view what) {
	if (!value.is_object()) {
		throw Error(ErrorCode::InvalidInput, fmt::format("{} must be a JSON object", what));
	}
	return value;
}

const Json *FindMember(const Json &object, std::string_view key) {
	auto found = object.find(key);
	if (found == object.end() || found->is_null()) {
		return nullptr;
	}
	return &*found;
}

const Json &RequireMember(const Json &object, std::string_view key, std::string_view what) {
	auto member = FindMember(object, key);
	if (!member) {
		throw Error(ErrorCode::InvalidInput, fmt::format("{}: \"{}\" is missing", what, key));
	}
	return *member;
}

const Json &RequireArray(const Json &object, std::string_view key, std::string_view what) {
	auto &member = RequireMember(object, key, what);
	if (!member.is_array()) {
		Fail(what, key, "an array");
	}
	return member;
}

int32_t AsInt(const Json &value, std::string_view key, std::string_view what) {
	return static_cast<int32_t>(IntegerIn(value, key, what, std::numeric_limits<int32_t>::min(),
	                                      std::numeric_limits<int32_t>::max(), "a 32-bit integer"));
}

int64_t AsLong(const Json &value, std::string_view key, std::string_view what) {
	return IntegerIn(value, key, what, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
	                 "a 64-bit integer");
}

std::string AsString(const Json &value, std::string_view key, std::string_view what) {
	if (!value.is_string()) {
		Fail(what, key, "a string");
	}
	return value.get<std::string>();
}

int32_t GetInt(const Json &object, std::string_view key, std::string_view what) {
	return AsInt(RequireMember(object, key, what), key, what);
}

int64_t GetLong(const Json &object, std::string_view key, std::string_view what) {
	return AsLong(RequireMember(object, key, what), key, what);
}

bool GetBool(const Json &object, std::string_view key, std::string_view what) {
	auto &member = RequireMember(object, key, what);
	if (!member.is_boolean()) {
		Fail(what, key, "true or false");
	}
	return member.get<bool>();
}

std::string GetString(const Json &object, std::string_view key, std::string_view what) {
	return AsString(RequireMember(object, key, what), key, what);
}

std::optional<int32_t> GetOptionalInt(const Json &object, std::string_view key, std::string_view what) {
	auto member = FindMember(object, key);
	if (!member) {
		return std::nullopt;
	}
	return AsInt(*member, key, what);
}

std::optional<int64_t> GetOptionalLong(const Json &object, std::string_view key, std::string_view what) {
	auto member = FindMember(object, key);
	if (!member) {
		return std::nullopt;
	}
	return AsLong(*member, key, what);
}

std::optional<std::string> GetOptionalString(const Json &object, std::string_view key, std::string_view what) {
	auto member = FindMember(object, key);
	if (!member) {
		return std::nullopt;
	}
	return AsString(*member, key, what);
}

std::map<std::string, std::string> GetStringMap(const Json &object, std::string_view key, std::string_view what) {
	std::map<std::string, std::string> result;
	auto member = FindMember(object, key);
	if (!member) {
		return result;
	}
	if (!member->is_object()) {
		Fail(what, key, "an object of strings");
	}
	for (auto &[name, value] : member->items()) {
		if (!value.is_string()) {
			Fail(what, fmt::format("{}.{}", key, name), "a string");
		}
		result.emplace(name, value.get<std::string>());
	}
	return result;
}

std::vector<int32_t> GetIntList(const Json &object, std::string_view key, std::string_view what) {
	std::vector<int32_t> result;
	for (auto &item : RequireArray(object, key, what)) {
		result.push_back(AsInt(item, key, what));
	}
	return result;
}

std::vector<int64_t> GetLongList(const Json &object, std::string_view key, std::string_view what) {
	std::vector<int64_t> result;
	for (auto &item : RequireArray(object, key, what)) {
		result.push_back(AsLong(item, key, what));
	}
	return result;
}

std::vector<std::string> GetStringList(const Json &object, std::string_view key, std::string_view what) {
	std::vector<std::string> result;
	for (auto &item : RequireArray(object, key, what)) {
		result.push_back(AsString(item, key, what));
	}
	return result;
}

std::string GetTag(const Json &object, std::string_view key, std::string_view what) {
	RequireObject(object, what);
	return GetString(object, key, what);
}

} // namespace akko::iceberg::metadata_json
