#pragma once
// Private to engine/: owns the lake transactions of every session; COMMIT commits the lake's
// share of a DuckDB transaction (see LakeTransaction), and a failed commit rolls it back.
#include "engine/duckdb_internal.hpp"

#include <memory>
#include <mutex>
#include <unordered_map>

namespace akko::engine {

class LakeCatalog;
class LakeTransaction;

class LakeTransactionManager : public duckdb::TransactionManager {
public:
	LakeTransactionManager(duckdb::AttachedDatabase &db, LakeCatalog &catalog_p);
	~LakeTransactionManager() override;

	duckdb::Transaction &StartTransaction(duckdb::ClientContext &context) override;
	duckdb::ErrorData CommitTransaction(duckdb::ClientContext &context, duckdb::Transaction &transaction) override;
	void RollbackTransaction(duckdb::Transaction &transaction) override;
	void Checkpoint(duckdb::ClientContext &context, bool force) override {
	}

private:
	LakeCatalog &catalog;
	std::mutex lock;
	std::unordered_map<duckdb::Transaction *, std::unique_ptr<LakeTransaction>> transactions;
};

} // namespace akko::engine
