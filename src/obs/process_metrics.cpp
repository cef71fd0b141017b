#include "obs/process_metrics.hpp"

#include "obs/exposition.hpp"
#include "obs/metrics.hpp"

#include <cmath>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace akko::obs {

namespace {

struct ProcessStat {
	double cpu_seconds = 0;
	double virtual_bytes = 0;
	double resident_bytes = 0;
	double start_ticks = 0; // clock ticks after boot
	bool valid = false;
};

// /proc/self/stat: the command name (field 2) is in parentheses and may hold spaces, so
// fields are counted from the last ')'. Fields 14-15 utime/stime, 22 starttime, 23 vsize,
// 24 rss (pages).
ProcessStat ReadStat() {
	ProcessStat stat;
	std::ifstream file("/proc/self/stat");
	std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
	auto close = text.rfind(')');
	if (close == std::string::npos) {
		return stat;
	}
	std::istringstream fields(text.substr(close + 2));
	std::vector<std::string> values;
	for (std::string value; fields >> value;) {
		values.push_back(value);
	}
	// values[0] is field 3 (state).
	auto field = [&](size_t number) {
		return std::stod(values.at(number - 3));
	};
	if (values.size() < 22) {
		return stat;
	}
	double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
	stat.cpu_seconds = (field(14) + field(15)) / ticks;
	stat.start_ticks = field(22);
	stat.virtual_bytes = field(23);
	stat.resident_bytes = field(24) * static_cast<double>(sysconf(_SC_PAGESIZE));
	stat.valid = true;
	return stat;
}

double BootTime() {
	std::ifstream file("/proc/stat");
	for (std::string line; std::getline(file, line);) {
		if (line.starts_with("btime ")) {
			return std::stod(line.substr(6));
		}
	}
	return 0;
}

double OpenFiles() {
	DIR *dir = opendir("/proc/self/fd");
	if (!dir) {
		return 0;
	}
	double count = 0;
	while (auto entry = readdir(dir)) {
		if (entry->d_name[0] != '.') {
			count++;
		}
	}
	closedir(dir);
	// The descriptor opendir itself holds is not the process's.
	return count - 1;
}

void Collect(std::string &out) {
	auto stat = ReadStat();
	if (stat.valid) {
		static const double start_seconds = BootTime() + stat.start_ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
		AppendHeader(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter");
		AppendSample(out, "process_cpu_seconds_total", "", stat.cpu_seconds);
		AppendHeader(out, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge");
		AppendSample(out, "process_resident_memory_bytes", "", stat.resident_bytes);
		AppendHeader(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge");
		AppendSample(out, "process_virtual_memory_bytes", "", stat.virtual_bytes);
		AppendHeader(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
		             "gauge");
		AppendSample(out, "process_start_time_seconds", "", start_seconds);
	}
	AppendHeader(out, "process_open_fds", "Number of open file descriptors.", "gauge");
	AppendSample(out, "process_open_fds", "", OpenFiles());
	rlimit limit {};
	if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
		AppendHeader(out, "process_max_fds", "Maximum number of open file descriptors.", "gauge");
		AppendSample(out, "process_max_fds", "",
		             limit.rlim_cur == RLIM_INFINITY ? INFINITY : static_cast<double>(limit.rlim_cur));
	}
}

} // namespace

void AddProcessMetrics(MetricRegistry &registry) {
	registry.AddCollector(Collect);
}

} // namespace akko::obs
