#include "net/ws_connection.hpp"

#include <boost/beast/websocket/ssl.hpp>

#include <deque>

namespace balint::net {
namespace {

using Clock = std::chrono::steady_clock;

// The connection over one kind of stream; the same code for plain and TLS.
template <class Stream>
class StreamConnection final : public WsConnection {
 public:
  StreamConnection(Stream stream, AddressLimit::Slot slot, std::shared_ptr<WsHandler> handler, Limits limits)
      : ws_(std::move(stream)),
        slot_(std::move(slot)),
        handler_(std::move(handler)),
        limits_(limits),
        keepalive_(ws_.get_executor()) {}

  void accept(Request request) override {
    beast::get_lowest_layer(ws_).expires_never();
    // Beast bounds the upgrade and the closing handshake; the keep-alive
    // below is ours, since Beast ties its ping interval to its idle timeout.
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = limits_.handshake_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "balint-room"); }));
    // The message limit is ours (see read_next), so that going over it gets
    // a close with a reason; Beast's own would close without one.
    ws_.read_message_max(0);
    ws_.binary(true);
    ws_.control_callback([this](websocket::frame_type, beast::string_view) { heard(); });
    ws_.async_accept(request, [self = shared()](error_code ec) {
      if (ec) return self->finish(ec);
      self->heard();
      self->handler_->on_open(*self);
      self->read_next();
      self->arm_keepalive();
    });
  }

  void send(SharedBuffer message, Priority priority) override {
    if (closing_ || closed_) return;
    const std::size_t size = message->size();
    if (priority == Priority::media && queued_bytes_ + size > limits_.max_queue_bytes) {
      ++dropped_media_;
      return;
    }
    if (queued_bytes_ + size > 2 * limits_.max_queue_bytes) return slow_reader();
    queued_bytes_ += size;
    queue_.push_back({Outgoing::Kind::message, std::move(message), {}});
    if (!writing_) write_next();
  }

  void close(SharedBuffer last_message, websocket::close_reason reason) override {
    if (closing_ || closed_) return;
    closing_ = true;
    keepalive_.cancel();
    if (last_message) {
      queued_bytes_ += last_message->size();
      queue_.push_back({Outgoing::Kind::message, std::move(last_message), {}});
    }
    queue_.push_back({Outgoing::Kind::close, nullptr, std::move(reason)});
    if (!writing_) write_next();
  }

  bool is_open() const override { return !closing_ && !closed_; }
  std::uint64_t dropped_media() const override { return dropped_media_; }
  std::size_t queued_bytes() const override { return queued_bytes_; }

 private:
  struct Outgoing {
    enum class Kind { message, ping, close };
    Kind kind;
    SharedBuffer bytes;  // For a message.
    websocket::close_reason reason;  // For the close.
  };

  std::shared_ptr<StreamConnection> shared() { return std::static_pointer_cast<StreamConnection>(shared_from_this()); }

  // Reads a message piece by piece, never asking for more than would take
  // it one byte past the limit.
  void read_next() {
    const std::size_t room_left = limits_.max_message_bytes + 1 - read_buffer_.size();
    ws_.async_read_some(read_buffer_, room_left, [self = shared()](error_code ec, std::size_t) {
      if (ec) return self->finish(ec);
      self->heard();
      if (self->read_buffer_.size() > self->limits_.max_message_bytes) {
        return self->close(nullptr, websocket::close_reason(websocket::close_code::too_big,
                                                            "message too big: at most " +
                                                                std::to_string(self->limits_.max_message_bytes) +
                                                                " bytes"));
      }
      if (!self->ws_.is_message_done()) return self->read_next();
      const auto data = self->read_buffer_.cdata();
      self->handler_->on_message(*self, std::string_view(static_cast<const char*>(data.data()), data.size()),
                                 self->ws_.got_binary());
      self->read_buffer_.consume(self->read_buffer_.size());
      if (!self->closed_) self->read_next();
    });
  }

  // Anything from the peer (a message, a ping, a pong) shows it is there.
  void heard() {
    last_heard_ = Clock::now();
    ping_outstanding_ = false;
  }

  // Wakes when the line has been quiet for the ping interval, or when the
  // answer to a ping is overdue; sleeps again otherwise.
  void arm_keepalive() {
    if (closing_ || closed_) return;
    const auto due = ping_outstanding_ ? ping_sent_ + limits_.ping_timeout : last_heard_ + limits_.ping_interval;
    keepalive_.expires_at(due);
    keepalive_.async_wait([self = shared()](error_code ec) {
      if (ec || self->closing_ || self->closed_) return;
      const auto now = Clock::now();
      if (self->ping_outstanding_ && now >= self->ping_sent_ + self->limits_.ping_timeout)
        return self->close(nullptr, websocket::close_reason(websocket::close_code::policy_error,
                                                            "no answer to ping: connection timed out"));
      if (!self->ping_outstanding_ && now >= self->last_heard_ + self->limits_.ping_interval) {
        self->ping_outstanding_ = true;
        self->ping_sent_ = now;
        self->queue_.push_back({Outgoing::Kind::ping, nullptr, {}});
        if (!self->writing_) self->write_next();
      }
      self->arm_keepalive();
    });
  }

  void slow_reader() {
    // Whatever waits behind the write in flight is dropped: the reader is
    // too far behind for it to matter, and the close must not wait for it.
    const bool in_flight = writing_ && !queue_.empty();
    std::optional<Outgoing> head;
    if (in_flight) head = std::move(queue_.front());
    queue_.clear();
    queued_bytes_ = 0;
    if (head) {
      queued_bytes_ = head->bytes ? head->bytes->size() : 0;
      queue_.push_back(std::move(*head));
    }
    close(nullptr, websocket::close_reason(websocket::close_code::policy_error, "slow reader: messages backed up"));
  }

  void write_next() {
    if (queue_.empty() || closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    Outgoing& next = queue_.front();
    auto done = [self = shared()](error_code ec, std::size_t = 0) {
      if (ec) return self->finish(ec);
      if (self->closed_) return;  // finish() ran meanwhile and emptied the queue.
      if (const auto& bytes = self->queue_.front().bytes) self->queued_bytes_ -= bytes->size();
      self->queue_.pop_front();
      self->write_next();
    };
    switch (next.kind) {
      case Outgoing::Kind::message: return ws_.async_write(asio::buffer(*next.bytes), std::move(done));
      case Outgoing::Kind::ping: return ws_.async_ping({}, std::move(done));
      case Outgoing::Kind::close:
        return ws_.async_close(next.reason, [self = shared()](error_code ec) { self->finish(ec); });
    }
  }

  void finish(error_code) {
    if (closed_) return;
    closed_ = true;
    writing_ = false;
    queue_.clear();
    queued_bytes_ = 0;
    keepalive_.cancel();
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    handler_->on_closed(*this);
    handler_.reset();
    slot_.reset();
  }

  websocket::stream<Stream> ws_;
  AddressLimit::Slot slot_;
  std::shared_ptr<WsHandler> handler_;
  Limits limits_;
  beast::flat_buffer read_buffer_;
  std::deque<Outgoing> queue_;
  std::size_t queued_bytes_ = 0;
  std::uint64_t dropped_media_ = 0;
  bool writing_ = false;
  bool closing_ = false;  // close() was called: nothing more is queued.
  bool closed_ = false;   // on_closed was delivered.
  asio::steady_timer keepalive_;
  Clock::time_point last_heard_ = Clock::now();
  Clock::time_point ping_sent_;
  bool ping_outstanding_ = false;
};

}  // namespace

std::shared_ptr<WsConnection> WsConnection::create(Transport transport, std::shared_ptr<WsHandler> handler,
                                                   Limits limits) {
  return std::visit(
      [&](auto& stream) -> std::shared_ptr<WsConnection> {
        using Stream = std::decay_t<decltype(stream)>;
        return std::make_shared<StreamConnection<Stream>>(std::move(stream), std::move(transport.slot),
                                                          std::move(handler), limits);
      },
      transport.stream);
}

}  // namespace balint::net
