#include "common/worker_pool.hpp"

#include "common/log.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <pthread.h>

namespace akko {

WorkerPool::WorkerPool(size_t count, std::string name_p) : name(std::move(name_p)) {
	if (count == 0) {
		count = std::max<size_t>(4, std::thread::hardware_concurrency());
	}
	threads.reserve(count);
	for (size_t i = 0; i < count; i++) {
		threads.emplace_back([this] { Run(); });
		// Linux caps thread names at 15 characters; the name shows in top and debuggers.
		pthread_setname_np(threads.back().native_handle(), name.substr(0, 15).c_str());
	}
}

WorkerPool::~WorkerPool() {
	Stop();
}

bool WorkerPool::Post(std::function<void()> task) {
	{
		std::lock_guard<std::mutex> guard(lock);
		if (stopping) {
			return false;
		}
		tasks.push_back(std::move(task));
	}
	wake.notify_one();
	return true;
}

void WorkerPool::Stop() {
	{
		std::lock_guard<std::mutex> guard(lock);
		if (stopping) {
			return;
		}
		stopping = true;
	}
	wake.notify_all();
	for (auto &thread : threads) {
		thread.join();
	}
}

void WorkerPool::Run() {
	while (true) {
		std::function<void()> task;
		{
			std::unique_lock<std::mutex> guard(lock);
			wake.wait(guard, [this] { return stopping || !tasks.empty(); });
			if (tasks.empty()) {
				return;
			}
			task = std::move(tasks.front());
			tasks.pop_front();
		}
		try {
			task();
		} catch (const std::exception &error) {
			log::Error("worker_task_failed", {{"pool", name}, {"error", error.what()}});
		} catch (...) {
			log::Error("worker_task_failed", {{"pool", name}, {"error", "unknown exception"}});
		}
	}
}

} // namespace akko
