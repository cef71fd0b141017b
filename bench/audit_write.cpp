// The audit log's write path alone (bench/access.py runs it; method in docs/benchmarks.md):
// --records N audit records of a typical restricted SELECT written through obs::AuditLog by
// --threads T threads, against the disk's floor in the same process and directory: the very
// bytes AuditLog wrote (read back from its files), one write(2) per line to an O_APPEND file,
// with a thread calling fdatasync once a second, as AuditLog's syncer does. Rounds alternate
// the two; each round's time runs from the first write to the last one returning (the final
// sync at close is left out of both). Prints one JSON object.
#include "obs/audit_log.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
	uint64_t records = 200000;
	int threads = 1;
	int rounds = 3;
	std::string directory;
};

double Median(std::vector<double> values) {
	std::sort(values.begin(), values.end());
	return values[values.size() / 2];
}

akko::obs::AuditRecord TypicalRecord(uint64_t n) {
	akko::obs::AuditRecord record;
	record.user = "eve";
	record.roles = {"akko-viewer", "public"};
	record.protocol = "pgwire";
	record.client = "127.0.0.1:" + std::to_string(40000 + n % 20000);
	record.operation = "SELECT * FROM main.customers WHERE id = " + std::to_string(n * 7919 % 1000000);
	record.tables_read = {"main.customers"};
	record.restrictions = {"active_only", "email_mask", "phone_mask", "name_mask"};
	record.rows = 1;
	record.duration_ms = 0.42;
	return record;
}

// Runs body(thread, first, last) on `threads` threads splitting [0, records); wall seconds.
template <class F>
double Parallel(const Options &options, F &&body) {
	std::vector<std::thread> workers;
	auto start = Clock::now();
	for (int t = 0; t < options.threads; t++) {
		auto first = options.records * t / options.threads;
		auto last = options.records * (t + 1) / options.threads;
		workers.emplace_back([&body, t, first, last] { body(t, first, last); });
	}
	for (auto &worker : workers) {
		worker.join();
	}
	return std::chrono::duration<double>(Clock::now() - start).count();
}

// Every line of the audit files in `directory`, in file order.
std::vector<std::string> AuditLines(const fs::path &directory) {
	std::vector<fs::path> files;
	for (auto &entry : fs::directory_iterator(directory)) {
		files.push_back(entry.path());
	}
	std::sort(files.begin(), files.end());
	std::vector<std::string> lines;
	for (auto &file : files) {
		std::ifstream input(file, std::ios::binary);
		std::string line;
		while (std::getline(input, line)) {
			lines.push_back(line + "\n");
		}
	}
	return lines;
}

// The floor: write(2) of each line, fdatasync once a second from another thread.
double WriteFloor(const Options &options, const fs::path &path, const std::vector<std::string> &lines,
                  uint64_t &syncs) {
	auto fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		std::fprintf(stderr, "cannot open %s: %s\n", path.c_str(), std::strerror(errno));
		std::exit(1);
	}
	std::mutex lock;
	std::condition_variable wake;
	bool stopping = false;
	syncs = 0;
	std::thread syncer([&] {
		std::unique_lock<std::mutex> guard(lock);
		while (!wake.wait_for(guard, std::chrono::seconds(1), [&] { return stopping; })) {
			::fdatasync(fd);
			syncs++;
		}
	});
	auto seconds = Parallel(options, [&](int, uint64_t first, uint64_t last) {
		for (auto i = first; i < last; i++) {
			std::string_view data = lines[i];
			while (!data.empty()) {
				auto written = ::write(fd, data.data(), data.size());
				if (written < 0 && errno != EINTR) {
					std::fprintf(stderr, "write: %s\n", std::strerror(errno));
					std::exit(1);
				}
				data.remove_prefix(written < 0 ? 0 : static_cast<size_t>(written));
			}
		}
	});
	{
		std::lock_guard<std::mutex> guard(lock);
		stopping = true;
	}
	wake.notify_all();
	syncer.join();
	::fdatasync(fd);
	::close(fd);
	return seconds;
}

} // namespace

int main(int argc, char **argv) {
	Options options;
	for (int i = 1; i + 1 < argc; i += 2) {
		std::string_view arg = argv[i];
		if (arg == "--records") {
			options.records = std::strtoull(argv[i + 1], nullptr, 10);
		} else if (arg == "--threads") {
			options.threads = std::atoi(argv[i + 1]);
		} else if (arg == "--rounds") {
			options.rounds = std::atoi(argv[i + 1]);
		} else if (arg == "--dir") {
			options.directory = argv[i + 1];
		} else {
			std::fprintf(stderr, "usage: audit_write [--records N] [--threads T] [--rounds R] [--dir DIR]\n");
			return 2;
		}
	}
	if (options.records == 0 || options.threads < 1 || options.rounds < 1 || argc % 2 == 0) {
		std::fprintf(stderr, "usage: audit_write [--records N] [--threads T] [--rounds R] [--dir DIR]\n");
		return 2;
	}
	auto parent = options.directory.empty() ? fs::temp_directory_path() : fs::path(options.directory);
	auto root = parent / ("akko-audit-write-" + std::to_string(std::random_device()()));
	fs::create_directories(root);

	std::vector<akko::obs::AuditRecord> records;
	records.reserve(options.records);
	for (uint64_t n = 0; n < options.records; n++) {
		records.push_back(TypicalRecord(n));
	}

	std::vector<double> audit_seconds, floor_seconds;
	uint64_t bytes = 0, floor_syncs = 0;
	for (int round = 0; round < options.rounds; round++) {
		auto audit_dir = root / ("audit-" + std::to_string(round));
		{
			akko::obs::AuditLog log(audit_dir.string());
			audit_seconds.push_back(Parallel(options, [&](int, uint64_t first, uint64_t last) {
				for (auto i = first; i < last; i++) {
					log.Write(records[i]);
				}
			}));
		}
		auto lines = AuditLines(audit_dir);
		if (lines.size() != options.records) {
			std::fprintf(stderr, "AuditLog wrote %zu lines for %llu records\n", lines.size(),
			             static_cast<unsigned long long>(options.records));
			return 1;
		}
		bytes = 0;
		for (auto &line : lines) {
			bytes += line.size();
		}
		auto floor_path = root / ("floor-" + std::to_string(round) + ".jsonl");
		floor_seconds.push_back(WriteFloor(options, floor_path, lines, floor_syncs));
		if (fs::file_size(floor_path) != bytes) {
			std::fprintf(stderr, "floor file has %llu bytes, expected %llu\n",
			             static_cast<unsigned long long>(fs::file_size(floor_path)),
			             static_cast<unsigned long long>(bytes));
			return 1;
		}
		fs::remove_all(audit_dir);
		fs::remove(floor_path);
	}
	fs::remove_all(root);

	auto audit = Median(audit_seconds);
	auto floor = Median(floor_seconds);
	auto list = [&](const std::vector<double> &values) {
		std::string text = "[";
		for (size_t i = 0; i < values.size(); i++) {
			text += (i ? ", " : "") + std::to_string(values[i]);
		}
		return text + "]";
	};
	std::printf("{\"records\": %llu, \"threads\": %d, \"rounds\": %d, \"bytes_per_record\": %.1f, "
	            "\"audit_log_records_per_s\": %.1f, \"floor_records_per_s\": %.1f, \"audit_log_s\": %s, "
	            "\"floor_s\": %s, \"floor_syncs_last_round\": %llu}\n",
	            static_cast<unsigned long long>(options.records), options.threads, options.rounds,
	            static_cast<double>(bytes) / options.records, options.records / audit, options.records / floor,
	            list(audit_seconds).c_str(), list(floor_seconds).c_str(), static_cast<unsigned long long>(floor_syncs));
	return 0;
}
