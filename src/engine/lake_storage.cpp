#include "engine/duckdb_internal.hpp"
#include "engine/lake_storage.hpp"

#include "engine/lake_catalog.hpp"
#include "engine/lake_file_system.hpp"
#include "engine/lake_transaction_manager.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <unistd.h>

namespace akko::engine {

using namespace duckdb;

namespace {

struct LakeStorageInfo : public StorageExtensionInfo {
	LakeStorageInfo(catalog::CatalogService &service_p, std::string warehouse_p, uint64_t remote_cache_bytes_p)
	    : service(service_p), warehouse(std::move(warehouse_p)), remote_cache_bytes(remote_cache_bytes_p) {
	}
	catalog::CatalogService &service;
	std::string warehouse;
	uint64_t remote_cache_bytes;
};

unique_ptr<Catalog> LakeAttach(optional_ptr<StorageExtensionInfo> storage_info, ClientContext &context,
                               AttachedDatabase &db, const string &name, AttachInfo &info, AttachOptions &options) {
	auto &lake = static_cast<LakeStorageInfo &>(*storage_info);
	// The lake's s3:// files, wherever the store keeps them; with the local store the engine is
	// given local paths instead and this stays unused.
	auto &file_system = FileSystem::GetFileSystem(context);
	auto registered = file_system.ListSubSystems();
	if (std::find(registered.begin(), registered.end(), "AkkoLakeFileSystem") == registered.end()) {
		auto work_directory = DBConfig::GetConfig(context).options.temporary_directory;
		if (work_directory.empty()) {
			work_directory = (std::filesystem::temp_directory_path() / fmt::format("akko-lake-{}", ::getpid())).string();
		}
		work_directory = (std::filesystem::path(work_directory) / "lake").string();
		file_system.RegisterSubSystem(
		    make_uniq<LakeFileSystem>(lake.service.Store(), work_directory, lake.remote_cache_bytes));
	}
	return make_uniq<LakeCatalog>(db, lake.service, lake.warehouse);
}

unique_ptr<TransactionManager> LakeCreateTransactionManager(optional_ptr<StorageExtensionInfo> storage_info,
                                                            AttachedDatabase &db, Catalog &catalog) {
	return make_uniq<LakeTransactionManager>(db, catalog.Cast<LakeCatalog>());
}

} // namespace

void RegisterLakeStorage(DBConfig &config, catalog::CatalogService &service, const std::string &warehouse,
                         uint64_t remote_cache_bytes) {
	auto extension = make_uniq<StorageExtension>();
	extension->attach = LakeAttach;
	extension->create_transaction_manager = LakeCreateTransactionManager;
	extension->storage_info = make_shared_ptr<LakeStorageInfo>(service, warehouse, remote_cache_bytes);
	config.storage_extensions["akko_lake"] = std::move(extension);
}

} // namespace akko::engine
