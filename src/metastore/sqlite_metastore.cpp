#include "metastore/sqlite_metastore.hpp"

#include "common/error.hpp"
#include "metastore/portable_transaction.hpp"
#include "metastore/schema.hpp"

#include <cctype>
#include <filesystem>
#include <fmt/format.h>
#include <sqlite3.h>
#include <string_view>

namespace akko::metastore {

namespace {

// Waits this long for another process holding the write lock (a second `akko` on the same
// data directory, a backup tool) before reporting the metastore busy.
constexpr int kBusyTimeoutMs = 5000;

[[noreturn]] void ThrowSqlite(sqlite3 *db, int rc, std::string_view what) {
	int primary = rc & 0xff;
	// Busy and locked mean another writer won: the caller may retry, like a serialization failure.
	auto code = primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? ErrorCode::SerializationFailure
	                                                                : ErrorCode::Internal;
	throw Error(code, fmt::format("metastore: {}: {}", what, sqlite3_errmsg(db)));
}

void Exec(sqlite3 *db, const char *sql) {
	int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
	if (rc != SQLITE_OK) {
		ThrowSqlite(db, rc, sql);
	}
}

class Statement {
public:
	Statement(sqlite3 *db_p, std::string_view sql) : db(db_p) {
		int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
		if (rc != SQLITE_OK) {
			ThrowSqlite(db, rc, sql);
		}
	}
	~Statement() {
		sqlite3_finalize(stmt);
	}
	Statement(const Statement &) = delete;
	Statement &operator=(const Statement &) = delete;

	// Parameters are numbered from 1, as in SQLite.
	Statement &Bind(int index, const std::string &value) {
		Check(sqlite3_bind_text(stmt, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
		return *this;
	}
	Statement &Bind(int index, int64_t value) {
		Check(sqlite3_bind_int64(stmt, index, value));
		return *this;
	}

	// True for a row, false at the end.
	bool Next() {
		int rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW) {
			return true;
		}
		if (rc != SQLITE_DONE) {
			ThrowSqlite(db, rc, sqlite3_sql(stmt));
		}
		return false;
	}
	// For writes that may break a constraint: SQLITE_DONE, or the constraint's extended code.
	int Execute() {
		int rc = sqlite3_step(stmt);
		if (rc != SQLITE_DONE && (rc & 0xff) != SQLITE_CONSTRAINT) {
			ThrowSqlite(db, rc, sqlite3_sql(stmt));
		}
		return rc;
	}

	std::string Text(int column) {
		auto data = reinterpret_cast<const char *>(sqlite3_column_text(stmt, column));
		return std::string(data ? data : "", static_cast<size_t>(sqlite3_column_bytes(stmt, column)));
	}
	int64_t Integer(int column) {
		return sqlite3_column_int64(stmt, column);
	}
	int Columns() {
		return sqlite3_column_count(stmt);
	}

private:
	void Check(int rc) {
		if (rc != SQLITE_OK) {
			ThrowSqlite(db, rc, sqlite3_sql(stmt));
		}
	}

	sqlite3 *db;
	sqlite3_stmt *stmt = nullptr;
};

int CurrentVersion(sqlite3 *db) {
	Statement query(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
	query.Next();
	return static_cast<int>(query.Integer(0));
}

CatalogObjectRecord ReadObject(Statement &row) {
	return CatalogObjectRecord {NamespaceFromKey(row.Text(0)), row.Text(1),
	                            KindFromName(row.Text(2)), row.Text(3)};
}

// Parameters written $1, $2, ... (the PostgreSQL spelling the shared SQL uses) as SQLite's ?1, ?2, ...
std::string NumberedParameters(std::string_view sql) {
	std::string translated(sql);
	for (size_t i = 0; i + 1 < translated.size(); i++) {
		if (translated[i] == '$' && std::isdigit(static_cast<unsigned char>(translated[i + 1]))) {
			translated[i] = '?';
		}
	}
	return translated;
}

class SqliteTransaction : public PortableTransaction {
public:
	explicit SqliteTransaction(sqlite3 *db_p) : db(db_p) {
	}

	void PutAccessKey(const AccessKeyRecord &key) override {
		Statement upsert(db, "INSERT INTO access_keys (access_key_id, user_name, secret, created_at) "
		                     "VALUES (?, ?, ?, ?) ON CONFLICT (access_key_id) DO UPDATE SET "
		                     "user_name = excluded.user_name, secret = excluded.secret, created_at = excluded.created_at");
		upsert.Bind(1, key.access_key_id).Bind(2, key.user).Bind(3, key.secret).Bind(4, key.created_at);
		if (upsert.Execute() != SQLITE_DONE) {
			throw Error(ErrorCode::UndefinedObject, fmt::format("user \"{}\" does not exist", key.user));
		}
	}

	std::optional<AccessKeyRecord> FindAccessKey(const std::string &access_key_id) override {
		Statement query(db,
		                "SELECT access_key_id, user_name, secret, created_at FROM access_keys WHERE access_key_id = ?");
		query.Bind(1, access_key_id);
		if (!query.Next()) {
			return std::nullopt;
		}
		return AccessKeyRecord {query.Text(0), query.Text(1), query.Text(2), query.Integer(3)};
	}

	bool DropAccessKey(const std::string &access_key_id) override {
		Statement drop(db, "DELETE FROM access_keys WHERE access_key_id = ?");
		drop.Bind(1, access_key_id);
		drop.Next();
		return sqlite3_changes(db) > 0;
	}

	void CreateNamespace(const NamespaceRecord &record) override {
		if (record.name.empty()) {
			throw Error(ErrorCode::InvalidInput, "a namespace needs at least one level");
		}
		NamespaceName parent(record.name.begin(), record.name.end() - 1);
		if (!parent.empty() && !FindNamespace(parent)) {
			throw Error(ErrorCode::InvalidSchemaName, fmt::format("namespace \"{}\" does not exist", DisplayName(parent)));
		}
		Statement insert(db, "INSERT INTO namespaces (name, parent, properties) VALUES (?, ?, ?)");
		insert.Bind(1, NamespaceKey(record.name)).Bind(2, NamespaceKey(parent)).Bind(3, PropertiesJson(record.properties));
		if (insert.Execute() != SQLITE_DONE) {
			throw Error(ErrorCode::DuplicateSchema,
			            fmt::format("namespace \"{}\" already exists", DisplayName(record.name)));
		}
	}

	std::optional<NamespaceRecord> FindNamespace(const NamespaceName &name) override {
		Statement query(db, "SELECT properties FROM namespaces WHERE name = ?");
		query.Bind(1, NamespaceKey(name));
		if (!query.Next()) {
			return std::nullopt;
		}
		return NamespaceRecord {name, PropertiesFromJson(query.Text(0))};
	}

	std::vector<NamespaceRecord> ListNamespaces(const NamespaceName &parent) override {
		Statement query(db, "SELECT name, properties FROM namespaces WHERE parent = ? ORDER BY name");
		query.Bind(1, NamespaceKey(parent));
		std::vector<NamespaceRecord> namespaces;
		while (query.Next()) {
			namespaces.push_back(NamespaceRecord {NamespaceFromKey(query.Text(0)), PropertiesFromJson(query.Text(1))});
		}
		return namespaces;
	}

	void SetNamespaceProperties(const NamespaceName &name,
	                            const std::map<std::string, std::string> &properties) override {
		Statement update(db, "UPDATE namespaces SET properties = ? WHERE name = ?");
		update.Bind(1, PropertiesJson(properties)).Bind(2, NamespaceKey(name));
		update.Next();
		if (sqlite3_changes(db) == 0) {
			throw Error(ErrorCode::InvalidSchemaName, fmt::format("namespace \"{}\" does not exist", DisplayName(name)));
		}
	}

	bool DropNamespace(const NamespaceName &name) override {
		auto key = NamespaceKey(name);
		Statement children(db, "SELECT (SELECT COUNT(*) FROM namespaces WHERE parent = ?1) + "
		                       "(SELECT COUNT(*) FROM catalog_objects WHERE namespace = ?1)");
		children.Bind(1, key);
		children.Next();
		if (children.Integer(0) > 0) {
			throw Error(ErrorCode::DependentObjects,
			            fmt::format("namespace \"{}\" is not empty", DisplayName(name)));
		}
		Statement drop(db, "DELETE FROM namespaces WHERE name = ?");
		drop.Bind(1, key);
		drop.Next();
		if (sqlite3_changes(db) == 0) {
			return false;
		}
		ForgetNamespace(name);
		return true;
	}

	std::optional<CatalogObjectRecord> FindObject(const NamespaceName &namespace_name,
	                                              const std::string &name) override {
		Statement query(db, "SELECT namespace, name, kind, metadata_location FROM catalog_objects "
		                    "WHERE namespace = ? AND name = ?");
		query.Bind(1, NamespaceKey(namespace_name)).Bind(2, name);
		if (!query.Next()) {
			return std::nullopt;
		}
		return ReadObject(query);
	}

	std::vector<CatalogObjectRecord> ListObjects(const NamespaceName &namespace_name, ObjectKind kind) override {
		Statement query(db, "SELECT namespace, name, kind, metadata_location FROM catalog_objects "
		                    "WHERE namespace = ? AND kind = ? ORDER BY name");
		query.Bind(1, NamespaceKey(namespace_name)).Bind(2, std::string(KindName(kind)));
		std::vector<CatalogObjectRecord> objects;
		while (query.Next()) {
			objects.push_back(ReadObject(query));
		}
		return objects;
	}

	void CreateObject(const CatalogObjectRecord &record) override {
		RequireNamespace(record.namespace_name);
		Statement insert(db, "INSERT INTO catalog_objects (namespace, name, kind, metadata_location) VALUES (?, ?, ?, ?)");
		insert.Bind(1, NamespaceKey(record.namespace_name)).Bind(2, record.name);
		insert.Bind(3, std::string(KindName(record.kind))).Bind(4, record.metadata_location);
		if (insert.Execute() != SQLITE_DONE) {
			throw Error(ErrorCode::DuplicateTable, fmt::format("\"{}.{}\" already exists",
			                                                   DisplayName(record.namespace_name), record.name));
		}
	}

	bool SwapMetadataLocation(const NamespaceName &namespace_name, const std::string &name,
	                          const std::string &expected, const std::string &next) override {
		Statement update(db, "UPDATE catalog_objects SET metadata_location = ? "
		                     "WHERE namespace = ? AND name = ? AND metadata_location = ?");
		update.Bind(1, next).Bind(2, NamespaceKey(namespace_name)).Bind(3, name).Bind(4, expected);
		update.Next();
		return sqlite3_changes(db) > 0;
	}

	void RenameObject(const NamespaceName &from_namespace, const std::string &from_name,
	                  const NamespaceName &to_namespace, const std::string &to_name) override {
		if (!FindObject(from_namespace, from_name)) {
			throw Error(ErrorCode::UndefinedTable,
			            fmt::format("\"{}.{}\" does not exist", DisplayName(from_namespace), from_name));
		}
		RequireNamespace(to_namespace);
		Statement update(db, "UPDATE catalog_objects SET namespace = ?, name = ? WHERE namespace = ? AND name = ?");
		update.Bind(1, NamespaceKey(to_namespace)).Bind(2, to_name);
		update.Bind(3, NamespaceKey(from_namespace)).Bind(4, from_name);
		if (update.Execute() != SQLITE_DONE) {
			throw Error(ErrorCode::DuplicateTable,
			            fmt::format("\"{}.{}\" already exists", DisplayName(to_namespace), to_name));
		}
		MoveObject(from_namespace, from_name, to_namespace, to_name);
	}

	bool DropObject(const NamespaceName &namespace_name, const std::string &name) override {
		Statement drop(db, "DELETE FROM catalog_objects WHERE namespace = ? AND name = ?");
		drop.Bind(1, NamespaceKey(namespace_name)).Bind(2, name);
		drop.Next();
		if (sqlite3_changes(db) == 0) {
			return false;
		}
		ForgetObject(namespace_name, name);
		return true;
	}

protected:
	SqlRows Run(std::string_view sql, const std::vector<std::string> &params) override {
		Statement statement(db, NumberedParameters(sql));
		for (size_t i = 0; i < params.size(); i++) {
			statement.Bind(static_cast<int>(i + 1), params[i]);
		}
		SqlRows result;
		int columns = statement.Columns();
		while (statement.Next()) {
			auto &row = result.rows.emplace_back();
			for (int column = 0; column < columns; column++) {
				row.push_back(statement.Text(column));
			}
		}
		// sqlite3_changes keeps the count of the last write, so a read must not report it.
		result.affected = columns == 0 ? sqlite3_changes(db) : 0;
		return result;
	}

private:
	void RequireNamespace(const NamespaceName &name) {
		if (!FindNamespace(name)) {
			throw Error(ErrorCode::InvalidSchemaName, fmt::format("namespace \"{}\" does not exist", DisplayName(name)));
		}
	}

	sqlite3 *db;
};

} // namespace

SqliteMetastore::SqliteMetastore(const std::string &path_p) : path(path_p) {
	auto parent = std::filesystem::path(path).parent_path();
	if (!parent.empty()) {
		// A failure here shows up, better worded, as sqlite3_open_v2's error below.
		std::error_code ignored;
		std::filesystem::create_directories(parent, ignored);
	}
	// NOMUTEX: `lock` already serializes every use of the connection.
	int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                         nullptr);
	if (rc != SQLITE_OK) {
		std::string reason = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
		sqlite3_close(db);
		throw Error(ErrorCode::ConfigurationError, fmt::format("cannot open metastore \"{}\": {}", path, reason));
	}
	try {
		sqlite3_extended_result_codes(db, 1);
		sqlite3_busy_timeout(db, kBusyTimeoutMs);
		std::string journal_mode;
		{
			Statement journal(db, "PRAGMA journal_mode = WAL");
			journal.Next();
			journal_mode = journal.Text(0);
		}
		if (journal_mode != "wal") {
			throw Error(ErrorCode::ConfigurationError,
			            fmt::format("metastore \"{}\" cannot use WAL mode (got \"{}\")", path, journal_mode));
		}
		// FULL: a catalog commit that was acknowledged must survive a power cut.
		Exec(db, "PRAGMA synchronous = FULL");
		Exec(db, "PRAGMA foreign_keys = ON");
		Migrate();
	} catch (const Error &error) {
		sqlite3_close(db);
		// Name the file: at start-up this is what the operator sees (a corrupt file, a full disk).
		if (error.code == ErrorCode::ConfigurationError) {
			throw;
		}
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("cannot open metastore \"{}\": {}", path, error.message));
	} catch (...) {
		sqlite3_close(db);
		throw;
	}
}

SqliteMetastore::~SqliteMetastore() {
	sqlite3_close(db);
}

void SqliteMetastore::WithLock(const std::function<void()> &body) {
	if (owner.load() == std::this_thread::get_id()) {
		throw Error(ErrorCode::Internal, "metastore transactions do not nest");
	}
	std::lock_guard<std::mutex> guard(lock);
	owner.store(std::this_thread::get_id());
	try {
		body();
	} catch (...) {
		owner.store(std::thread::id());
		throw;
	}
	owner.store(std::thread::id());
}

void SqliteMetastore::InTransaction(const std::function<void()> &body) {
	// IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading
	// read locks; with one connection per process that is the only contention left.
	Exec(db, "BEGIN IMMEDIATE");
	try {
		body();
		Exec(db, "COMMIT");
	} catch (...) {
		// Some errors (a full disk, an I/O error) make SQLite roll back by itself.
		if (!sqlite3_get_autocommit(db)) {
			sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
		}
		throw;
	}
}

void SqliteMetastore::Migrate() {
	Exec(db, kSchemaMigrationsTable);
	auto migrations = Migrations();
	int latest = static_cast<int>(migrations.size());
	int found = CurrentVersion(db);
	if (found > latest) {
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("metastore \"{}\" has schema version {}, newer than this build knows ({})", path,
		                        found, latest));
	}
	for (int version = found + 1; version <= latest; version++) {
		const auto &migration = migrations[version - 1];
		InTransaction([&] {
			// Another process may have migrated since we looked; re-check under the write lock.
			if (CurrentVersion(db) >= version) {
				return;
			}
			Exec(db, migration.sql);
			Statement record(db, "INSERT INTO schema_migrations (version, name, applied_at) "
			                     "VALUES (?, ?, CAST(strftime('%s', 'now') AS INTEGER))");
			record.Bind(1, int64_t(version)).Bind(2, std::string(migration.name));
			record.Next();
		});
	}
}

void SqliteMetastore::RunInTransaction(const std::function<void(Transaction &)> &body) {
	WithLock([&] {
		InTransaction([&] {
			SqliteTransaction transaction(db);
			body(transaction);
		});
	});
}

int SqliteMetastore::SchemaVersion() {
	int version = 0;
	WithLock([&] { version = CurrentVersion(db); });
	return version;
}

std::unique_ptr<Metastore> OpenSqliteMetastore(const std::string &path) {
	return std::make_unique<SqliteMetastore>(path);
}

} // namespace akko::metastore
