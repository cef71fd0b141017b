#pragma once
// Private to engine/: PRIMARY KEY on a lake table. Iceberg records a table's key as its
// identifier fields but enforces nothing; PostgreSQL clients expect unique_violation, so every
// write to a keyed table scans the key columns as the transaction sees them (its own new rows
// and deletes included) and refuses duplicates. Two transactions inserting the same key at once
// both pass: snapshot isolation, not a lock.
#include "engine/duckdb_internal.hpp"

namespace akko::engine {

class LakeTableEntry;

// Throws ConstraintException (unique_violation) when two live rows share a key.
void CheckPrimaryKey(duckdb::ClientContext &context, LakeTableEntry &table);

} // namespace akko::engine
