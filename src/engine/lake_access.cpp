#include "engine/lake_access.hpp"

#include "common/hex.hpp"
#include "common/random.hpp"
#include "engine/lake_transaction.hpp"
#include "engine/lake_types.hpp"
#include "engine/session_access.hpp"
#include "duckdb/parser/keyword_helper.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace akko::engine {

using namespace duckdb;

namespace {

// Marks a base name: a character no identifier a client sends survives into (the lexer refuses
// none, but nobody can guess the secret after it).
constexpr char kBaseNameMark = '\x1e';

const std::string &BaseNameSecret() {
	static const std::string secret = Hex(RandomBytes(16));
	return secret;
}

LakeObjectName ObjectName(const std::string &schema, const std::string &name) {
	return {NamespaceOf(schema), name};
}

template <class F>
void Checked(F &&check) {
	try {
		check();
	} catch (const akko::Error &error) {
		ThrowAsDuck(error);
	}
}

void AddUnique(std::vector<std::string> &into, const std::string &value) {
	auto at = std::lower_bound(into.begin(), into.end(), value);
	if (at == into.end() || *at != value) {
		into.insert(at, value);
	}
}

std::string Quoted(const std::string &identifier) {
	return KeywordHelper::WriteQuoted(identifier, '"');
}

} // namespace

void CheckLakeTable(ClientContext &context, const std::string &schema, const std::string &name, TableAction action) {
	if (auto *guard = GuardOf(context)) {
		Checked([&] { guard->CheckTable(ObjectName(schema, name), action); });
	}
}

void CheckLakeNamespaceDdl(ClientContext &context, const std::string &schema) {
	if (auto *guard = GuardOf(context)) {
		Checked([&] { guard->CheckNamespaceDdl(NamespaceOf(schema)); });
	}
}

void CheckLakeCatalogDdl(ClientContext &context) {
	if (auto *guard = GuardOf(context)) {
		Checked([&] { guard->CheckCatalogDdl(); });
	}
}

void NoteTableRead(ClientContext &context, const std::string &schema, const std::string &name) {
	AddUnique(ReportOf(context).tables_read, ObjectName(schema, name).ToString());
}

void NoteTableWritten(ClientContext &context, const std::string &schema, const std::string &name) {
	AddUnique(ReportOf(context).tables_written, ObjectName(schema, name).ToString());
}

TableRestriction RestrictionFor(ClientContext &context, const std::string &schema, const std::string &name) {
	auto *guard = GuardOf(context);
	if (!guard || guard->Unrestricted()) {
		return {};
	}
	TableRestriction restriction;
	Checked([&] { restriction = guard->RestrictionOn(ObjectName(schema, name)); });
	for (auto &applied : restriction.applied) {
		AddUnique(ReportOf(context).restrictions, applied);
	}
	return restriction;
}

void RefuseRestrictedWrite(ClientContext &context, const std::string &schema, const std::string &name) {
	auto action = WriteTargetAction(context, schema, name);
	if (!action) {
		return;
	}
	CheckLakeTable(context, schema, name, *action);
	ThrowAsDuck(akko::Error(ErrorCode::FeatureNotSupported,
	                        fmt::format("cannot write {}: you read it through row filters or column masks, and "
	                                    "writes through them are not supported",
	                                    ObjectName(schema, name).ToString())));
}

std::string RestrictedViewSql(const std::string &schema, const std::string &name, const ColumnList &columns,
                              const TableRestriction &restriction) {
	std::string select;
	for (auto &column : columns.Logical()) {
		std::string expression = Quoted(column.Name());
		for (auto &[masked, mask] : restriction.column_masks) {
			if (StringUtil::CIEquals(masked, column.Name())) {
				expression = fmt::format("({}) AS {}", mask, Quoted(column.Name()));
			}
		}
		select += (select.empty() ? "" : ", ") + expression;
	}
	auto base = fmt::format("iceberg.{}.{}", Quoted(schema), Quoted(name + kBaseNameMark + BaseNameSecret()));
	// OFFSET 0 keeps the filter below the client's own predicates: the optimizer moves no filter
	// across a limit, so a predicate that fails (or calls error()) never sees a hidden row.
	auto filtered = restriction.row_filter.empty()
	                    ? base
	                    : fmt::format("(SELECT * FROM {} WHERE {} OFFSET 0)", base, restriction.row_filter);
	return fmt::format("CREATE VIEW {} AS SELECT {} FROM {} AS {}", Quoted(name), select, filtered, Quoted(name));
}

std::optional<std::string> TableOfBaseName(const std::string &name) {
	auto mark = name.rfind(kBaseNameMark);
	if (mark == std::string::npos || name.compare(mark + 1, std::string::npos, BaseNameSecret()) != 0) {
		return std::nullopt;
	}
	return name.substr(0, mark);
}

void MergeReport(AccessReport &into, const AccessReport &from) {
	for (auto &table : from.tables_read) {
		AddUnique(into.tables_read, table);
	}
	for (auto &table : from.tables_written) {
		AddUnique(into.tables_written, table);
	}
	for (auto &name : from.restrictions) {
		AddUnique(into.restrictions, name);
	}
}

akko::Error WithheldError(ClientContext &context, akko::Error error) {
	auto *guard = GuardOf(context);
	if (!guard || guard->Unrestricted() || ReportOf(context).restrictions.empty() ||
	    error.code == ErrorCode::PermissionDenied || error.code == ErrorCode::QueryCanceled) {
		return error;
	}
	error.message = fmt::format("{} while reading a table with row filters or column masks (details withheld)",
	                            Describe(error.code).name);
	return error;
}

void CheckExplainAllowed(ClientContext &context, StatementType type) {
	if (type != StatementType::EXPLAIN_STATEMENT || ReportOf(context).restrictions.empty()) {
		return;
	}
	auto *guard = GuardOf(context);
	if (guard && !guard->Unrestricted()) {
		throw akko::Error(ErrorCode::PermissionDenied,
		                  "permission denied: EXPLAIN would show the row filters, masks and row counts of a table you "
		                  "read through them");
	}
}

} // namespace akko::engine
