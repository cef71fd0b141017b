#include "iceberg/partition_spec.hpp"

#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "iceberg/metadata_json.hpp"
#include "iceberg/partition_transform.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace akko::iceberg {

using namespace metadata_json;

namespace {

bool IsOneOf(TypeId id, std::initializer_list<TypeId> ids) {
	return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string FieldText(const PartitionField &field) {
	return fmt::format("{}: {}({}) {}", field.field_id, field.transform, field.source_id, field.name);
}

PartitionField ParseField(const nlohmann::json &json) {
	RequireObject(json, "partition field");
	PartitionField field;
	field.name = GetString(json, "name", "partition field");
	auto what = fmt::format("partition field \"{}\"", field.name);
	field.transform = GetString(json, "transform", what);
	field.source_id = GetInt(json, "source-id", what);
	return field;
}

} // namespace

int32_t PartitionSpec::LastAssignedFieldId() const {
	int32_t last = kPartitionDataIdStart - 1;
	for (auto &field : fields) {
		last = std::max(last, field.field_id);
	}
	return last;
}

bool PartitionSpec::CompatibleWith(const PartitionSpec &other) const {
	if (fields.size() != other.fields.size()) {
		return false;
	}
	for (size_t i = 0; i < fields.size(); i++) {
		auto &mine = fields[i];
		auto &theirs = other.fields[i];
		if (mine.source_id != theirs.source_id || ToLower(mine.transform) != ToLower(theirs.transform) ||
		    mine.name != theirs.name) {
			return false;
		}
	}
	return true;
}

void PartitionSpec::CheckCompatibility(const Schema &schema) const {
	for (auto &field : fields) {
		// A v1 table drops a partition field by making it void, and may then drop its column.
		if (ParseTransform(field.transform).kind == TransformKind::Void) {
			continue;
		}
		auto path = schema.FieldPath(field.source_id);
		if (path.empty()) {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("cannot find source column for partition field: {}", FieldText(field)));
		}
		auto &source = *path.back()->type;
		if (!source.IsPrimitive()) {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("cannot partition by non-primitive source field: {}", source.ToString()));
		}
		if (!CanTransform(field.transform, source)) {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("invalid source type {} for transform: {}", source.ToString(), field.transform));
		}
		for (size_t i = 0; i + 1 < path.size(); i++) {
			if (path[i]->type->id != TypeId::Struct) {
				throw Error(ErrorCode::InvalidInput,
				            fmt::format("invalid partition field parent: {}", path[i]->type->ToString()));
			}
		}
	}
}

void PartitionSpec::Validate(const Schema &schema) const {
	std::set<std::string> names;
	for (auto &field : fields) {
		if (field.name.empty()) {
			throw Error(ErrorCode::InvalidInput, "cannot use empty partition name");
		}
		if (!names.insert(field.name).second) {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("cannot use partition name more than once: {}", field.name));
		}
		auto column = schema.FindFieldByName(field.name);
		if (column && column->id != field.source_id && schema.FindField(field.source_id)) {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("cannot create partition sourced from a different field than the column named {}",
			                        field.name));
		}
	}
	CheckCompatibility(schema);
}

PartitionSpec ParsePartitionSpec(const nlohmann::json &json) {
	RequireObject(json, "partition spec");
	PartitionSpec spec;
	spec.spec_id = GetOptionalInt(json, "spec-id", "partition spec").value_or(0);
	spec.fields = ParsePartitionFields(RequireMember(json, "fields", "partition spec"));
	return spec;
}

std::vector<PartitionField> ParsePartitionFields(const nlohmann::json &json) {
	if (!json.is_array()) {
		throw Error(ErrorCode::InvalidInput, "partition spec fields must be an array");
	}
	std::vector<PartitionField> fields;
	size_t with_ids = 0;
	for (auto &item : json) {
		auto field = ParseField(item);
		if (auto id = GetOptionalInt(item, "field-id", "partition field")) {
			field.field_id = *id;
			with_ids++;
		}
		fields.push_back(std::move(field));
	}
	if (with_ids != 0 && with_ids != fields.size()) {
		throw Error(ErrorCode::InvalidInput,
		            fmt::format("cannot parse spec with missing field IDs: {} missing of {} fields",
		                        fields.size() - with_ids, fields.size()));
	}
	if (with_ids == 0) {
		for (size_t i = 0; i < fields.size(); i++) {
			fields[i].field_id = kPartitionDataIdStart + static_cast<int32_t>(i);
		}
	}
	return fields;
}

nlohmann::json ToJson(const PartitionSpec &spec) {
	auto fields = nlohmann::json::array();
	for (auto &field : spec.fields) {
		fields.push_back({{"name", field.name},
		                  {"transform", field.transform},
		                  {"source-id", field.source_id},
		                  {"field-id", field.field_id}});
	}
	return {{"spec-id", spec.spec_id}, {"fields", std::move(fields)}};
}

bool CanTransform(std::string_view transform, const Type &source) {
	using enum TypeId;
	auto id = source.id;
	const std::initializer_list<TypeId> timestamps = {Timestamp, TimestampTz, TimestampNs, TimestampTzNs};
	switch (ParseTransform(transform).kind) {
	case TransformKind::Identity:
		return source.IsPrimitive() && id != Geometry && id != Geography;
	case TransformKind::Year:
	case TransformKind::Month:
	case TransformKind::Day:
		return id == Date || IsOneOf(id, timestamps);
	case TransformKind::Hour:
		return IsOneOf(id, timestamps);
	case TransformKind::Bucket:
		return IsOneOf(id, timestamps) || IsOneOf(id, {Int, Long, Decimal, Date, Time, String, Uuid, Fixed, Binary});
	case TransformKind::Truncate:
		return IsOneOf(id, {Int, Long, Decimal, String, Binary});
	default:
		return true;
	}
}

} // namespace akko::iceberg
