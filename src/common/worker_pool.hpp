#pragma once
// A fixed set of threads running posted tasks in order: statements and request handlers
// run here, so network threads never block.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace akko {

class WorkerPool {
public:
	// `threads` 0: one per core, at least 4.
	explicit WorkerPool(size_t threads, std::string name_p = "akko-worker");
	~WorkerPool();
	WorkerPool(const WorkerPool &) = delete;
	WorkerPool &operator=(const WorkerPool &) = delete;

	// Queues a task; false once Stop has begun (the task is dropped). A task that throws
	// is logged and the worker goes on.
	bool Post(std::function<void()> task);
	// Refuses new tasks, lets the queued ones run, and joins the threads. Idempotent; not
	// from a worker thread.
	void Stop();
	size_t Size() const {
		return threads.size();
	}

private:
	void Run();

	std::string name;
	std::mutex lock;
	std::condition_variable wake;
	std::deque<std::function<void()>> tasks;
	bool stopping = false;
	std::vector<std::thread> threads;
};

} // namespace akko
