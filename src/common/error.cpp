#include "common/error.hpp"

#include <array>

namespace akko {

namespace {
constexpr ErrorDescription kDescriptions[] = {
    {"internal_error", "XX000", 500},
    {"invalid_input", "22023", 400},
    {"syntax_error", "42601", 400},
    {"invalid_name", "42602", 400},
    {"undefined_table", "42P01", 404},
    {"undefined_column", "42703", 400},
    {"undefined_function", "42883", 400},
    {"undefined_object", "42704", 404},
    {"undefined_parameter", "42P02", 400},
    {"duplicate_table", "42P07", 409},
    {"duplicate_schema", "42P06", 409},
    {"duplicate_object", "42710", 409},
    {"invalid_schema_name", "3F000", 404},
    {"invalid_catalog_name", "3D000", 404},
    {"datatype_mismatch", "42804", 400},
    {"division_by_zero", "22012", 400},
    {"invalid_text_representation", "22P02", 400},
    {"numeric_value_out_of_range", "22003", 400},
    {"string_data_right_truncation", "22001", 400},
    {"unique_violation", "23505", 409},
    {"not_null_violation", "23502", 400},
    {"foreign_key_violation", "23503", 409},
    {"check_violation", "23514", 400},
    {"dependent_objects_still_exist", "2BP01", 409},
    {"serialization_failure", "40001", 409},
    {"query_canceled", "57014", 408},
    {"admin_shutdown", "57P01", 503},
    {"feature_not_supported", "0A000", 501},
    {"invalid_password", "28P01", 401},
    {"invalid_authorization", "28000", 401},
    {"permission_denied", "42501", 403},
    {"protocol_violation", "08P01", 400},
    {"in_failed_sql_transaction", "25P02", 409},
    {"no_active_sql_transaction", "25P01", 409},
    {"active_sql_transaction", "25001", 409},
    {"invalid_cursor_name", "34000", 404},
    {"duplicate_cursor", "42P03", 409},
    {"too_many_connections", "53300", 503},
    {"out_of_memory", "53200", 503},
    {"configuration_error", "F0000", 500},
    {"transaction_resolution_unknown", "08007", 500},
    {"not_found", "42704", 404},
};
static_assert(std::size(kDescriptions) == static_cast<size_t>(ErrorCode::NotFound) + 1,
              "every ErrorCode needs one row in kDescriptions");
} // namespace

const ErrorDescription &Describe(ErrorCode code) {
	return kDescriptions[static_cast<size_t>(code)];
}

bool CommitOutcomeUnknown(const std::exception &error) {
	auto *akko_error = dynamic_cast<const Error *>(&error);
	return akko_error && akko_error->code == ErrorCode::TransactionResolutionUnknown;
}

} // namespace akko
