#pragma once
// Private to engine/: Iceberg partition transforms as DuckDB expressions (iceberg/transforms.hpp
// underneath, so partition values agree with Spark, Trino and PyIceberg), for partitioned writes.
#include "engine/duckdb_internal.hpp"

#include "iceberg/partition_spec.hpp"
#include "iceberg/schema.hpp"

namespace akko::engine {

// The partition value of `field` for rows whose table columns (in `schema` order) are the
// input chunk's columns.
duckdb::unique_ptr<duckdb::Expression> PartitionExpression(const iceberg::Schema &schema,
                                                           const iceberg::PartitionField &field);

// Registers iceberg_bucket(n, x), iceberg_truncate(w, x), iceberg_year(x), iceberg_month(x),
// iceberg_day(x) and iceberg_hour(x), CALL register_table(schema, name, metadata_location), and
// the metadata table functions iceberg_<kind>('schema.table'), in the system catalog.
void InstallLakeFunctions(duckdb::DatabaseInstance &database);

} // namespace akko::engine
