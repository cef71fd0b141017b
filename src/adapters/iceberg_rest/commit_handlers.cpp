// Table commits: one table (including the commit that ends a staged create) and multi-table
// transactions, all through the catalog's commit protocol.
#include "adapters/iceberg_rest/rest_context.hpp"

#include "common/error.hpp"
#include "common/random.hpp"
#include "iceberg/metadata_json.hpp"
#include "objstore/store.hpp"

#include <fmt/format.h>

#include <set>

namespace akko::iceberg_rest {

namespace mj = iceberg::metadata_json;

namespace {

catalog::TableChange ParseChange(const nlohmann::json &body, const char *what) {
	catalog::TableChange change;
	if (mj::FindMember(body, "requirements")) {
		for (auto &requirement : mj::RequireArray(body, "requirements", what)) {
			change.requirements.push_back(iceberg::ParseTableRequirement(requirement));
		}
	}
	for (auto &update : mj::RequireArray(body, "updates", what)) {
		change.updates.push_back(iceberg::ParseTableUpdate(update));
	}
	return change;
}

bool IsCreate(const catalog::TableChange &change) {
	bool create = false;
	for (auto &requirement : change.requirements) {
		create = create || std::holds_alternative<iceberg::AssertCreate>(requirement);
	}
	if (create && change.requirements.size() != 1) {
		throw Error(ErrorCode::InvalidInput, "assert-create cannot be combined with other requirements");
	}
	return create;
}

// The end of a create transaction: the table Java's CatalogHandlers.create builds from the
// updates, written as its first metadata file, then named in the catalog unless someone else
// took the name meanwhile.
catalog::LoadedTable CreateFromUpdates(RestContext &context, const catalog::TableIdentifier &id,
                                       const catalog::TableChange &change) {
	if (context.catalog.FindTable(id)) {
		throw Error(ErrorCode::SerializationFailure,
		            fmt::format("requirement failed: table \"{}\" was created concurrently", catalog::ToString(id)));
	}
	catalog::ValidateName(id.name, "table");
	if (!context.catalog.NamespaceExists(id.namespace_name)) {
		throw Error(ErrorCode::InvalidSchemaName,
		            fmt::format("namespace \"{}\" does not exist", fmt::join(id.namespace_name, ".")));
	}
	auto metadata = iceberg::NewTableMetadataFromUpdates(change.updates, NowMs());
	auto location = fmt::format("{}/metadata/00000-{}.metadata.json", metadata.location, NewUuid());
	auto key = objstore::KeyFromUri(location);
	auto &store = context.catalog.Store();
	store.Put(key, iceberg::ToJson(metadata).dump());
	try {
		return context.catalog.RegisterTable(id, location);
	} catch (const Error &error) {
		if (!CommitOutcomeUnknown(error)) {
			store.Delete(key);
		}
		if (error.code == ErrorCode::DuplicateTable) {
			throw Error(ErrorCode::SerializationFailure,
			            fmt::format("requirement failed: \"{}\" was created concurrently", catalog::ToString(id)));
		}
		throw;
	}
}

} // namespace

net::HttpResponse CommitTable(RestContext &context, const RestCall &call) {
	auto change = ParseChange(call.Body(), "CommitTableRequest");
	auto id = call.Identifier();
	auto table = IsCreate(change) ? CreateFromUpdates(context, id, change) : context.catalog.CommitTable(id, change);
	return TableResult(context, call, table.metadata_location, *table.metadata, false);
}

net::HttpResponse CommitTransaction(RestContext &context, const RestCall &call) {
	constexpr const char *what = "CommitTransactionRequest";
	auto body = call.Body();
	std::vector<catalog::TableIdentifier> ids;
	std::vector<catalog::TableChange> changes;
	std::set<std::pair<metastore::NamespaceName, std::string>> seen;
	for (auto &item : mj::RequireArray(body, "table-changes", what)) {
		auto &object = mj::RequireObject(item, "table-changes[]");
		auto id = ParseTableIdentifier(mj::RequireMember(object, "identifier", "table-changes[]"), "identifier");
		if (!seen.emplace(id.namespace_name, id.name).second) {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("table \"{}\" appears twice in one transaction", catalog::ToString(id)));
		}
		auto change = ParseChange(object, "table-changes[]");
		if (IsCreate(change)) {
			throw Error(ErrorCode::FeatureNotSupported, "assert-create is not supported in a multi-table transaction");
		}
		ids.push_back(std::move(id));
		changes.push_back(std::move(change));
	}
	if (ids.empty()) {
		throw Error(ErrorCode::InvalidInput, "a transaction needs at least one table change");
	}
	context.catalog.CommitTables(ids, [&](const std::vector<catalog::LoadedTable> &) { return changes; });
	return NoContent();
}

} // namespace akko::iceberg_rest
