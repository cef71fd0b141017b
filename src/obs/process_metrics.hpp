#pragma once
// The standard process_* metrics, read from /proc/self at scrape time.
namespace akko::obs {

class MetricRegistry;

// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds.
void AddProcessMetrics(MetricRegistry &registry);

} // namespace akko::obs
