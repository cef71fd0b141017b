#include "engine/duckdb_internal.hpp"
#include "engine/lake_storage.hpp"

#include "engine/lake_catalog.hpp"
#include "engine/lake_transaction_manager.hpp"

namespace akko::engine {

using namespace duckdb;

namespace {

struct LakeStorageInfo : public StorageExtensionInfo {
	LakeStorageInfo(catalog::CatalogService &service_p, std::string warehouse_p)
	    : service(service_p), warehouse(std::move(warehouse_p)) {
	}
	catalog::CatalogService &service;
	std::string warehouse;
};

unique_ptr<Catalog> LakeAttach(optional_ptr<StorageExtensionInfo> storage_info, ClientContext &context,
                               AttachedDatabase &db, const string &name, AttachInfo &info, AttachOptions &options) {
	auto &lake = static_cast<LakeStorageInfo &>(*storage_info);
	return make_uniq<LakeCatalog>(db, lake.service, lake.warehouse);
}

unique_ptr<TransactionManager> LakeCreateTransactionManager(optional_ptr<StorageExtensionInfo> storage_info,
                                                            AttachedDatabase &db, Catalog &catalog) {
	return make_uniq<LakeTransactionManager>(db, catalog.Cast<LakeCatalog>());
}

} // namespace

void RegisterLakeStorage(DBConfig &config, catalog::CatalogService &service, const std::string &warehouse) {
	auto extension = make_uniq<StorageExtension>();
	extension->attach = LakeAttach;
	extension->create_transaction_manager = LakeCreateTransactionManager;
	extension->storage_info = make_shared_ptr<LakeStorageInfo>(service, warehouse);
	config.storage_extensions["akko_lake"] = std::move(extension);
}

} // namespace akko::engine
