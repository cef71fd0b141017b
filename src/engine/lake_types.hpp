#pragma once
// Private to engine/: DuckDB types and values <-> Iceberg types and values, and akko::Error
// carried through DuckDB's exceptions so its SQLSTATE survives the trip.
#include "engine/duckdb_internal.hpp"
#include "common/error.hpp"
#include "iceberg/schema.hpp"
#include "iceberg/value.hpp"

#include <optional>

namespace akko::engine {

// The Iceberg type of a DuckDB column type; nested fields take ids from ++next_id. Throws
// FeatureNotSupported for types Iceberg has no counterpart for (INTERVAL, TIME WITH TIME ZONE, ...).
iceberg::TypePtr IcebergTypeOf(const duckdb::LogicalType &type, int32_t &next_id);
duckdb::LogicalType DuckTypeOf(const iceberg::Type &type);

// `value` (castable to the column's type) as an Iceberg literal of `type`; null stays null.
iceberg::Literal LiteralOf(const duckdb::Value &value, const iceberg::PrimitiveType &type);
duckdb::Value ValueOf(const iceberg::Literal &literal, const iceberg::PrimitiveType &type);

// The parquet writer's FIELD_IDS option for these columns (nested ones included).
duckdb::Value FieldIdsOption(const std::vector<iceberg::NestedField> &fields);

// A duckdb::Exception that RaiseError turns back into `error`'s code.
[[noreturn]] void ThrowAsDuck(const akko::Error &error);
// The code an exception thrown by ThrowAsDuck carries.
std::optional<ErrorCode> CarriedCode(const duckdb::ErrorData &error);
// CommitOutcomeUnknown for an akko::Error or a DuckDB exception carrying one.
bool CommitOutcomeUnknownInEngine(const std::exception &error);

// Runs `body`, rethrowing akko::Error as DuckDB exceptions (code kept): lake code runs inside
// DuckDB's binder, planner and executor, which only understand their own exceptions.
template <class F>
auto Lake(F &&body) -> decltype(body()) {
	try {
		return body();
	} catch (const akko::Error &error) {
		ThrowAsDuck(error);
	}
}

} // namespace akko::engine
