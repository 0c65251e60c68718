// Worker threads, each running its own io_context. A session and the sockets
// of its members live on one worker, so they need no locks.
#pragma once

#include "net/net.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace balint::net {

class WorkerPool {
 public:
  // `io_uring`: whether the workers may write sockets through io_uring
  // (flush_queue.hpp).
  WorkerPool(unsigned threads, bool io_uring);
  ~WorkerPool();

  void start();
  // Lets every io_context run out of work for up to `grace`, then stops
  // what is left and joins the threads.
  void stop(std::chrono::milliseconds grace);

  // The next worker, round-robin.
  asio::io_context& next();
  std::size_t size() const { return contexts_.size(); }
  // Empty when the workers write through io_uring; otherwise why not.
  const std::string& io_uring_problem() const;

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
  std::atomic<std::size_t> running_{0};
};

}  // namespace balint::net
