#pragma once
// What `akko init` (and `akko serve --demo` on start) makes sure a data directory holds: the
// warehouse and per-service buckets, the namespaces banking, raw, staging and analytics, the
// built-in roles and their grants, the admin user, and with the demo its users, data, masks and
// policies. Idempotent: it creates what is missing and leaves what exists, so running it again
// changes nothing and fails on nothing (docs/init.md).
#include "provision/banking_demo.hpp"

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace akko::sql {
class SqlService;
class Session;
} // namespace akko::sql
namespace akko::auth {
class UserDirectory;
}
namespace akko::authz {
class AccessControl;
}
namespace akko::catalog {
class CatalogService;
}
namespace akko::metastore {
class Metastore;
}
namespace akko::objstore {
class BucketStore;
}

namespace akko::provision {

struct SetupServices {
	sql::SqlService &sql; // its access control and user directory are set
	catalog::CatalogService &catalog;
	metastore::Metastore &metastore;
	// The local warehouse's buckets; null when the warehouse is on an external S3 service,
	// whose buckets are the provider's to make.
	objstore::BucketStore *buckets = nullptr;
	std::string warehouse_bucket = "akko-warehouse";
};

struct SetupOptions {
	bool demo = false;
	BankingDemoOptions data;
};

class LakeSetup {
public:
	// `progress` gets one line per step as it goes.
	LakeSetup(SetupServices services, std::function<void(const std::string &)> progress);
	~LakeSetup();

	// Throws akko::Error when a step fails; what earlier steps made stays (and is found next time).
	void Run(const SetupOptions &options);

private:
	void EnsureBuckets();
	void EnsureNamespaces();
	void EnsureGrants();
	void EnsureDemoUsers();
	void EnsureDemoData(const BankingDemoOptions &options, const std::vector<std::string> &statements);
	void EnsureDemoProtections();
	// Creates the demo's missing masks and policies on `table` ("namespace.name"; "" for every
	// table); returns how many were created and how many were there.
	std::pair<size_t, size_t> EnsureProtectionsOn(const std::string &table);
	void EnsureDemoDashboard();
	bool TableExists(const std::string &qualified);
	// Runs one statement as the admin, reading and dropping any rows; returns the row count.
	uint64_t Execute(const std::string &statement);
	std::string FirstValue(const std::string &query);

	SetupServices services;
	std::function<void(const std::string &)> progress;
	std::unique_ptr<sql::Session> session;
};

} // namespace akko::provision
