#include "iceberg/table_requirement.hpp"

#include "common/error.hpp"
#include "common/overloaded.hpp"
#include "common/sql_lexer.hpp"
#include "iceberg/metadata_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace akko::iceberg {

using namespace metadata_json;

namespace {

// In the order of TableRequirement's alternatives.
constexpr const char *kTypeNames[] = {
    "assert-create",
    "assert-table-uuid",
    "assert-ref-snapshot-id",
    "assert-last-assigned-field-id",
    "assert-current-schema-id",
    "assert-last-assigned-partition-id",
    "assert-default-spec-id",
    "assert-default-sort-order-id",
};
static_assert(std::size(kTypeNames) == std::variant_size_v<TableRequirement>, "one name per requirement");

[[noreturn]] void Failed(std::string message) {
	throw Error(ErrorCode::SerializationFailure, fmt::format("requirement failed: {}", message));
}

const TableMetadata &Existing(const TableMetadata *current, const TableRequirement &requirement) {
	if (!current) {
		Failed(fmt::format("{}: the table does not exist", TypeName(requirement)));
	}
	return *current;
}

} // namespace

TableRequirement ParseTableRequirement(const nlohmann::json &json) {
	try {
		auto type = ToLower(GetTag(json, "type", "table requirement"));
		auto what = fmt::format("table requirement \"{}\"", type);
		if (type == "assert-create") {
			return AssertCreate {};
		}
		if (type == "assert-table-uuid") {
			return AssertTableUuid {GetString(json, "uuid", what)};
		}
		if (type == "assert-ref-snapshot-id") {
			return AssertRefSnapshotId {GetString(json, "ref", what), GetOptionalLong(json, "snapshot-id", what)};
		}
		if (type == "assert-last-assigned-field-id") {
			return AssertLastAssignedFieldId {GetInt(json, "last-assigned-field-id", what)};
		}
		if (type == "assert-current-schema-id") {
			return AssertCurrentSchemaId {GetInt(json, "current-schema-id", what)};
		}
		if (type == "assert-last-assigned-partition-id") {
			return AssertLastAssignedPartitionId {GetInt(json, "last-assigned-partition-id", what)};
		}
		if (type == "assert-default-spec-id") {
			return AssertDefaultSpecId {GetInt(json, "default-spec-id", what)};
		}
		if (type == "assert-default-sort-order-id") {
			return AssertDefaultSortOrderId {GetInt(json, "default-sort-order-id", what)};
		}
		if (type == "assert-view-uuid") {
			throw Error(ErrorCode::InvalidInput, "requirement \"assert-view-uuid\" applies to views, not tables");
		}
		throw Error(ErrorCode::InvalidInput, fmt::format("unknown table requirement type \"{}\"", type));
	} catch (const nlohmann::json::exception &error) {
		throw Error(ErrorCode::InvalidInput, fmt::format("invalid table requirement: {}", error.what()));
	}
}

const char *TypeName(const TableRequirement &requirement) {
	return kTypeNames[requirement.index()];
}

nlohmann::json ToJson(const TableRequirement &requirement) {
	nlohmann::json json = {{"type", TypeName(requirement)}};
	std::visit(
	    Overloaded {
	        [&](const AssertCreate &) {},
	        [&](const AssertTableUuid &r) { json["uuid"] = r.uuid; },
	        [&](const AssertRefSnapshotId &r) {
		        json["ref"] = r.ref;
		        json["snapshot-id"] = r.snapshot_id ? nlohmann::json(*r.snapshot_id) : nlohmann::json();
	        },
	        [&](const AssertLastAssignedFieldId &r) { json["last-assigned-field-id"] = r.last_assigned_field_id; },
	        [&](const AssertCurrentSchemaId &r) { json["current-schema-id"] = r.current_schema_id; },
	        [&](const AssertLastAssignedPartitionId &r) {
		        json["last-assigned-partition-id"] = r.last_assigned_partition_id;
	        },
	        [&](const AssertDefaultSpecId &r) { json["default-spec-id"] = r.default_spec_id; },
	        [&](const AssertDefaultSortOrderId &r) { json["default-sort-order-id"] = r.default_sort_order_id; },
	    },
	    requirement);
	return json;
}

void CheckRequirement(const TableRequirement &requirement, const TableMetadata *current) {
	std::visit(Overloaded {
	               [&](const AssertCreate &) {
		               if (current) {
			               Failed("table already exists");
		               }
	               },
	               [&](const AssertTableUuid &r) {
		               auto &table = Existing(current, requirement);
		               if (ToLower(r.uuid) != ToLower(table.table_uuid)) {
			               Failed(fmt::format("uuid does not match: expected {} != {}", table.table_uuid, r.uuid));
		               }
	               },
	               [&](const AssertRefSnapshotId &r) {
		               auto &table = Existing(current, requirement);
		               auto ref = table.Ref(r.ref);
		               if (ref) {
			               auto kind = ToString(ref->type);
			               if (!r.snapshot_id) {
				               Failed(fmt::format("{} {} was created concurrently", kind, r.ref));
			               }
			               if (*r.snapshot_id != ref->snapshot_id) {
				               Failed(fmt::format("{} {} has changed: expected id {} != {}", kind, r.ref,
				                                  *r.snapshot_id, ref->snapshot_id));
			               }
		               } else if (r.snapshot_id) {
			               Failed(fmt::format("branch or tag {} is missing, expected {}", r.ref, *r.snapshot_id));
		               }
	               },
	               [&](const AssertLastAssignedFieldId &r) {
		               if (current && current->last_column_id != r.last_assigned_field_id) {
			               Failed(fmt::format("last assigned field id changed: expected id {} != {}",
			                                  r.last_assigned_field_id, current->last_column_id));
		               }
	               },
	               [&](const AssertCurrentSchemaId &r) {
		               auto &table = Existing(current, requirement);
		               if (table.current_schema_id != r.current_schema_id) {
			               Failed(fmt::format("current schema changed: expected id {} != {}", r.current_schema_id,
			                                  table.current_schema_id));
		               }
	               },
	               [&](const AssertLastAssignedPartitionId &r) {
		               if (current && current->last_partition_id != r.last_assigned_partition_id) {
			               Failed(fmt::format("last assigned partition id changed: expected id {} != {}",
			                                  r.last_assigned_partition_id, current->last_partition_id));
		               }
	               },
	               [&](const AssertDefaultSpecId &r) {
		               auto &table = Existing(current, requirement);
		               if (table.default_spec_id != r.default_spec_id) {
			               Failed(fmt::format("default partition spec changed: expected id {} != {}", r.default_spec_id,
			                                  table.default_spec_id));
		               }
	               },
	               [&](const AssertDefaultSortOrderId &r) {
		               auto &table = Existing(current, requirement);
		               if (table.default_sort_order_id != r.default_sort_order_id) {
			               Failed(fmt::format("default sort order changed: expected id {} != {}",
			                                  r.default_sort_order_id, table.default_sort_order_id));
		               }
	               },
	           },
	           requirement);
}

} // namespace akko::iceberg
