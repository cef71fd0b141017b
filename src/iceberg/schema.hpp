#pragma once
// A table or view schema: a struct of fields with ids unique across the whole schema, plus the
// optional identifier fields (table spec "Schemas and Data Types", Appendix C).
#include "iceberg/types.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akko::iceberg {

class Schema {
public:
	int32_t schema_id = 0;
	std::vector<NestedField> fields;
	std::vector<int32_t> identifier_field_ids;

	// Any field by id, nested ones (list elements, map keys and values) included.
	const NestedField *FindField(int32_t id) const;
	// By full name: parent names joined with '.', "element" for a list element, "key" and
	// "value" for a map's, e.g. "points.element.x".
	const NestedField *FindFieldByName(std::string_view name, bool case_sensitive = true) const;
	std::optional<std::string> FindColumnName(int32_t id) const;
	// The fields from the top level down to the field `id` (itself last); empty when absent.
	std::vector<const NestedField *> FieldPath(int32_t id) const;
	// The highest field id, nested ones included; 0 for an empty schema.
	int32_t HighestFieldId() const;
	// Same fields and identifier fields, whatever the schema ids.
	bool SameSchema(const Schema &other) const;

	// What Java checks when it builds a schema: field ids unique, full names unique, identifier
	// fields existing, required, primitive but not float or double, and not inside a list, a
	// map or an optional struct. Throws akko::Error (invalid_input).
	void Validate() const;
	// Whether the schema can be used in a table of `format_version`: v3 types (timestamp_ns,
	// variant, unknown, geometry, geography) and initial defaults need v3. Throws akko::Error
	// (invalid_input) listing every problem.
	void CheckFormatVersion(int32_t format_version) const;
};

// Parses and validates; a missing "schema-id" is 0 (v1 metadata may omit it).
Schema ParseSchema(const nlohmann::json &json);
nlohmann::json ToJson(const Schema &schema);

// `schema` with every field id reassigned from `last_column_id` + 1 on, as Java's
// TypeUtil.assignFreshIds does: the fields of a struct first, then what nests inside them, in
// order. Identifier fields follow their columns. Advances `last_column_id`.
Schema AssignFreshIds(const Schema &schema, int32_t schema_id, int32_t &last_column_id);

} // namespace akko::iceberg
