#include "net/ws_connection.hpp"

namespace balint::net {

WsConnection::WsConnection(tcp::socket socket, std::shared_ptr<WsHandler> handler, Limits limits)
    : ws_(std::move(socket)), handler_(std::move(handler)), limits_(limits) {}

void WsConnection::accept(Request request) {
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = limits_.handshake_timeout;
  timeouts.idle_timeout = limits_.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "balint-room"); }));
  ws_.read_message_max(limits_.max_message_bytes);
  ws_.binary(true);
  ws_.async_accept(request, [self = shared_from_this()](error_code ec) {
    if (ec) return self->finish(ec);
    self->handler_->on_open(*self);
    self->read_next();
  });
}

void WsConnection::read_next() {
  ws_.async_read(read_buffer_, [self = shared_from_this()](error_code ec, std::size_t) {
    if (ec) return self->finish(ec);
    const auto data = self->read_buffer_.cdata();
    self->handler_->on_message(*self, std::string_view(static_cast<const char*>(data.data()), data.size()),
                               self->ws_.got_binary());
    self->read_buffer_.consume(self->read_buffer_.size());
    if (!self->closed_) self->read_next();
  });
}

void WsConnection::send(SharedBuffer message, Priority priority) {
  if (closing_ || closed_) return;
  const std::size_t size = message->size();
  if (priority == Priority::media && queued_bytes_ + size > limits_.max_queue_bytes) {
    ++dropped_media_;
    return;
  }
  if (queued_bytes_ + size > 2 * limits_.max_queue_bytes) return slow_reader();
  queued_bytes_ += size;
  queue_.push_back({std::move(message), {}});
  if (!writing_) write_next();
}

void WsConnection::close(SharedBuffer last_message, websocket::close_reason reason) {
  if (closing_ || closed_) return;
  closing_ = true;
  if (last_message) {
    queued_bytes_ += last_message->size();
    queue_.push_back({std::move(last_message), {}});
  }
  queue_.push_back({nullptr, std::move(reason)});
  if (!writing_) write_next();
}

void WsConnection::slow_reader() {
  // Whatever waits behind the write in flight is dropped: the reader is gone
  // too far behind for it to matter, and the close must not wait for it.
  const bool in_flight = writing_ && !queue_.empty();
  Outgoing head = in_flight ? std::move(queue_.front()) : Outgoing{};
  queue_.clear();
  queued_bytes_ = 0;
  if (in_flight) {
    queued_bytes_ = head.bytes ? head.bytes->size() : 0;
    queue_.push_back(std::move(head));
  }
  close(nullptr, websocket::close_reason(websocket::close_code::policy_error, "slow reader: messages backed up"));
}

void WsConnection::write_next() {
  if (queue_.empty() || closed_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  Outgoing& next = queue_.front();
  if (!next.bytes) {
    // Bound the wait for the peer's close frame.
    beast::get_lowest_layer(ws_).expires_after(limits_.handshake_timeout);
    ws_.async_close(next.reason, [self = shared_from_this()](error_code ec) { self->finish(ec); });
    return;
  }
  ws_.async_write(asio::buffer(*next.bytes), [self = shared_from_this()](error_code ec, std::size_t) {
    if (ec) return self->finish(ec);
    if (self->closed_) return;  // finish() ran meanwhile and emptied the queue.
    self->queued_bytes_ -= self->queue_.front().bytes->size();
    self->queue_.pop_front();
    self->write_next();
  });
}

void WsConnection::finish(error_code) {
  if (closed_) return;
  closed_ = true;
  writing_ = false;
  queue_.clear();
  queued_bytes_ = 0;
  error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  handler_->on_closed(*this);
  handler_.reset();
}

}  // namespace balint::net
