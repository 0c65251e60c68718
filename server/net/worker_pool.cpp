#include "net/worker_pool.hpp"

#include "net/flush_queue.hpp"

namespace balint::net {

WorkerPool::WorkerPool(unsigned threads, bool io_uring) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    asio::make_service<FlushQueue>(*contexts_.back(), io_uring);
  }
}

const std::string& WorkerPool::io_uring_problem() const {
  return asio::use_service<FlushQueue>(*contexts_.front()).ring_problem();
}

WorkerPool::~WorkerPool() { stop(std::chrono::milliseconds(0)); }

void WorkerPool::start() {
  for (auto& context : contexts_) {
    guards_.push_back(asio::make_work_guard(*context));
    ++running_;
    threads_.emplace_back([this, &io = *context] {
      for (;;) {
        try {
          io.run();
          --running_;
          return;
        } catch (const std::exception&) {
          // A handler threw: the io_context stays usable; keep serving.
        }
      }
    });
  }
}

void WorkerPool::stop(std::chrono::milliseconds grace) {
  guards_.clear();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (running_ > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (auto& context : contexts_) context->stop();
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

asio::io_context& WorkerPool::next() { return *contexts_[next_.fetch_add(1) % contexts_.size()]; }

}  // namespace balint::net
