#include "engine/duckdb_internal.hpp"
#include "engine/lake_transaction_manager.hpp"

#include "engine/lake_catalog.hpp"
#include "engine/lake_transaction.hpp"

namespace akko::engine {

LakeTransactionManager::LakeTransactionManager(duckdb::AttachedDatabase &db, LakeCatalog &catalog_p)
    : TransactionManager(db), catalog(catalog_p) {
}

LakeTransactionManager::~LakeTransactionManager() = default;

duckdb::Transaction &LakeTransactionManager::StartTransaction(duckdb::ClientContext &context) {
	auto transaction = std::make_unique<LakeTransaction>(catalog, *this, context);
	auto &result = *transaction;
	std::lock_guard<std::mutex> guard(lock);
	transactions[&result] = std::move(transaction);
	return result;
}

duckdb::ErrorData LakeTransactionManager::CommitTransaction(duckdb::ClientContext &context,
                                                            duckdb::Transaction &transaction) {
	auto &lake_transaction = transaction.Cast<LakeTransaction>();
	duckdb::ErrorData result;
	try {
		lake_transaction.Commit();
	} catch (std::exception &ex) {
		result = duckdb::ErrorData(ex);
		lake_transaction.Rollback();
	}
	std::lock_guard<std::mutex> guard(lock);
	transactions.erase(&transaction);
	return result;
}

void LakeTransactionManager::RollbackTransaction(duckdb::Transaction &transaction) {
	transaction.Cast<LakeTransaction>().Rollback();
	std::lock_guard<std::mutex> guard(lock);
	transactions.erase(&transaction);
}

} // namespace akko::engine
