#pragma once
// Engine-internal: the checks the lake catalog makes for the session's principal, and the
// restricted views through which row filters and column masks apply. Each throws the
// AccessGuard's permission error as a DuckDB exception; a session without a guard is allowed
// everything.
#include "engine/access_guard.hpp"
#include "engine/duckdb_internal.hpp"

#include <optional>
#include <string>

namespace akko::engine {

void CheckLakeTable(duckdb::ClientContext &context, const std::string &schema, const std::string &name,
                    TableAction action);
void CheckLakeNamespaceDdl(duckdb::ClientContext &context, const std::string &schema);
void CheckLakeCatalogDdl(duckdb::ClientContext &context);
void NoteTableRead(duckdb::ClientContext &context, const std::string &schema, const std::string &name);
void NoteTableWritten(duckdb::ClientContext &context, const std::string &schema, const std::string &name);

// The row filter and masks through which the session's principal reads the table (none for
// superusers and sessions without a guard). Notes them in the statement's access report.
TableRestriction RestrictionFor(duckdb::ClientContext &context, const std::string &schema, const std::string &name);

// The statement being bound writes a table the principal reads through `RestrictionFor`:
// refuses it, with the missing privilege when one is missing (writes through row filters and
// masks are not supported). Does nothing when the table is not a write target.
void RefuseRestrictedWrite(duckdb::ClientContext &context, const std::string &schema, const std::string &name);

// CREATE VIEW SQL that reads the table through `restriction`. The table is named there by
// its base name, which only this process can spell, so the view reads it unrestricted.
std::string RestrictedViewSql(const std::string &schema, const std::string &name,
                              const duckdb::ColumnList &columns, const TableRestriction &restriction);
// The table a base name stands for, or nullopt when `name` is not one.
std::optional<std::string> TableOfBaseName(const std::string &name);

// Adds what `from` touched to `into`.
void MergeReport(AccessReport &into, const AccessReport &from);

// An error raised while running a statement that read restricted tables, with its message
// withheld when it might show values the principal may not see.
akko::Error WithheldError(duckdb::ClientContext &context, akko::Error error);
// Refuses EXPLAIN of a statement that read restricted tables: plans show filters and row counts.
void CheckExplainAllowed(duckdb::ClientContext &context, duckdb::StatementType type);

} // namespace akko::engine
