#include "catalog/catalog_service.hpp"

#include "catalog/table_purge.hpp"
#include "common/error.hpp"
#include "common/random.hpp"

#include <chrono>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <random>
#include <set>
#include <thread>

namespace akko::catalog {

namespace {

// A lost race re-reads and retries; this many tries means writers keep beating us.
constexpr int kMaxCommitAttempts = 32;
// Parsed metadata kept for reuse; files never change once written.
constexpr size_t kMetadataCacheEntries = 512;

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

std::string DisplayName(const NamespaceName &name) {
	return fmt::format("{}", fmt::join(name, "."));
}

Error NoSuchNamespace(const NamespaceName &name) {
	return Error(ErrorCode::InvalidSchemaName, fmt::format("namespace \"{}\" does not exist", DisplayName(name)));
}

const char *KindName(metastore::ObjectKind kind) {
	return kind == metastore::ObjectKind::Table ? "table" : "view";
}

// The number in "…/metadata/00042-<uuid>.metadata.json"; 0 for a name of another form.
int MetadataVersion(const std::string &location) {
	auto slash = location.rfind('/');
	auto name = location.substr(slash == std::string::npos ? 0 : slash + 1);
	auto dash = name.find('-');
	if (dash == std::string::npos || dash == 0 || dash > 9) {
		return 0;
	}
	int version = 0;
	for (size_t i = 0; i < dash; i++) {
		if (name[i] < '0' || name[i] > '9') {
			return 0;
		}
		version = version * 10 + (name[i] - '0');
	}
	return version;
}

// Thrown inside the metastore transaction to roll it back when a pointer moved.
struct LostRace {};

} // namespace

std::string ToString(const TableIdentifier &id) {
	return fmt::format("{}.{}", DisplayName(id.namespace_name), id.name);
}

void ValidateName(const std::string &name, const char *what) {
	if (name.empty() || name.size() > 255) {
		throw Error(ErrorCode::InvalidName, fmt::format("{} name must be 1 to 255 bytes, not {}", what, name.size()));
	}
	if (name == "." || name == "..") {
		throw Error(ErrorCode::InvalidName, fmt::format("\"{}\" is not a valid {} name", name, what));
	}
	for (unsigned char c : name) {
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') {
			throw Error(ErrorCode::InvalidName,
			            fmt::format("{} name \"{}\" must not contain control characters, '/' or '\\'", what,
			                        name.find('\0') == std::string::npos ? name : std::string("(with NUL)")));
		}
	}
}

CatalogService::CatalogService(metastore::Metastore &metastore_p, objstore::Store &store_p, std::string warehouse_p)
    : metastore(metastore_p), store(store_p), warehouse(iceberg::StripTrailingSlash(std::move(warehouse_p))) {
}

void CatalogService::CreateNamespace(const NamespaceName &name, const std::map<std::string, std::string> &properties) {
	if (name.empty()) {
		throw Error(ErrorCode::InvalidName, "a namespace needs at least one level");
	}
	for (auto &level : name) {
		ValidateName(level, "namespace");
	}
	metastore.RunInTransaction(
	    [&](metastore::Transaction &transaction) { transaction.CreateNamespace({name, properties}); });
}

bool CatalogService::NamespaceExists(const NamespaceName &name) {
	bool exists = false;
	metastore.RunInTransaction(
	    [&](metastore::Transaction &transaction) { exists = transaction.FindNamespace(name).has_value(); });
	return exists;
}

std::vector<NamespaceName> CatalogService::ListNamespaces(const NamespaceName &parent) {
	std::vector<NamespaceName> names;
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		names.clear();
		if (!parent.empty() && !transaction.FindNamespace(parent)) {
			throw NoSuchNamespace(parent);
		}
		for (auto &record : transaction.ListNamespaces(parent)) {
			names.push_back(record.name);
		}
	});
	return names;
}

std::map<std::string, std::string> CatalogService::LoadNamespaceProperties(const NamespaceName &name) {
	std::map<std::string, std::string> properties;
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		auto record = transaction.FindNamespace(name);
		if (!record) {
			throw NoSuchNamespace(name);
		}
		properties = record->properties;
	});
	return properties;
}

std::vector<std::string> CatalogService::UpdateNamespaceProperties(const NamespaceName &name,
                                                                   const std::vector<std::string> &removals,
                                                                   const std::map<std::string, std::string> &updates) {
	for (auto &key : removals) {
		if (updates.count(key)) {
			throw Error(ErrorCode::InvalidInput, fmt::format("property \"{}\" is both removed and set", key));
		}
	}
	std::vector<std::string> missing;
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		missing.clear();
		auto record = transaction.FindNamespace(name);
		if (!record) {
			throw NoSuchNamespace(name);
		}
		for (auto &key : removals) {
			if (record->properties.erase(key) == 0) {
				missing.push_back(key);
			}
		}
		for (auto &[key, value] : updates) {
			record->properties[key] = value;
		}
		transaction.SetNamespaceProperties(name, record->properties);
	});
	return missing;
}

void CatalogService::DropNamespace(const NamespaceName &name) {
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		if (!transaction.DropNamespace(name)) {
			throw NoSuchNamespace(name);
		}
	});
}

std::vector<TableIdentifier> CatalogService::ListObjects(const NamespaceName &namespace_name,
                                                         metastore::ObjectKind kind) {
	std::vector<TableIdentifier> ids;
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		ids.clear();
		if (!transaction.FindNamespace(namespace_name)) {
			throw NoSuchNamespace(namespace_name);
		}
		for (auto &record : transaction.ListObjects(namespace_name, kind)) {
			ids.push_back({namespace_name, record.name});
		}
	});
	return ids;
}

std::optional<std::string> CatalogService::FindMetadataLocation(const TableIdentifier &id, metastore::ObjectKind kind) {
	std::optional<metastore::CatalogObjectRecord> record;
	metastore.RunInTransaction(
	    [&](metastore::Transaction &transaction) { record = transaction.FindObject(id.namespace_name, id.name); });
	if (!record || record->kind != kind) {
		return std::nullopt;
	}
	return record->metadata_location;
}

void CatalogService::RenameObject(const TableIdentifier &from, const TableIdentifier &to, metastore::ObjectKind kind) {
	ValidateName(to.name, KindName(kind));
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		auto record = transaction.FindObject(from.namespace_name, from.name);
		if (!record || record->kind != kind) {
			throw Error(ErrorCode::UndefinedTable,
			            fmt::format("{} \"{}\" does not exist", KindName(kind), ToString(from)));
		}
		transaction.RenameObject(from.namespace_name, from.name, to.namespace_name, to.name);
	});
}

std::string CatalogService::DropObject(const TableIdentifier &id, metastore::ObjectKind kind) {
	std::string metadata_location;
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		auto record = transaction.FindObject(id.namespace_name, id.name);
		if (!record || record->kind != kind) {
			throw Error(ErrorCode::UndefinedTable, fmt::format("{} \"{}\" does not exist", KindName(kind), ToString(id)));
		}
		metadata_location = record->metadata_location;
		transaction.DropObject(id.namespace_name, id.name);
	});
	return metadata_location;
}

void CatalogService::PublishNew(const TableIdentifier &id, metastore::ObjectKind kind,
                                const std::string &metadata_location, const std::string &metadata_json) {
	if (!NamespaceExists(id.namespace_name)) {
		throw NoSuchNamespace(id.namespace_name);
	}
	store.Put(objstore::KeyFromUri(metadata_location), metadata_json);
	try {
		metastore.RunInTransaction([&](metastore::Transaction &transaction) {
			transaction.CreateObject({id.namespace_name, id.name, kind, metadata_location});
		});
	} catch (const std::exception &error) {
		// The name was taken meanwhile (or the metastore failed): the file is nobody's, unless
		// the metastore lost its connection during COMMIT and may have published it.
		if (!CommitOutcomeUnknown(error)) {
			store.Delete(objstore::KeyFromUri(metadata_location));
		}
		throw;
	}
}

std::vector<TableIdentifier> CatalogService::ListTables(const NamespaceName &namespace_name) {
	return ListObjects(namespace_name, metastore::ObjectKind::Table);
}

std::optional<LoadedTable> CatalogService::FindTable(const TableIdentifier &id) {
	auto location = FindMetadataLocation(id, metastore::ObjectKind::Table);
	if (!location) {
		return std::nullopt;
	}
	return LoadedTable {id, *location, ReadMetadata(*location)};
}

LoadedTable CatalogService::LoadTable(const TableIdentifier &id) {
	auto table = FindTable(id);
	if (!table) {
		throw Error(ErrorCode::UndefinedTable, fmt::format("table \"{}\" does not exist", ToString(id)));
	}
	return std::move(*table);
}

namespace {

nlohmann::json ReadJsonFile(objstore::Store &store, const std::string &location) {
	auto text = store.Get(objstore::KeyFromUri(location));
	try {
		return nlohmann::json::parse(text);
	} catch (const nlohmann::json::exception &error) {
		throw Error(ErrorCode::InvalidInput, fmt::format("metadata file \"{}\" is not JSON: {}", location, error.what()));
	}
}

// Parsed metadata by file URI, bounded: files never change once written.
template <class Metadata, class Parse>
std::shared_ptr<const Metadata> Cached(std::mutex &lock, std::map<std::string, std::shared_ptr<const Metadata>> &cache,
                                       const std::string &location, objstore::Store &store, Parse parse) {
	{
		std::lock_guard<std::mutex> guard(lock);
		auto found = cache.find(location);
		if (found != cache.end()) {
			return found->second;
		}
	}
	auto metadata = std::make_shared<const Metadata>(parse(ReadJsonFile(store, location)));
	std::lock_guard<std::mutex> guard(lock);
	if (cache.size() >= kMetadataCacheEntries) {
		cache.clear();
	}
	cache.emplace(location, metadata);
	return metadata;
}

} // namespace

std::shared_ptr<const iceberg::TableMetadata> CatalogService::ReadMetadata(const std::string &location) {
	return Cached(cache_lock, metadata_cache, location, store,
	              [](const nlohmann::json &json) { return iceberg::ParseTableMetadata(json); });
}

std::shared_ptr<const iceberg::ViewMetadata> CatalogService::ReadViewMetadata(const std::string &location) {
	return Cached(cache_lock, view_cache, location, store,
	              [](const nlohmann::json &json) { return iceberg::ParseViewMetadata(json); });
}

std::string CatalogService::NewTableLocation(const TableIdentifier &id) {
	ValidateName(id.name, "table");
	auto uuid = NewUuid();
	uuid.erase(std::remove(uuid.begin(), uuid.end(), '-'), uuid.end());
	return fmt::format("{}/{}/{}-{}", warehouse, fmt::join(id.namespace_name, "/"), id.name, uuid);
}

std::string CatalogService::NewMetadataLocation(const std::string &table_location,
                                                const std::string &previous_location) {
	int version = previous_location.empty() ? 0 : MetadataVersion(previous_location) + 1;
	return fmt::format("{}/metadata/{:05d}-{}.metadata.json", iceberg::StripTrailingSlash(table_location), version, NewUuid());
}

void CatalogService::WriteMetadata(const std::string &location, const iceberg::TableMetadata &metadata) {
	store.Put(objstore::KeyFromUri(location), iceberg::ToJson(metadata).dump());
}

LoadedTable CatalogService::CreateTable(const CreateTableRequest &request) {
	ValidateName(request.id.name, "table");
	auto location = request.location.empty() ? NewTableLocation(request.id) : iceberg::StripTrailingSlash(request.location);
	objstore::KeyFromUri(location);
	auto metadata = std::make_shared<const iceberg::TableMetadata>(iceberg::NewTableMetadata(
	    request.schema, request.spec, request.sort_order, location, request.properties));
	auto metadata_location = NewMetadataLocation(location, "");
	PublishNew(request.id, metastore::ObjectKind::Table, metadata_location, iceberg::ToJson(*metadata).dump());
	return LoadedTable {request.id, metadata_location, metadata};
}

LoadedTable CatalogService::RegisterTable(const TableIdentifier &id, const std::string &metadata_location) {
	ValidateName(id.name, "table");
	auto metadata = ReadMetadata(metadata_location);
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		transaction.CreateObject({id.namespace_name, id.name, metastore::ObjectKind::Table, metadata_location});
	});
	return LoadedTable {id, metadata_location, metadata};
}

void CatalogService::RenameTable(const TableIdentifier &from, const TableIdentifier &to) {
	RenameObject(from, to, metastore::ObjectKind::Table);
}

void CatalogService::DropTable(const TableIdentifier &id, bool purge) {
	auto metadata_location = DropObject(id, metastore::ObjectKind::Table);
	if (purge) {
		PurgeTableFiles(store, *ReadMetadata(metadata_location), metadata_location);
	}
}

LoadedTable CatalogService::CommitTable(const TableIdentifier &id, const TableChange &change) {
	return CommitTables({id}, [&](const std::vector<LoadedTable> &bases) {
		for (auto &requirement : change.requirements) {
			iceberg::CheckRequirement(requirement, bases[0].metadata.get());
		}
		return std::vector<TableChange> {change};
	})[0];
}

std::vector<std::unique_lock<std::mutex>> CatalogService::LockTables(const std::vector<TableIdentifier> &ids) {
	// In one global order (the names, sorted), so two multi-table commits never wait on each other.
	std::set<std::string> names;
	for (auto &id : ids) {
		names.insert(fmt::format("{}\x1f{}", fmt::join(id.namespace_name, "\x1f"), id.name));
	}
	std::vector<std::mutex *> mutexes;
	{
		std::lock_guard<std::mutex> guard(table_locks_lock);
		for (auto &name : names) {
			auto &slot = table_locks[name];
			if (!slot) {
				slot = std::make_unique<std::mutex>();
			}
			mutexes.push_back(slot.get());
		}
	}
	std::vector<std::unique_lock<std::mutex>> locks;
	for (auto *mutex : mutexes) {
		locks.emplace_back(*mutex);
	}
	return locks;
}

std::vector<LoadedTable> CatalogService::CommitTables(const std::vector<TableIdentifier> &ids,
                                                      const ChangeBuilder &build) {
	auto locks = LockTables(ids);
	std::mt19937 random(std::random_device {}());
	for (int attempt = 1;; attempt++) {
		std::vector<LoadedTable> bases;
		for (auto &id : ids) {
			bases.push_back(LoadTable(id));
		}
		auto changes = build(bases);
		if (changes.size() != bases.size()) {
			throw Error(ErrorCode::Internal, "a commit must give one change per table");
		}
		auto now = NowMs();
		std::vector<LoadedTable> results;
		for (size_t i = 0; i < bases.size(); i++) {
			auto &base = bases[i];
			for (auto &requirement : changes[i].requirements) {
				iceberg::CheckRequirement(requirement, base.metadata.get());
			}
			if (changes[i].updates.empty()) {
				results.push_back(base);
				continue;
			}
			auto next = iceberg::ApplyUpdates(*base.metadata, changes[i].updates, now,
			                                  iceberg::MetadataLogEntry {base.metadata->last_updated_ms,
			                                                             base.metadata_location});
			auto location = NewMetadataLocation(next.location, base.metadata_location);
			WriteMetadata(location, next);
			results.push_back(
			    LoadedTable {base.id, location, std::make_shared<const iceberg::TableMetadata>(std::move(next))});
		}
		bool swapped = true;
		try {
			metastore.RunInTransaction([&](metastore::Transaction &transaction) {
				for (size_t i = 0; i < bases.size() && swapped; i++) {
					if (results[i].metadata_location != bases[i].metadata_location) {
						swapped = transaction.SwapMetadataLocation(bases[i].id.namespace_name, bases[i].id.name,
						                                           bases[i].metadata_location,
						                                           results[i].metadata_location);
					}
				}
				if (!swapped) {
					// Rolls back the swaps this transaction already made.
					throw LostRace();
				}
			});
			return results;
		} catch (const LostRace &) {
		}
		for (size_t i = 0; i < bases.size(); i++) {
			if (results[i].metadata_location != bases[i].metadata_location) {
				store.Delete(objstore::KeyFromUri(results[i].metadata_location));
			}
		}
		if (attempt == kMaxCommitAttempts) {
			throw Error(ErrorCode::SerializationFailure,
			            fmt::format("could not commit to \"{}\": {} concurrent commits won the race", ToString(ids[0]),
			                        attempt));
		}
		// Another process won: back off a random, growing while so competing writers spread out.
		std::uniform_int_distribution<int> jitter(1, 1 << std::min(attempt, 8));
		std::this_thread::sleep_for(std::chrono::milliseconds(jitter(random)));
	}
}

std::vector<TableIdentifier> CatalogService::ListViews(const NamespaceName &namespace_name) {
	return ListObjects(namespace_name, metastore::ObjectKind::View);
}

std::optional<LoadedView> CatalogService::FindView(const TableIdentifier &id) {
	auto location = FindMetadataLocation(id, metastore::ObjectKind::View);
	if (!location) {
		return std::nullopt;
	}
	return LoadedView {id, *location, ReadViewMetadata(*location)};
}

LoadedView CatalogService::LoadView(const TableIdentifier &id) {
	auto view = FindView(id);
	if (!view) {
		throw Error(ErrorCode::UndefinedTable, fmt::format("view \"{}\" does not exist", ToString(id)));
	}
	return std::move(*view);
}

LoadedView CatalogService::SwapView(const LoadedView &base, const iceberg::ViewMetadata &metadata) {
	auto location = NewMetadataLocation(metadata.location, base.metadata_location);
	store.Put(objstore::KeyFromUri(location), iceberg::ToJson(metadata).dump());
	bool swapped = false;
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		swapped = transaction.SwapMetadataLocation(base.id.namespace_name, base.id.name, base.metadata_location,
		                                           location);
	});
	if (!swapped) {
		store.Delete(objstore::KeyFromUri(location));
		throw Error(ErrorCode::SerializationFailure,
		            fmt::format("view \"{}\" was changed concurrently", ToString(base.id)));
	}
	return LoadedView {base.id, location, std::make_shared<const iceberg::ViewMetadata>(metadata)};
}

LoadedView CatalogService::CreateView(const TableIdentifier &id, const iceberg::Schema &schema,
                                      const iceberg::ViewVersion &version,
                                      const std::map<std::string, std::string> &properties, bool replace) {
	ValidateName(id.name, "view");
	if (replace) {
		if (auto existing = FindView(id)) {
			// An equal schema is reused, as Java's builder does; only a new one is "the last added".
			auto next_version = version;
			next_version.schema_id = iceberg::kLastAdded;
			std::vector<iceberg::ViewUpdate> updates;
			for (auto &known : existing->metadata->schemas) {
				if (known.SameSchema(schema)) {
					next_version.schema_id = known.schema_id;
				}
			}
			if (next_version.schema_id == iceberg::kLastAdded) {
				updates.push_back(iceberg::AddSchemaUpdate {schema, std::nullopt});
			}
			updates.push_back(iceberg::AddViewVersionUpdate {next_version});
			updates.push_back(iceberg::SetCurrentViewVersionUpdate {iceberg::kLastAdded});
			updates.push_back(iceberg::SetPropertiesUpdate {properties});
			auto metadata = iceberg::ApplyViewUpdates(*existing->metadata, updates, NowMs());
			return SwapView(*existing, metadata);
		}
	}
	auto metadata = iceberg::NewViewMetadata(schema, version, NewTableLocation(id), properties);
	auto location = NewMetadataLocation(metadata.location, "");
	PublishNew(id, metastore::ObjectKind::View, location, iceberg::ToJson(metadata).dump());
	return LoadedView {id, location, std::make_shared<const iceberg::ViewMetadata>(std::move(metadata))};
}

LoadedView CatalogService::CommitView(const TableIdentifier &id,
                                      const std::vector<iceberg::ViewRequirement> &requirements,
                                      const std::vector<iceberg::ViewUpdate> &updates) {
	auto base = LoadView(id);
	for (auto &requirement : requirements) {
		iceberg::CheckViewRequirement(requirement, base.metadata.get());
	}
	return SwapView(base, iceberg::ApplyViewUpdates(*base.metadata, updates, NowMs()));
}

void CatalogService::RenameView(const TableIdentifier &from, const TableIdentifier &to) {
	RenameObject(from, to, metastore::ObjectKind::View);
}

void CatalogService::DropView(const TableIdentifier &id) {
	DropObject(id, metastore::ObjectKind::View);
}

} // namespace akko::catalog
