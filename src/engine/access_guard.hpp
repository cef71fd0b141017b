#pragma once
// What a session's principal may do, asked by the engine wherever a statement reaches data:
// catalog lookups, scans, writes, DDL, file functions and engine statements. The SQL layer
// implements it over authz (sql/session_access_guard); a session without a guard is the
// server's own and may do everything.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace akko::engine {

// A table or view of the lake: its namespace's levels and its name.
struct LakeObjectName {
	std::vector<std::string> namespace_name;
	std::string name;

	std::string ToString() const; // "banking.customers"
};

enum class TableAction {
	Reference, // named at all (any privilege on it will do)
	Select,
	Insert,
	Update,
	Delete,
	Truncate,
};

// Capabilities beyond the catalog, which the statement gate asks for.
enum class Capability {
	ReadFiles,   // read_parquet, read_csv, glob, COPY ... FROM a path (pg_read_server_files)
	WriteFiles,  // COPY ... TO a path, EXPORT DATABASE (pg_write_server_files)
	EngineAdmin, // ATTACH, INSTALL/LOAD, engine SET/PRAGMA, secrets (superusers only)
};

// The row filter and column masks a principal reads a table through.
struct TableRestriction {
	std::string row_filter; // a SQL predicate over the table's columns; empty: every row
	// Column name -> SQL expression over the table's columns, seen in place of the column.
	std::vector<std::pair<std::string, std::string>> column_masks;
	// The names of the policies and masks that apply, for the audit record.
	std::vector<std::string> applied;

	bool Empty() const {
		return row_filter.empty() && column_masks.empty();
	}
};

// Each Check throws akko::Error (insufficient_privilege) naming what was refused.
class AccessGuard {
public:
	virtual ~AccessGuard() = default;
	// Superusers: nothing is checked or restricted.
	virtual bool Unrestricted() const = 0;
	virtual void CheckTable(const LakeObjectName &table, TableAction action) const = 0;
	// Creating, altering or dropping tables and views in the namespace.
	virtual void CheckNamespaceDdl(const std::vector<std::string> &namespace_name) const = 0;
	// Creating or dropping namespaces.
	virtual void CheckCatalogDdl() const = 0;
	virtual void CheckCapability(Capability capability, const std::string &what) const = 0;
	virtual TableRestriction RestrictionOn(const LakeObjectName &table) const = 0;
	// What row filters may ask of the principal: current_user_attribute(key) and
	// current_user_roles().
	virtual std::optional<std::string> Attribute(const std::string &key) const {
		return std::nullopt;
	}
	virtual std::vector<std::string> Roles() const {
		return {};
	}
};

// What one statement touched, for its audit record.
struct AccessReport {
	std::vector<std::string> tables_read;    // "banking.customers", sorted, unique
	std::vector<std::string> tables_written;
	std::vector<std::string> restrictions;   // policy and mask names applied
};

} // namespace akko::engine
