#include "engine/duckdb_internal.hpp"
#include "common/sql_lexer.hpp"
#include "engine/lake_transaction.hpp"

#include "engine/lake_catalog.hpp"
#include "engine/lake_types.hpp"
#include "duckdb/parser/parser.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>

namespace akko::engine {

namespace {

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

} // namespace

std::string TableKey(const std::string &schema, const std::string &name) {
	return ToLower(schema) + '\x1f' + ToLower(name);
}

metastore::NamespaceName NamespaceOf(const std::string &schema) {
	metastore::NamespaceName levels;
	size_t start = 0;
	while (true) {
		auto dot = schema.find('.', start);
		levels.push_back(schema.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
		if (dot == std::string::npos) {
			return levels;
		}
		start = dot + 1;
	}
}

std::string SchemaNameOf(const metastore::NamespaceName &name) {
	return fmt::format("{}", fmt::join(name, "."));
}

LakeTransaction::LakeTransaction(LakeCatalog &catalog_p, duckdb::TransactionManager &manager,
                                 duckdb::ClientContext &context)
    : Transaction(manager, context), catalog(catalog_p) {
}

LakeTransaction &LakeTransaction::Get(duckdb::ClientContext &context, duckdb::Catalog &catalog) {
	return Transaction::Get(context, catalog).Cast<LakeTransaction>();
}

std::vector<std::string> LakeTransaction::Namespaces() {
	if (!namespaces) {
		std::set<std::string> names;
		std::function<void(const metastore::NamespaceName &)> walk = [&](const metastore::NamespaceName &parent) {
			for (auto &child : catalog.Service().ListNamespaces(parent)) {
				names.insert(SchemaNameOf(child));
				walk(child);
			}
		};
		Lake([&] { walk({}); });
		namespaces = std::move(names);
	}
	return {namespaces->begin(), namespaces->end()};
}

bool LakeTransaction::NamespaceExists(const std::string &schema) {
	Namespaces();
	if (namespaces->count(schema)) {
		return true;
	}
	for (auto &name : *namespaces) {
		if (duckdb::StringUtil::CIEquals(name, schema)) {
			return true;
		}
	}
	return false;
}

const std::map<std::string, std::string> &LakeTransaction::Views(const std::string &schema) {
	auto found = views.find(schema);
	if (found != views.end()) {
		return found->second;
	}
	std::map<std::string, std::string> result;
	if (NamespaceExists(schema)) {
		auto namespace_name = NamespaceOf(schema);
		for (auto &id : Lake([&] { return catalog.Service().ListViews(namespace_name); })) {
			auto view = Lake([&] { return catalog.Service().FindView(id); });
			if (!view) {
				continue;
			}
			auto &version = view->metadata->CurrentVersion();
			auto &view_schema = view->metadata->CurrentSchema();
			std::string columns;
			for (auto &field : view_schema.fields) {
				columns += (columns.empty() ? "" : ", ") + duckdb::KeywordHelper::WriteQuoted(field.name, '"');
			}
			auto create = [&](const std::string &sql) {
				return fmt::format("CREATE VIEW {}{} AS {}", duckdb::KeywordHelper::WriteQuoted(id.name, '"'),
				                   columns.empty() ? "" : " (" + columns + ")", sql);
			};
			// DuckDB's own representation first, then any other DuckDB can parse.
			auto representations = version.representations;
			std::stable_partition(representations.begin(), representations.end(),
			                      [](const iceberg::ViewRepresentation &r) { return r.dialect == kViewDialect; });
			std::optional<std::string> statement;
			for (auto &representation : representations) {
				try {
					duckdb::Parser parser;
					parser.ParseQuery(create(representation.sql));
					statement = create(representation.sql);
					break;
				} catch (const std::exception &) {
				}
			}
			if (!statement) {
				// A view other engines wrote only in their dialect (Spark's LATERAL VIEW, say) is
				// listed with its columns, and reading it says why it cannot be read, instead of
				// every catalog query failing on its SQL.
				std::vector<std::string> dialects;
				for (auto &representation : representations) {
					dialects.push_back(representation.dialect);
				}
				auto message = duckdb::KeywordHelper::WriteQuoted(
				    fmt::format("view \"{}\" has no SQL that AKKO can read (dialects: {})", id.name, fmt::join(dialects, ", ")),
				    '\'');
				std::string select;
				for (auto &field : view_schema.fields) {
					select += fmt::format("{}CAST(error({}) AS {})", select.empty() ? "" : ", ", message,
					                      DuckTypeOf(*field.type).ToString());
				}
				statement = create("SELECT " + (select.empty() ? "error(" + message + ")" : select));
			}
			result.emplace(id.name, std::move(*statement));
		}
	}
	return views.emplace(schema, std::move(result)).first->second;
}

void LakeTransaction::Invalidate() {
	namespaces.reset();
	views.clear();
	for (auto it = tables.begin(); it != tables.end();) {
		it = it->second ? std::next(it) : tables.erase(it);
	}
	local_changes++;
	catalog.Changed();
}

LakeTableState *LakeTransaction::FindTable(const std::string &schema, const std::string &name) {
	auto key = TableKey(schema, name);
	auto found = tables.find(key);
	if (found != tables.end()) {
		return found->second.get();
	}
	std::unique_ptr<LakeTableState> state;
	if (NamespaceExists(schema)) {
		std::string namespace_name = schema;
		for (auto &candidate : *namespaces) {
			if (duckdb::StringUtil::CIEquals(candidate, schema)) {
				namespace_name = candidate;
			}
		}
		catalog::TableIdentifier id {NamespaceOf(namespace_name), name};
		auto loaded = Lake([&] { return catalog.Service().FindTable(id); });
		if (!loaded) {
			// Names are kept as created; SQL finds them whatever the case, as DuckDB does.
			auto listed = Lake([&] { return catalog.Service().ListTables(id.namespace_name); });
			for (auto &candidate : listed) {
				if (duckdb::StringUtil::CIEquals(candidate.name, name)) {
					loaded = Lake([&] { return catalog.Service().FindTable(candidate); });
					break;
				}
			}
		}
		if (loaded) {
			state = std::make_unique<LakeTableState>();
			state->id = loaded->id;
			state->read_snapshot_id = loaded->metadata->current_snapshot_id;
			state->base = std::move(*loaded);
		}
	}
	auto *result = state.get();
	tables[key] = std::move(state);
	return result;
}

LakeTableState &LakeTransaction::Repin(const std::string &schema, const std::string &name, catalog::LoadedTable table) {
	auto &state = tables[TableKey(schema, name)];
	if (!state) {
		state = std::make_unique<LakeTableState>();
		state->read_snapshot_id = table.metadata->current_snapshot_id;
	}
	state->id = table.id;
	state->base = std::move(table);
	local_changes++;
	catalog.Changed();
	return *state;
}

void LakeTransaction::Forget(const std::string &schema, const std::string &name) {
	tables.erase(TableKey(schema, name));
	local_changes++;
	catalog.Changed();
}

void LakeTransaction::AddFiles(LakeTableState &table, std::vector<iceberg::AddedFile> files) {
	for (auto &file : files) {
		table.has_deletes = table.has_deletes || file.file.content != iceberg::FileContent::Data;
		table.added.push_back(std::move(file));
	}
	local_changes++;
}

void LakeTransaction::RememberScannedFile(const std::string &local_path, ScannedFile file) {
	scanned_files[local_path] = std::move(file);
}

const ScannedFile *LakeTransaction::FindScannedFile(const std::string &local_path) const {
	auto found = scanned_files.find(local_path);
	return found == scanned_files.end() ? nullptr : &found->second;
}

std::vector<catalog::TableChange> LakeTransaction::BuildChanges(const std::vector<LakeTableState *> &writes,
                                                                const std::vector<catalog::LoadedTable> &bases) {
	std::vector<catalog::TableChange> changes;
	auto now = NowMs();
	for (size_t i = 0; i < writes.size(); i++) {
		auto &state = *writes[i];
		auto &base = *bases[i].metadata;
		auto &pinned = *state.base.metadata;
		if (base.table_uuid != pinned.table_uuid) {
			throw akko::Error(ErrorCode::SerializationFailure,
			                  fmt::format("table \"{}\" was dropped and re-created by another transaction",
			                              catalog::ToString(state.id)));
		}
		if (state.has_deletes && !base.OnlyAppendsSince(state.read_snapshot_id)) {
			throw akko::Error(ErrorCode::SerializationFailure,
			                  fmt::format("could not serialize access to table \"{}\" due to a concurrent update",
			                              catalog::ToString(state.id)));
		}
		auto key = TableKey(SchemaNameOf(state.id.namespace_name), state.id.name);
		auto written = written_manifests.find(key);
		if (written == written_manifests.end()) {
			auto snapshot_id = iceberg::NewSnapshotId();
			auto manifests = iceberg::WriteAddedManifests(pinned, snapshot_id, state.added, catalog.Writer());
			written = written_manifests.emplace(key, std::make_pair(snapshot_id, std::move(manifests))).first;
		}
		bool has_data = false;
		for (auto &added : state.added) {
			has_data = has_data || added.file.content == iceberg::FileContent::Data;
		}
		iceberg::SnapshotChange change;
		change.operation = !state.has_deletes ? "append" : has_data ? "overwrite" : "delete";
		change.added_manifests = written->second.second;
		catalog::TableChange table_change;
		table_change.requirements.push_back(iceberg::AssertTableUuid {pinned.table_uuid});
		table_change.updates = iceberg::ProduceSnapshot(base, written->second.first, change, now, catalog.Manifests(),
		                                                catalog.Reader(), catalog.Writer());
		changes.push_back(std::move(table_change));
	}
	return changes;
}

void LakeTransaction::Commit() {
	std::vector<LakeTableState *> writes;
	std::vector<catalog::TableIdentifier> ids;
	for (auto &entry : tables) {
		if (entry.second && !entry.second->added.empty()) {
			writes.push_back(entry.second.get());
			ids.push_back(entry.second->id);
		}
	}
	if (writes.empty()) {
		return;
	}
	Lake([&] {
		// DuckDB's COPY wrote the files without syncing them: once the pointer moves they must
		// survive a power cut, like the metadata the catalog writes.
		auto &store = catalog.Service().Store();
		for (auto *state : writes) {
			for (auto &added : state->added) {
				store.Sync(objstore::KeyFromUri(added.file.file_path));
			}
		}
		try {
			catalog.Service().CommitTables(ids, [&](const std::vector<catalog::LoadedTable> &bases) {
				return BuildChanges(writes, bases);
			});
		} catch (const akko::Error &error) {
			if (CommitOutcomeUnknown(error)) {
				// The catalog may point at these files already: Rollback must not delete them.
				for (auto *state : writes) {
					state->added.clear();
				}
			}
			throw;
		}
	});
	catalog.Changed();
	for (auto *state : writes) {
		state->added.clear();
		state->has_deletes = false;
		state->created_here = false;
	}
}

void LakeTransaction::Rollback() {
	// What this transaction wrote is referenced by no committed metadata: remove it now rather
	// than leave it for garbage collection.
	auto &store = catalog.Service().Store();
	for (auto &entry : tables) {
		if (!entry.second) {
			continue;
		}
		auto &state = *entry.second;
		for (auto &added : state.added) {
			try {
				store.Delete(objstore::KeyFromUri(added.file.file_path));
			} catch (const std::exception &) {
			}
		}
		state.added.clear();
		if (state.created_here) {
			try {
				// Other sessions may already have committed into the new table: then it stays.
				auto current = catalog.Service().FindTable(state.id);
				if (!current || current->metadata->table_uuid != state.base.metadata->table_uuid ||
				    current->metadata->current_snapshot_id != state.base.metadata->current_snapshot_id) {
					continue;
				}
				catalog.Service().DropTable(state.id, true);
			} catch (const std::exception &) {
			}
			catalog.Changed();
		}
	}
}

} // namespace akko::engine
