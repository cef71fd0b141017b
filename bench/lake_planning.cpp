// Scan planning over a table of 10,000 data files in 100 manifests (bench/lake.py runs it; method
// in docs/benchmarks.md). The table is built in a temporary local store the way the engine
// commits: 100 appends of 100 files, each file with its own id range. Times, median of --repeat:
//   cold  PlanScan of `id = <one value>` with an empty manifest cache (every manifest read),
//   warm  the same with the cache filled (the server keeps one per process),
//   count the live files and rows from metadata alone (what COUNT(*) without filters needs),
//   disk  reading the manifest list and the 100 manifests' bytes from the store, no decoding:
//         the floor a cold plan cannot go below.
// Prints one JSON object.
#include "iceberg/scan_planner.hpp"
#include "iceberg/snapshot_producer.hpp"
#include "iceberg/table_update.hpp"
#include "objstore/store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace akko::iceberg;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
	int manifests = 100;
	int files_per_manifest = 100;
	int repeat = 15;
};

double Median(std::vector<double> values) {
	std::sort(values.begin(), values.end());
	return values[values.size() / 2];
}

template <class F>
double TimeMs(F &&body) {
	auto start = Clock::now();
	body();
	return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

} // namespace

int main(int argc, char **argv) {
	Options options;
	for (int i = 1; i + 1 < argc; i += 2) {
		std::string_view arg = argv[i];
		int value = std::atoi(argv[i + 1]);
		if (arg == "--manifests") {
			options.manifests = value;
		} else if (arg == "--files-per-manifest") {
			options.files_per_manifest = value;
		} else if (arg == "--repeat") {
			options.repeat = value;
		} else {
			std::fprintf(stderr, "usage: lake_planning [--manifests N] [--files-per-manifest N] [--repeat N]\n");
			return 2;
		}
	}
	auto root = std::filesystem::temp_directory_path() / ("akko-planning-" + std::to_string(std::random_device()()));
	auto store = akko::objstore::OpenLocalStore(root.string());
	FileReader read = [&](const std::string &uri) { return store->Get(akko::objstore::KeyFromUri(uri)); };
	FileWriter write = [&](const std::string &uri, const std::string &bytes) {
		store->Put(akko::objstore::KeyFromUri(uri), bytes);
	};

	Schema schema;
	schema.fields.push_back({1, "id", true, MakePrimitive(TypeId::Long), {}, {}, {}});
	schema.fields.push_back({2, "payload", false, MakePrimitive(TypeId::String), {}, {}, {}});
	auto table = NewTableMetadata(schema, PartitionSpec {}, SortOrder {}, "s3://bench/planning", {});
	PrimitiveType long_type {TypeKind::Long};
	ManifestCache build_cache;
	constexpr int64_t kRowsPerFile = 1000;
	int64_t file_number = 0;
	for (int m = 0; m < options.manifests; m++) {
		std::vector<AddedFile> files;
		for (int f = 0; f < options.files_per_manifest; f++, file_number++) {
			DataFile file;
			file.file_path = "s3://bench/planning/data/" + std::to_string(file_number) + ".parquet";
			file.record_count = kRowsPerFile;
			file.file_size_in_bytes = 64 << 10;
			file.value_counts = {{1, kRowsPerFile}, {2, kRowsPerFile}};
			file.null_value_counts = {{1, 0}, {2, 0}};
			file.lower_bounds = {{1, SerializeBinary(Literal(file_number * kRowsPerFile), long_type)}};
			file.upper_bounds = {{1, SerializeBinary(Literal(file_number * kRowsPerFile + kRowsPerFile - 1), long_type)}};
			files.push_back({file, 0});
		}
		auto id = NewSnapshotId();
		auto manifests = WriteAddedManifests(table, id, files, write);
		table = ApplyUpdates(table,
		                     ProduceSnapshot(table, id, SnapshotChange {"append", manifests}, 1700000000000 + m,
		                                     build_cache, read, write),
		                     1700000000000 + m);
	}
	auto &snapshot = *table.CurrentSnapshot();
	std::mt19937_64 random(42);
	auto target = [&] { return Literal(static_cast<int64_t>(random() % (file_number * kRowsPerFile))); };

	std::vector<double> cold, warm, count, disk;
	size_t selected = 0, total = 0;
	ManifestCache warm_cache;
	PlanScan(table, snapshot, {}, warm_cache, read);
	for (int r = 0; r < options.repeat; r++) {
		cold.push_back(TimeMs([&] {
			ManifestCache cache;
			auto plan = PlanScan(table, snapshot, {{1, PredicateOp::Equal, target()}}, cache, read);
			selected = plan.tasks.size();
			total = plan.data_files_total;
		}));
		warm.push_back(TimeMs([&] { PlanScan(table, snapshot, {{1, PredicateOp::Equal, target()}}, warm_cache, read); }));
		count.push_back(TimeMs([&] {
			int64_t rows = 0;
			for (auto &entry : LiveEntries(snapshot, warm_cache, read)) {
				rows += entry.data_file.content == FileContent::Data ? entry.data_file.record_count : 0;
			}
			if (rows != file_number * kRowsPerFile) {
				std::abort();
			}
		}));
		disk.push_back(TimeMs([&] {
			size_t bytes = 0;
			for (auto &manifest : ReadManifestList(read(snapshot.manifest_list))) {
				bytes += read(manifest.manifest_path).size();
			}
			if (bytes == 0) {
				std::abort();
			}
		}));
	}
	std::filesystem::remove_all(root);
	std::printf("{\"data_files\": %zu, \"manifests\": %d, \"files_selected\": %zu, \"cold_ms\": %.3f, "
	            "\"warm_ms\": %.3f, \"count_from_metadata_ms\": %.3f, \"disk_read_ms\": %.3f}\n",
	            total, options.manifests, selected, Median(cold), Median(warm), Median(count), Median(disk));
	return selected == 1 ? 0 : 1;
}
