// The in-process baseline of the streaming benchmark (bench/stream.py): the same query
// through akko::engine::Engine, with no protocol, socket or client in the way. Every value
// of every chunk is touched, so nothing the wire path must read is skipped here.
//
//   stream_baseline --db FILE [--sql QUERY] [--repeat N] [--threads N] [--render-text]
//   stream_baseline --rows N  [...]      generates the benchmark table in memory first
//
// Prints one JSON object per run on stdout: rows, seconds, rows_per_s and a checksum.
// With --render-text each value is also formatted as PostgreSQL's text output would be
// (std::to_chars for numbers, ISO dates, t/f), a bound on what a text-protocol server
// can do on one thread.
#include "common/error.hpp"
#include "engine/engine.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

using akko::engine::ColumnView;
using akko::engine::TypeKind;

struct Options {
	std::string db;
	uint64_t rows = 0;
	std::string sql = "SELECT * FROM t";
	int repeat = 1;
	int threads = 0;
	bool render_text = false;
};

[[noreturn]] void Usage() {
	std::fprintf(stderr, "usage: stream_baseline (--db FILE | --rows N) [--sql QUERY] [--repeat N] [--threads N] "
	                     "[--render-text]\n");
	std::exit(2);
}

Options ParseOptions(int argc, char **argv) {
	Options options;
	for (int i = 1; i < argc; i++) {
		std::string_view arg = argv[i];
		auto value = [&]() -> std::string {
			if (i + 1 >= argc) {
				Usage();
			}
			return argv[++i];
		};
		if (arg == "--db") {
			options.db = value();
		} else if (arg == "--rows") {
			options.rows = std::stoull(value());
		} else if (arg == "--sql") {
			options.sql = value();
		} else if (arg == "--repeat") {
			options.repeat = std::stoi(value());
		} else if (arg == "--threads") {
			options.threads = std::stoi(value());
		} else if (arg == "--render-text") {
			options.render_text = true;
		} else {
			Usage();
		}
	}
	if (options.db.empty() == (options.rows == 0)) {
		Usage();
	}
	return options;
}

// Days since 1970-01-01 to YYYY-MM-DD (Howard Hinnant's civil_from_days), for years 0-9999.
size_t FormatDate(int32_t days, char *out) {
	int64_t z = int64_t(days) + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	auto doe = uint32_t(z - era * 146097);
	uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	auto y = uint32_t(int64_t(yoe) + era * 400);
	uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint32_t mp = (5 * doy + 2) / 153;
	uint32_t d = doy - (153 * mp + 2) / 5 + 1;
	uint32_t m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	out[0] = char('0' + y / 1000 % 10);
	out[1] = char('0' + y / 100 % 10);
	out[2] = char('0' + y / 10 % 10);
	out[3] = char('0' + y % 10);
	out[4] = '-';
	out[5] = char('0' + m / 10);
	out[6] = char('0' + m % 10);
	out[7] = '-';
	out[8] = char('0' + d / 10);
	out[9] = char('0' + d % 10);
	return 10;
}

// Reads one value and folds it into the checksum; with `text`, also renders it.
struct Toucher {
	bool render_text = false;
	uint64_t checksum = 0;
	uint64_t text_bytes = 0;
	char buffer[64];

	void Column(const ColumnView &view) {
		for (uint64_t row = 0; row < view.count; row++) {
			if (view.IsNull(row)) {
				checksum += 1;
				continue;
			}
			Value(view, row);
		}
	}

	template <class T>
	void Number(T value) {
		if (render_text) {
			auto end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
			text_bytes += size_t(end - buffer);
		}
	}

	void Value(const ColumnView &view, uint64_t row) {
		switch (view.type->kind) {
		case TypeKind::Boolean:
			checksum += view.Get<uint8_t>(row);
			text_bytes += render_text;
			break;
		case TypeKind::TinyInt:
			checksum += uint64_t(view.Get<int8_t>(row));
			Number(view.Get<int8_t>(row));
			break;
		case TypeKind::SmallInt:
			checksum += uint64_t(view.Get<int16_t>(row));
			Number(view.Get<int16_t>(row));
			break;
		case TypeKind::Integer:
			checksum += uint64_t(view.Get<int32_t>(row));
			Number(view.Get<int32_t>(row));
			break;
		case TypeKind::BigInt:
			checksum += uint64_t(view.Get<int64_t>(row));
			Number(view.Get<int64_t>(row));
			break;
		case TypeKind::Double: {
			auto value = view.Get<double>(row);
			uint64_t bits;
			std::memcpy(&bits, &value, sizeof(bits));
			checksum += bits;
			Number(value);
			break;
		}
		case TypeKind::Float: {
			auto value = view.Get<float>(row);
			uint32_t bits;
			std::memcpy(&bits, &value, sizeof(bits));
			checksum += bits;
			Number(value);
			break;
		}
		case TypeKind::Date:
			checksum += uint64_t(view.Get<int32_t>(row));
			if (render_text) {
				text_bytes += FormatDate(view.Get<int32_t>(row), buffer);
			}
			break;
		case TypeKind::Time:
		case TypeKind::Timestamp:
			checksum += uint64_t(view.Get<int64_t>(row));
			Number(view.Get<int64_t>(row));
			break;
		default:
			if (row < view.strings.size()) {
				auto text = view.strings[row];
				checksum += text.size() + (text.empty() ? 0 : uint8_t(text[0]));
				text_bytes += render_text ? text.size() : 0;
			}
			break;
		}
	}
};

} // namespace

int main(int argc, char **argv) {
	auto options = ParseOptions(argc, argv);
	try {
		akko::engine::EngineOptions engine_options;
		engine_options.database_path = options.db;
		engine_options.threads = options.threads;
		akko::engine::Engine engine(engine_options);
		auto session = engine.Connect();
		if (options.rows > 0) {
			// The same generator as bench/stream.py uses for akko.
			session->Run("CREATE TABLE t AS SELECT i AS id, (i * 0.37)::DOUBLE AS amount, 'name-' || (i % 1000) AS name, "
			             "DATE '2020-01-01' + (i % 3650)::INTEGER AS day, i % 2 = 0 AS flag FROM range(" +
			             std::to_string(options.rows) + ") r(i)")
			    ->ChangedRows();
		}
		for (int run = 0; run < options.repeat; run++) {
			Toucher toucher;
			toucher.render_text = options.render_text;
			uint64_t rows = 0;
			auto started = std::chrono::steady_clock::now();
			auto stream = session->Run(options.sql);
			while (auto chunk = stream->Next()) {
				rows += chunk->RowCount();
				for (auto &column : chunk->Columns()) {
					toucher.Column(column);
				}
			}
			double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
			std::printf("{\"rows\": %llu, \"seconds\": %.6f, \"rows_per_s\": %.1f, \"checksum\": %llu, "
			            "\"text_bytes\": %llu, \"render_text\": %s}\n",
			            static_cast<unsigned long long>(rows), seconds, double(rows) / seconds,
			            static_cast<unsigned long long>(toucher.checksum),
			            static_cast<unsigned long long>(toucher.text_bytes), options.render_text ? "true" : "false");
			std::fflush(stdout);
		}
	} catch (const akko::Error &error) {
		std::fprintf(stderr, "stream_baseline: %s\n", error.message.c_str());
		return 1;
	}
	return 0;
}
