#pragma once
// Partition specs (table spec "Partitioning", Appendix C): which source columns, through which
// transforms, make a data file's partition tuple.
#include "iceberg/schema.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace akko::iceberg {

struct PartitionField {
	int32_t source_id = 0;
	// Unique across all of a table's specs in v2 and later; v1 assigned 1000, 1001, ... per spec.
	int32_t field_id = 0;
	std::string name;
	// As written: "identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour",
	// "void", or a transform this version does not know.
	std::string transform;

	bool operator==(const PartitionField &other) const = default;
};

struct PartitionSpec {
	int32_t spec_id = 0;
	std::vector<PartitionField> fields;

	// The highest field id; 999 when there is none, so the first partition field gets 1000.
	int32_t LastAssignedFieldId() const;
	// The spec's equivalence: the same fields (source, transform, name) in the same order,
	// whatever their field ids and the spec ids.
	bool CompatibleWith(const PartitionSpec &other) const;
	// Every field but void ones reads an existing primitive column of `schema`, outside lists
	// and maps, of a type its transform accepts (Java's PartitionSpec.checkCompatibility).
	void CheckCompatibility(const Schema &schema) const;
	// CheckCompatibility plus what Java checks when binding a spec to a schema: partition names
	// non-empty and unique, and a name equal to a column's only for a field sourced from it.
	void Validate(const Schema &schema) const;
};

// The first partition field id, in v1 and for fields written without ids.
constexpr int32_t kPartitionDataIdStart = 1000;

// A spec object. Fields without "field-id" (all or none may omit it) get 1000, 1001, ... as
// Java assigns them; a missing "spec-id" (the REST API marks it read-only) is 0.
PartitionSpec ParsePartitionSpec(const nlohmann::json &json);
// A bare field list, v1's "partition-spec".
std::vector<PartitionField> ParsePartitionFields(const nlohmann::json &json);
nlohmann::json ToJson(const PartitionSpec &spec);

// Whether `transform` applies to values of `source` (the "Source types" of the spec's transform
// table); unknown transforms apply to anything, as v3 readers must accept them. Throws
// akko::Error (invalid_input) for a malformed one such as "bucket[0]".
bool CanTransform(std::string_view transform, const Type &source);

} // namespace akko::iceberg
