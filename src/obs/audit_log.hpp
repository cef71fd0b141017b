#pragma once
// The audit log: one JSON line per statement and per data-touching REST or S3 call, in
// <dir>/audit-<UTC date>.jsonl (then audit-<date>.<n>.jsonl once a file passes its size limit).
// A record is one write(2) to an O_APPEND file, so it is in the kernel before the caller
// answers its client and survives the process being killed; a background thread fdatasyncs
// once a second, so a power loss may take the last second. See docs/audit.md.
#include <cstdint>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace akko::obs {

struct AuditRecord {
	int64_t time_us = 0; // Unix epoch microseconds; 0: stamped when written
	std::string user;
	std::vector<std::string> roles;
	std::string protocol; // "pgwire", "http", "iceberg_rest", "s3"
	std::string client;   // peer address
	// The SQL text, or e.g. "s3:GetObject bucket/key", "iceberg:loadTable ns.t".
	std::string operation;
	std::vector<std::string> tables_read;
	std::vector<std::string> tables_written;
	std::vector<std::string> restrictions; // row filter and mask names applied
	std::optional<uint64_t> rows;          // returned or affected; none for calls without rows
	double duration_ms = 0;
	std::string outcome = "ok"; // or the error's stable name
	std::string error;
};

class AuditLog {
public:
	static constexpr uint64_t kDefaultMaxFileBytes = 64ull << 20;

	// Creates `directory` when missing; throws akko::Error when it cannot.
	explicit AuditLog(std::string directory_p, uint64_t max_file_bytes_p = kDefaultMaxFileBytes);
	~AuditLog();
	AuditLog(const AuditLog &) = delete;
	AuditLog &operator=(const AuditLog &) = delete;

	// Never throws: a record that cannot be written is counted (aden_audit_write_errors_total)
	// and logged.
	void Write(const AuditRecord &record) noexcept;
	// Forces what was written to disk now, not within the second.
	void Sync() noexcept;
	const std::string &Directory() const {
		return directory;
	}

	struct File;

private:
	void OpenFor(int64_t day);
	void SyncLoop();

	std::string directory;
	uint64_t max_file_bytes;

	std::mutex lock;
	std::shared_ptr<File> current;
	// Files rotated away from, to sync once more before they are closed.
	std::vector<std::shared_ptr<File>> retired;
	uint64_t writes_since_sync = 0;

	std::mutex sync_lock; // one fdatasync pass at a time
	std::condition_variable wake;
	bool stopping = false;
	std::thread syncer;
};

// The records of every audit file in `directory`, oldest first. Lines that do not parse (a
// record torn by a crash mid-write) are skipped.
class AuditReader {
public:
	explicit AuditReader(const std::string &directory);
	~AuditReader();
	// The next record, false at the end.
	bool Next(AuditRecord &record);

private:
	std::vector<std::string> files;
	size_t next_file = 0;
	std::ifstream input;
	std::string line;
};

// "2024-05-01T12:00:00.123456Z" and back; Parse throws akko::Error on anything else.
std::string FormatAuditTime(int64_t time_us);
int64_t ParseAuditTime(const std::string &text);

} // namespace akko::obs
