#include "net/flush_queue.hpp"

namespace balint::net {

FlushQueue::FlushQueue(asio::execution_context& context, bool io_uring)
    : service(context), context_(static_cast<asio::io_context&>(context)) {
  if (io_uring)
    ring_ = SendRing::open(context_, ring_problem_);
  else
    ring_problem_ = "off in the config";
}

FlushQueue::~FlushQueue() = default;

void FlushQueue::add(std::shared_ptr<Flushable> connection) {
  waiting_.push_back(std::move(connection));
  post_run();
}

void FlushQueue::post_run() {
  if (posted_) return;
  posted_ = true;
  asio::post(context_, [this] { run(); });
}

void FlushQueue::run() {
  posted_ = false;
  running_.swap(waiting_);  // Flushing may queue more: they wait for the next turn.
  for (auto& connection : running_) connection->flush();
  running_.clear();
  if (ring_ && !ring_->submit()) post_run();  // The kernel took not all of it: again next turn.
}

void FlushQueue::shutdown() {
  waiting_.clear();
  running_.clear();
  ring_.reset();
}

}  // namespace balint::net
