#pragma once
// What a commit expects of the table it changes: every TableRequirement of the Iceberg REST
// catalog API, read from and written to its JSON form (discriminated by "type"), and checked
// the way Java's UpdateRequirement checks them.
#include "iceberg/table_metadata.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace akko::iceberg {

// The table must not exist yet.
struct AssertCreate {};
struct AssertTableUuid {
	std::string uuid;
};
// The branch or tag `ref` must point at `snapshot_id`; without one, it must not exist.
struct AssertRefSnapshotId {
	std::string ref;
	std::optional<int64_t> snapshot_id;
};
struct AssertLastAssignedFieldId {
	int32_t last_assigned_field_id = 0;
};
struct AssertCurrentSchemaId {
	int32_t current_schema_id = 0;
};
struct AssertLastAssignedPartitionId {
	int32_t last_assigned_partition_id = 0;
};
struct AssertDefaultSpecId {
	int32_t default_spec_id = 0;
};
struct AssertDefaultSortOrderId {
	int32_t default_sort_order_id = 0;
};

using TableRequirement =
    std::variant<AssertCreate, AssertTableUuid, AssertRefSnapshotId, AssertLastAssignedFieldId, AssertCurrentSchemaId,
                 AssertLastAssignedPartitionId, AssertDefaultSpecId, AssertDefaultSortOrderId>;

// Throws akko::Error (invalid_input) for an unknown type (the message names it) or a malformed
// requirement.
TableRequirement ParseTableRequirement(const nlohmann::json &json);
nlohmann::json ToJson(const TableRequirement &requirement);
// The REST API's name of the requirement, e.g. "assert-table-uuid".
const char *TypeName(const TableRequirement &requirement);

// Passes, or throws akko::Error (serialization_failure, which the REST API answers with 409
// CommitFailedException) saying which requirement failed and why. `current` is null when the
// table does not exist: then only assert-create, assert-last-assigned-field-id and
// assert-last-assigned-partition-id hold (as in Java, the last two only constrain an existing
// table).
void CheckRequirement(const TableRequirement &requirement, const TableMetadata *current);

} // namespace akko::iceberg
