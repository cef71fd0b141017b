#pragma once
// Scan planning (the table spec's "Scan Planning"): which data files of a snapshot a query must
// read, and which delete files apply to each. Manifests whose partition summaries, and files
// whose partition values or column bounds, cannot satisfy the query's predicates are skipped.
#include "iceberg/manifest.hpp"
#include "iceberg/table_metadata.hpp"

#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace akko::iceberg {

// A file's bytes by URI (the warehouse store, in practice).
using FileReader = std::function<std::string(const std::string &uri)>;

enum class PredicateOp : uint8_t { Equal, Less, LessOrEqual, Greater, GreaterOrEqual, IsNull, NotNull };

// One conjunct the query asks of a column: `column <op> value`. The value has the column's
// type in the scanned schema; IsNull and NotNull ignore it.
struct ColumnPredicate {
	int32_t field_id = 0;
	PredicateOp op = PredicateOp::Equal;
	Literal value;
};

struct ScanTask {
	DataFile data_file;
	int32_t spec_id = 0;
	int64_t data_sequence_number = 0;
	// The delete files that apply to this data file, by the spec's sequence number and
	// partition rules.
	std::vector<DataFile> position_deletes;
	std::vector<DataFile> equality_deletes;
};

struct ScanPlan {
	std::vector<ScanTask> tasks;
	size_t manifests_total = 0;
	size_t manifests_read = 0;
	size_t data_files_total = 0; // live data files in the manifests read
	size_t data_files_skipped = 0;
};

// Manifest lists and manifests, parsed, by URI: they never change once written. Safe to share
// between threads; holds at most `capacity` files, dropping the least recently used.
class ManifestCache {
public:
	explicit ManifestCache(size_t capacity_p = 4096) : capacity(capacity_p) {
	}

	std::shared_ptr<const std::vector<ManifestFile>> ManifestList(const std::string &uri, const FileReader &read);
	// Entries with what they inherit from `manifest` filled in.
	std::shared_ptr<const std::vector<ManifestEntry>> Entries(const ManifestFile &manifest, const FileReader &read);

private:
	std::shared_ptr<const void> Find(const std::string &uri);
	void Insert(const std::string &uri, std::shared_ptr<const void> value);

	size_t capacity;
	std::mutex lock;
	std::list<std::string> recency;
	std::unordered_map<std::string, std::pair<std::shared_ptr<const void>, std::list<std::string>::iterator>> entries;
};

// The files `snapshot` holds that may have rows matching every predicate, with their deletes.
ScanPlan PlanScan(const TableMetadata &metadata, const Snapshot &snapshot, const std::vector<ColumnPredicate> &predicates,
                  ManifestCache &cache, const FileReader &read);

// Every live data and delete file of `snapshot` (its manifests' added and existing entries), for
// metadata tables and maintenance.
std::vector<ManifestEntry> LiveEntries(const Snapshot &snapshot, ManifestCache &cache, const FileReader &read);

} // namespace akko::iceberg
