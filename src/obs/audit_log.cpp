#include "obs/audit_log.hpp"

#include "common/civil_time.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "obs/metrics.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <tuple>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace akko::obs {

namespace fs = std::filesystem;

struct AuditLog::File {
	int fd = -1;
	int64_t day = 0;
	uint64_t size = 0;
	// A short write left a partial line: the next record starts on a fresh line.
	bool torn = false;
	// Created by this process: the directory entry needs a sync too.
	bool created = false;

	~File() {
		if (fd >= 0) {
			::close(fd);
		}
	}
};

namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

struct AuditMetrics {
	CounterFamily &records =
	    DefaultRegistry().AddCounter("aden_audit_records_total", "Audit records written to the audit log.");
	CounterFamily &write_errors = DefaultRegistry().AddCounter(
	    "aden_audit_write_errors_total", "Audit records that could not be written (or were torn) by an I/O error.");
};

AuditMetrics &Metrics() {
	static AuditMetrics metrics;
	return metrics;
}

int64_t NowUs() {
	return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

std::string DateOf(int64_t day) {
	int64_t year = 0;
	unsigned month = 0;
	unsigned mday = 0;
	CivilFromDays(day, year, month, mday);
	return fmt::format("{:04}-{:02}-{:02}", year, month, mday);
}

// The n-th file of a day: audit-<date>.jsonl, then audit-<date>.<n>.jsonl.
std::string FileName(const std::string &date, uint64_t sequence) {
	return sequence == 0 ? fmt::format("audit-{}.jsonl", date) : fmt::format("audit-{}.{}.jsonl", date, sequence);
}

// Date and sequence of an audit file's name; nullopt for any other name.
std::optional<std::pair<std::string, uint64_t>> ParseFileName(const std::string &name) {
	constexpr std::string_view prefix = "audit-";
	constexpr std::string_view suffix = ".jsonl";
	constexpr size_t date_size = 10;
	if (!name.starts_with(prefix) || !name.ends_with(suffix) || name.size() < prefix.size() + date_size + suffix.size()) {
		return std::nullopt;
	}
	auto date = name.substr(prefix.size(), date_size);
	auto rest = std::string_view(name).substr(prefix.size() + date_size);
	rest.remove_suffix(suffix.size());
	uint64_t sequence = 0;
	if (!rest.empty()) {
		if (rest[0] != '.' || rest.size() == 1) {
			return std::nullopt;
		}
		auto parsed = std::from_chars(rest.data() + 1, rest.data() + rest.size(), sequence);
		if (parsed.ec != std::errc() || parsed.ptr != rest.data() + rest.size() || sequence == 0) {
			return std::nullopt;
		}
	}
	return std::make_pair(date, sequence);
}

// The record as a JSON object without its time, which is stamped under the log's lock: the
// rest is serialized before taking it, so writers wait for one another only for the write.
std::string JsonWithoutTime(const AuditRecord &record) {
	nlohmann::json line = {{"user", record.user},
	                       {"roles", record.roles},
	                       {"protocol", record.protocol},
	                       {"client", record.client},
	                       {"operation", record.operation},
	                       {"tables_read", record.tables_read},
	                       {"tables_written", record.tables_written},
	                       {"restrictions", record.restrictions},
	                       {"rows", nullptr},
	                       {"duration_ms", record.duration_ms},
	                       {"outcome", record.outcome},
	                       {"error", record.error}};
	if (record.rows) {
		line["rows"] = *record.rows;
	}
	return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// {"time":"...",<the rest>}
std::string LineWithTime(const std::string &without_time, int64_t time_us) {
	return fmt::format("{{\"time\":\"{}\",{}\n", FormatAuditTime(time_us), std::string_view(without_time).substr(1));
}

std::vector<std::string> StringList(const nlohmann::json &object, const char *key) {
	std::vector<std::string> values;
	auto found = object.find(key);
	if (found != object.end() && found->is_array()) {
		for (auto &value : *found) {
			if (value.is_string()) {
				values.push_back(value.get<std::string>());
			}
		}
	}
	return values;
}

std::string String(const nlohmann::json &object, const char *key) {
	auto found = object.find(key);
	return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

void WriteAll(int fd, std::string_view data) {
	while (!data.empty()) {
		auto written = ::write(fd, data.data(), data.size());
		if (written < 0) {
			if (errno == EINTR) {
				continue;
			}
			throw Error(ErrorCode::Internal, fmt::format("write: {}", std::strerror(errno)));
		}
		data.remove_prefix(static_cast<size_t>(written));
	}
}

} // namespace

std::string FormatAuditTime(int64_t time_us) {
	auto day = FloorDivide(time_us, kMicrosPerDay);
	auto of_day = time_us - day * kMicrosPerDay;
	auto seconds = of_day / kMicrosPerSecond;
	return fmt::format("{}T{:02}:{:02}:{:02}.{:06}Z", DateOf(day), seconds / 3600, seconds / 60 % 60, seconds % 60,
	                   of_day % kMicrosPerSecond);
}

int64_t ParseAuditTime(const std::string &text) {
	// Fixed layout: "YYYY-MM-DDTHH:MM:SS.ffffffZ".
	auto fail = [&] { return Error(ErrorCode::InvalidInput, fmt::format("not an audit time: \"{}\"", text)); };
	if (text.size() != 27 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
	    text[16] != ':' || text[19] != '.' || text[26] != 'Z') {
		throw fail();
	}
	auto number = [&](size_t at, size_t width) {
		int64_t value = 0;
		auto parsed = std::from_chars(text.data() + at, text.data() + at + width, value);
		if (parsed.ec != std::errc() || parsed.ptr != text.data() + at + width) {
			throw fail();
		}
		return value;
	};
	auto month = number(5, 2);
	auto mday = number(8, 2);
	auto hour = number(11, 2);
	auto minute = number(14, 2);
	auto second = number(17, 2);
	if (month < 1 || month > 12 || mday < 1 || mday > 31 || hour > 23 || minute > 59 || second > 59) {
		throw fail();
	}
	auto day = DaysFromCivil(number(0, 4), static_cast<unsigned>(month), static_cast<unsigned>(mday));
	return day * kMicrosPerDay + ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + number(20, 6);
}

AuditLog::AuditLog(std::string directory_p, uint64_t max_file_bytes_p)
    : directory(std::move(directory_p)), max_file_bytes(max_file_bytes_p) {
	std::error_code failed;
	fs::create_directories(directory, failed);
	if (failed) {
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("cannot create the audit directory {}: {}", directory, failed.message()));
	}
	Metrics();
	syncer = std::thread([this] { SyncLoop(); });
}

AuditLog::~AuditLog() {
	{
		std::lock_guard<std::mutex> guard(lock);
		stopping = true;
	}
	wake.notify_all();
	syncer.join();
	Sync();
}

void AuditLog::OpenFor(int64_t day) {
	auto date = DateOf(day);
	// The day's last file, unless it is full: a restart appends where the last run stopped.
	uint64_t sequence = 0;
	std::error_code ignored;
	for (auto &entry : fs::directory_iterator(directory, ignored)) {
		auto parsed = ParseFileName(entry.path().filename().string());
		if (parsed && parsed->first == date) {
			sequence = std::max(sequence, parsed->second);
		}
	}
	std::shared_ptr<File> file;
	for (;; sequence++) {
		auto path = (fs::path(directory) / FileName(date, sequence)).string();
		auto fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (fd < 0) {
			throw Error(ErrorCode::Internal, fmt::format("cannot open {}: {}", path, std::strerror(errno)));
		}
		file = std::make_shared<File>();
		file->fd = fd;
		file->day = day;
		struct stat status {};
		if (::fstat(fd, &status) != 0) {
			throw Error(ErrorCode::Internal, fmt::format("cannot stat {}: {}", path, std::strerror(errno)));
		}
		file->size = static_cast<uint64_t>(status.st_size);
		file->created = status.st_size == 0;
		if (file->size < max_file_bytes) {
			break;
		}
	}
	if (file->size > 0) {
		// A record torn by a crash must not swallow the next one into its line (hence O_RDWR).
		char last = '\n';
		if (::pread(file->fd, &last, 1, static_cast<off_t>(file->size - 1)) == 1 && last != '\n') {
			file->torn = true;
		}
	}
	if (current) {
		retired.push_back(std::move(current));
	}
	current = std::move(file);
}

void AuditLog::Write(const AuditRecord &record) noexcept {
	try {
		auto without_time = JsonWithoutTime(record);
		std::lock_guard<std::mutex> guard(lock);
		// Stamped under the lock, so times rise through the files.
		auto time_us = record.time_us != 0 ? record.time_us : NowUs();
		auto day = FloorDivide(time_us, kMicrosPerDay);
		if (!current || day > current->day || current->size >= max_file_bytes) {
			OpenFor(current ? std::max(day, current->day) : day);
		}
		auto line = LineWithTime(without_time, time_us);
		if (current->torn) {
			line.insert(line.begin(), '\n');
		}
		current->torn = true;
		WriteAll(current->fd, line);
		current->torn = false;
		current->size += line.size();
		writes_since_sync++;
		Metrics().records.Labels({}).Increment();
	} catch (const std::exception &error) {
		Metrics().write_errors.Labels({}).Increment();
		log::Write(log::Level::Error, "audit_write_failed", {{"directory", directory}, {"error", error.what()}});
	}
}

void AuditLog::Sync() noexcept {
	std::lock_guard<std::mutex> pass(sync_lock);
	std::vector<std::shared_ptr<File>> files;
	{
		std::lock_guard<std::mutex> guard(lock);
		if (writes_since_sync == 0 && retired.empty()) {
			return;
		}
		writes_since_sync = 0;
		files = std::move(retired);
		retired.clear();
		if (current) {
			files.push_back(current);
		}
	}
	// Outside the lock: writers never wait for the disk.
	bool new_entries = false;
	for (auto &file : files) {
		if (::fdatasync(file->fd) != 0) {
			Metrics().write_errors.Labels({}).Increment();
			log::Write(log::Level::Error, "audit_sync_failed", {{"directory", directory}, {"error", std::strerror(errno)}});
		}
		new_entries = new_entries || std::exchange(file->created, false);
	}
	if (new_entries) {
		auto fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			::fsync(fd);
			::close(fd);
		}
	}
}

void AuditLog::SyncLoop() {
	std::unique_lock<std::mutex> guard(lock);
	while (!wake.wait_for(guard, std::chrono::seconds(1), [this] { return stopping; })) {
		guard.unlock();
		Sync();
		guard.lock();
	}
}

AuditReader::AuditReader(const std::string &directory) {
	std::vector<std::tuple<std::string, uint64_t, std::string>> found;
	std::error_code ignored;
	for (auto &entry : fs::directory_iterator(directory, ignored)) {
		if (auto parsed = ParseFileName(entry.path().filename().string())) {
			found.emplace_back(parsed->first, parsed->second, entry.path().string());
		}
	}
	std::sort(found.begin(), found.end());
	for (auto &[date, sequence, path] : found) {
		files.push_back(path);
	}
}

AuditReader::~AuditReader() = default;

bool AuditReader::Next(AuditRecord &record) {
	for (;;) {
		if (!input.is_open() || !std::getline(input, line)) {
			if (next_file == files.size()) {
				return false;
			}
			input = std::ifstream(files[next_file++], std::ios::binary);
			continue;
		}
		auto object = nlohmann::json::parse(line, nullptr, false);
		if (object.is_discarded() || !object.is_object()) {
			continue;
		}
		try {
			record = AuditRecord {};
			record.time_us = ParseAuditTime(String(object, "time"));
		} catch (const Error &) {
			continue;
		}
		record.user = String(object, "user");
		record.roles = StringList(object, "roles");
		record.protocol = String(object, "protocol");
		record.client = String(object, "client");
		record.operation = String(object, "operation");
		record.tables_read = StringList(object, "tables_read");
		record.tables_written = StringList(object, "tables_written");
		record.restrictions = StringList(object, "restrictions");
		if (auto rows = object.find("rows"); rows != object.end() && rows->is_number_unsigned()) {
			record.rows = rows->get<uint64_t>();
		}
		if (auto duration = object.find("duration_ms"); duration != object.end() && duration->is_number()) {
			record.duration_ms = duration->get<double>();
		}
		record.outcome = String(object, "outcome");
		record.error = String(object, "error");
		return true;
	}
}

} // namespace akko::obs
