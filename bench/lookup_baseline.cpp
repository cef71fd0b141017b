// The in-process baseline of the latency benchmark (bench/latency.py): the same prepared
// point lookup through akko::engine::Engine, executed back to back on one session with
// no protocol, socket or client in the way.
//
//   lookup_baseline [--rows N] [--seconds S] [--threads N]
//
// Prints one JSON object: statements, statements_per_s, p50_ms, p99_ms and cpu_us_per_statement.
#include "common/error.hpp"
#include "engine/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Options {
	uint64_t rows = 100000;
	double seconds = 5;
	int threads = 0;
};

[[noreturn]] void Usage() {
	std::fprintf(stderr, "usage: lookup_baseline [--rows N] [--seconds S] [--threads N]\n");
	std::exit(2);
}

Options ParseOptions(int argc, char **argv) {
	Options options;
	for (int i = 1; i < argc; i++) {
		std::string_view arg = argv[i];
		if (i + 1 >= argc) {
			Usage();
		}
		std::string value = argv[++i];
		if (arg == "--rows") {
			options.rows = std::stoull(value);
		} else if (arg == "--seconds") {
			options.seconds = std::stod(value);
		} else if (arg == "--threads") {
			options.threads = std::stoi(value);
		} else {
			Usage();
		}
	}
	return options;
}

double ProcessCpuSeconds() {
	timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

} // namespace

int main(int argc, char **argv) {
	auto options = ParseOptions(argc, argv);
	try {
		akko::engine::EngineOptions engine_options;
		engine_options.threads = options.threads;
		akko::engine::Engine engine(engine_options);
		auto session = engine.Connect();
		// The same table as bench/latency.py creates in akko.
		session->Run("CREATE TABLE kv (id INTEGER PRIMARY KEY, v VARCHAR)");
		session->Run("INSERT INTO kv SELECT i, 'value-' || i FROM range(1, " + std::to_string(options.rows + 1) + ") r(i)")
		    ->ChangedRows();
		auto lookup = session->Prepare("SELECT v FROM kv WHERE id = $1");

		std::mt19937_64 random(42);
		std::uniform_int_distribution<uint64_t> ids(1, options.rows);
		std::vector<double> latencies;
		uint64_t bytes = 0;
		auto clock = std::chrono::steady_clock::now;
		auto started = clock();
		auto deadline = started + std::chrono::duration<double>(options.seconds);
		double cpu_started = ProcessCpuSeconds();
		// As pgbench sends it: the id as text, cast by the engine to the parameter's type.
		akko::engine::Param param;
		param.kind = akko::engine::Param::Kind::Text;
		while (clock() < deadline) {
			param.bytes = std::to_string(ids(random));
			auto begin = clock();
			auto stream = lookup->Execute({param});
			while (auto chunk = stream->Next()) {
				for (auto &value : chunk->Columns()[0].strings) {
					bytes += value.size();
				}
			}
			latencies.push_back(std::chrono::duration<double, std::milli>(clock() - begin).count());
		}
		double seconds = std::chrono::duration<double>(clock() - started).count();
		double cpu = ProcessCpuSeconds() - cpu_started;
		std::sort(latencies.begin(), latencies.end());
		auto at = [&](double fraction) {
			return latencies.empty() ? 0.0 : latencies[size_t(fraction * double(latencies.size() - 1) + 0.5)];
		};
		std::printf("{\"statements\": %zu, \"statements_per_s\": %.1f, \"p50_ms\": %.4f, \"p99_ms\": %.4f, "
		            "\"cpu_us_per_statement\": %.1f, \"bytes\": %llu}\n",
		            latencies.size(), double(latencies.size()) / seconds, at(0.50), at(0.99),
		            cpu * 1e6 / double(std::max<size_t>(latencies.size(), 1)), static_cast<unsigned long long>(bytes));
	} catch (const akko::Error &error) {
		std::fprintf(stderr, "lookup_baseline: %s\n", error.message.c_str());
		return 1;
	}
	return 0;
}
