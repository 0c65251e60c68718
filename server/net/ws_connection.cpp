#include "net/ws_connection.hpp"

#include "net/flush_queue.hpp"
#include "net/send_queue.hpp"
#include "net/token_bucket.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <cerrno>
#include <sys/socket.h>
#include <sys/uio.h>
#include <vector>

namespace balint::net {
namespace {

using Clock = std::chrono::steady_clock;
using Timer = asio::basic_waitable_timer<Clock, asio::wait_traits<Clock>, asio::io_context::executor_type>;
// A plain socket bound to its worker's io_context: no type-erased executor
// on the path every frame takes.
using PlainSocket = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;

// What a connection that has closed reads away, at most, before it hangs up.
constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;

// Frames handed to one write: all that is queued, up to this many.
constexpr std::size_t kMaxGather = SendRing::kMaxPieces;
// Bytes a write offers the kernel at most (past one frame): with little unsent
// there (see the listener's TCP_NOTSENT_LOWAT), what waits stays in the
// queue, where audio can still go before video.
constexpr std::size_t kMaxWriteBytes = 8 * 1024;

// The buffers of one write, in a fixed array, so that starting a write
// allocates nothing.
struct Gather {
  std::array<asio::const_buffer, kMaxGather> buffers;
  std::size_t count = 0;
  const asio::const_buffer* begin() const { return buffers.data(); }
  const asio::const_buffer* end() const { return buffers.data() + count; }
};

// Where a plain connection's reads land: one buffer per worker thread,
// since a read is taken apart before the next one starts, and an idle
// connection then holds no read buffer of its own.
std::span<char> read_scratch() {
  thread_local std::array<char, 64 * 1024> scratch;
  return scratch;
}

template <class Stream>
class StreamConnection final : public WsConnection, private ws::FrameSink, public Flushable {
  static constexpr bool kPlain = std::is_same_v<Stream, PlainSocket>;

 public:
  StreamConnection(Stream stream, asio::io_context& context, ConnectionLimit::Slot slot,
                   std::shared_ptr<WsHandler> handler, Limits limits)
      : stream_(std::move(stream)),
        slot_(std::move(slot)),
        handler_(std::move(handler)),
        limits_(limits),
        reader_(limits.max_message_bytes),
        control_rate_(limits.control, Clock::now()),
        queue_(limits.max_queue_bytes),
        timer_(context.get_executor()) {
    if constexpr (kPlain) flush_queue_ = &asio::use_service<FlushQueue>(context);
  }

  void accept(const Request& request) override {
    push_control(std::make_shared<const std::string>(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
        ws::accept_key(request[http::field::sec_websocket_key]) + "\r\nServer: balint-room\r\n\r\n"));
    heard();
    // Opened from a handler of its own, after whatever the caller does next.
    asio::post(timer_.get_executor(), [self = shared()] {
      if (self->life_ == Life::closed) return;
      if (self->life_ == Life::open) self->handler_->on_open(*self);
      self->arm_keepalive();
      self->read_next();
    });
  }

  bool send(ws::SharedFrame frame, Priority priority) override {
    if (life_ != Life::open) return false;
    return queued(queue_.add(std::move(frame), priority));
  }

  void close(ws::SharedFrame last_frame, ws::CloseReason reason) override {
    if (life_ != Life::open) return;
    if (last_frame) {
      queue_.add_control(std::move(last_frame));
      queue_grew();
    }
    start_closing(ws::close_frame(reason));
  }

  bool is_open() const override { return life_ == Life::open; }
  std::uint64_t dropped_media() const override { return queue_.dropped_media(); }
  void drop_waiting_video() override { queue_.drop_waiting_video(); }
  std::size_t queued_bytes() const override { return queue_.bytes(); }

 private:
  std::shared_ptr<StreamConnection> shared() { return std::static_pointer_cast<StreamConnection>(shared_from_this()); }

  // Where the connection is in its life; it only ever moves down the list.
  enum class Life {
    open,      // Reading and writing.
    closing,   // Our close frame is queued, and nothing after it; the client's close is still read for.
    draining,  // Nothing more is read either (the client closed, or broke the protocol or a limit):
               // what is queued goes out, then the end.
    closed,    // on_closed was delivered.
  };
  // Plain: where the queue's next write stands.
  enum class Writer {
    idle,
    flush_due,          // In the worker's flush queue: written at the end of this turn.
    awaiting_writable,  // The socket took no more: written when it does.
  };

  // --- Writing ---------------------------------------------------------

  // What the queue did with a frame: a write to start, or a slow reader.
  bool queued(SendQueue::Added added) {
    switch (added) {
      case SendQueue::Added::queued:
        queue_grew();
        return true;
      case SendQueue::Added::dropped:
        return false;
      case SendQueue::Added::overflow:
        slow_reader();
        return false;
    }
    return false;
  }

  void push_control(ws::SharedFrame frame) {
    queue_.add_control(std::move(frame));
    queue_grew();
  }

  // A frame went in: it is written with the others, now or at the end of
  // this turn.
  void queue_grew() {
    if (queue_.size() == 1 && queue_.head_written() == 0) last_progress_ = Clock::now();
    if constexpr (kPlain) {
      if (writer_ != Writer::awaiting_writable) schedule_flush();
    } else {
      write_next();
    }
  }

  // Plain: written at the end of this turn, with the rest of the worker's
  // (and, with a ring, submitted with them).
  void schedule_flush() {
    if (writer_ == Writer::flush_due) return;
    writer_ = Writer::flush_due;
    flush_queue_->add(shared());
  }

  void flush() override {
    if constexpr (kPlain) flush_plain();
  }

  // Writes what is queued, kMaxGather frames (kMaxWriteBytes) a send: through the worker's
  // ring when it has one (one send out at a time), else straight to the
  // socket until it takes no more, then waiting until it does.
  void flush_plain() {
    writer_ = Writer::idle;
    if (life_ == Life::closed || queue_.in_flight() > 0) return;  // A ring send is out: its end flushes again.
    SendRing* ring = flush_queue_->ring();
    while (!queue_.empty()) {
      iovec pieces[kMaxGather];
      const std::size_t count = queue_.frames_for_write(kMaxWriteBytes, kMaxGather);
      std::size_t offered = 0;
      for (std::size_t i = 0; i < count; ++i) {
        const std::size_t skip = i == 0 ? queue_.head_written() : 0;
        pieces[i].iov_base = const_cast<char*>(queue_.frame(i).data() + skip);
        pieces[i].iov_len = queue_.frame(i).size() - skip;
        offered += pieces[i].iov_len;
      }
      if (ring) {
        queue_.write_started(count);
        if (ring->send(stream_.native_handle(), std::span<const iovec>(pieces, count), shared())) return;
        queue_.write_started(0);  // The ring is full even after a submit: this once, a call of its own.
      }
      msghdr message{};
      message.msg_iov = pieces;
      message.msg_iovlen = count;
      const ssize_t sent = ::sendmsg(stream_.native_handle(), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent < 0 && errno == EINTR) continue;
      if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return finish();
      if (sent > 0) consume(static_cast<std::size_t>(sent));
      if (sent < 0 || static_cast<std::size_t>(sent) < offered) return await_writable();
    }
    queue_drained();
  }

  void sent(int result) override {
    if constexpr (kPlain) ring_sent(result);
  }

  // A ring send ended.
  void ring_sent(int result) {
    const bool closed_meanwhile = life_ == Life::closed;
    if (result <= 0 || closed_meanwhile) queue_.write_ended(0);
    if (closed_meanwhile) {
      error_code ignored;
      stream_.close(ignored);  // Held open for this send: see finish().
      return;
    }
    if (result == -EAGAIN || result == -EWOULDBLOCK) return await_writable();  // Its buffer is full.
    if (result < 0 && result != -EINTR) return finish();
    if (result > 0) consume(static_cast<std::size_t>(result));
    if (queue_.empty()) return queue_drained();
    schedule_flush();
  }

  // Everything is out. Closing, the connection ends once the client's close
  // has come too (or at the closing deadline).
  void queue_drained() {
    if (life_ == Life::draining) finish(Ending::orderly);
  }

  void await_writable() {
    writer_ = Writer::awaiting_writable;
    stream_.async_wait(tcp::socket::wait_write, [self = shared()](error_code ec) {
      self->writer_ = Writer::idle;
      if (self->life_ == Life::closed) return;
      if (ec) return self->finish();
      self->schedule_flush();
    });
  }

  // A write ended, having taken `written` bytes off the front of the queue.
  void consume(std::size_t written) {
    queue_.write_ended(written);
    last_progress_ = Clock::now();
  }

  // TLS: one write at a time, of what is queued (up to kMaxGather frames
  // and kMaxWriteBytes): frames queued while a write is out go in the next.
  void write_next() {
    if (queue_.in_flight() > 0 || life_ == Life::closed || queue_.empty()) return;
    Gather gather;
    gather.count = queue_.frames_for_write(kMaxWriteBytes, kMaxGather);
    for (std::size_t i = 0; i < gather.count; ++i) gather.buffers[i] = asio::buffer(queue_.frame(i));
    gather.buffers[0] += queue_.head_written();
    queue_.write_started(gather.count);
    // Every piece the client takes counts as progress, not only the whole
    // write: a slow reader is not one that reads nothing.
    auto progress = [this](const error_code& ec, std::size_t) -> std::size_t {
      last_progress_ = Clock::now();
      return ec ? 0 : 64 * 1024;
    };
    asio::async_write(stream_, gather, progress,
                      [self = shared()](error_code ec, std::size_t written) { self->wrote(ec, written); });
  }

  void wrote(error_code ec, std::size_t written) {
    if (life_ == Life::closed || ec) queue_.write_ended(0);
    if (life_ == Life::closed) return;
    if (ec) return finish();
    consume(written);
    if (!queue_.empty()) return write_next();
    queue_drained();
  }

  void slow_reader() {
    // What waits behind the write in flight is dropped: the reader is too
    // far behind for it to matter, and the close must not wait for it.
    queue_.cut_untouched();
    start_closing(ws::close_frame({ws::close_code::policy_error, "slow reader: messages backed up"}));
  }

  // From here the connection has the handshake timeout to get the close
  // frame out and the client's answer in; a client that reads nothing any
  // more is let go then, whatever is still queued.
  void start_closing(ws::SharedFrame close_frame) {
    life_ = Life::closing;
    queue_.drop_waiting_media();                      // Nothing may follow the close frame, which would go before them.
    timer_.expires_after(limits_.handshake_timeout);  // Ends the keep-alive wait.
    timer_.async_wait([self = shared()](error_code ec) {
      if (!ec) self->finish();
    });
    push_control(std::move(close_frame));
  }

  // --- Reading ---------------------------------------------------------

  void read_next() {
    if constexpr (kPlain) {
      stream_.async_wait(tcp::socket::wait_read, [self = shared()](error_code ec) {
        if (self->life_ == Life::closed) return;
        if (ec) return self->finish();
        const auto scratch = read_scratch();
        const ssize_t got = ::recv(self->stream_.native_handle(), scratch.data(), scratch.size(), MSG_DONTWAIT);
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return self->read_next();
        if (got <= 0) return self->finish();  // Gone: reset, or closed without a close frame.
        self->received(scratch.first(static_cast<std::size_t>(got)));
      });
    } else {
      if (tls_read_buffer_.empty()) tls_read_buffer_.resize(4096);
      stream_.async_read_some(asio::buffer(tls_read_buffer_), [self = shared()](error_code ec, std::size_t got) {
        if (self->life_ == Life::closed) return;
        if (ec) return self->finish();
        self->received(std::span<char>(self->tls_read_buffer_.data(), got));
      });
    }
  }

  void received(std::span<char> bytes) {
    heard();
    reader_.read(bytes, *this);
    if (life_ == Life::closed) return;
    if (!reader_.done() && life_ != Life::draining) return read_next();
    // The client closed, or broke the protocol or a limit: nothing more is
    // read, and the connection ends once the answer is out.
    life_ = Life::draining;
    if (queue_.in_flight() == 0 && writer_ == Writer::idle && queue_.empty()) finish(Ending::orderly);
  }

  // Closing, what else comes is read (the client's close may follow) and
  // dropped.
  void on_message(std::string_view payload, bool binary) override {
    if (life_ == Life::open) handler_->on_message(*this, payload, binary);
  }

  void on_ping(std::string_view payload) override {
    if (life_ != Life::open || !control_allowed()) return;
    queued(queue_.add_pong(ws::pong_frame(payload)));
  }

  void on_pong() override {  // Every read counts as heard already.
    if (life_ == Life::open) control_allowed();
  }

  // Control frames draw on a rate of their own: each costs a wake-up and
  // a ping an answer, and none is a command.
  bool control_allowed() {
    if (control_rate_.take(Clock::now())) return true;
    start_closing(ws::close_frame({ws::close_code::policy_error, "too many pings and pongs"}));
    life_ = Life::draining;  // What else it sends is not read, only read away.
    return false;
  }

  void on_close(std::uint16_t code) override {
    if (life_ != Life::open) return;  // The answer to ours.
    start_closing(code == 0 ? ws::empty_close_frame() : ws::close_frame({code, {}}));
  }

  void on_failure(ws::CloseReason reason) override {
    if (life_ != Life::open) return;
    start_closing(ws::close_frame(reason));
  }

  // --- Keep-alive ------------------------------------------------------

  // Anything from the peer (a message, a ping, a pong) shows it is there.
  void heard() {
    last_heard_ = Clock::now();
    ping_sent_.reset();
  }

  // Wakes when the line has been quiet for the ping interval, or when the
  // answer to a ping is overdue; sleeps again otherwise.
  void arm_keepalive() {
    if (life_ != Life::open) return;
    const auto due = ping_sent_ ? *ping_sent_ + limits_.ping_timeout : last_heard_ + limits_.ping_interval;
    timer_.expires_at(due);
    timer_.async_wait([self = shared()](error_code ec) {
      if (ec || self->life_ != Life::open) return;
      const auto now = Clock::now();
      // A client that sends (pings, say) but reads nothing is as gone as a
      // silent one, and is let go after as long. Neither would answer a
      // close frame, so none is sent and waited for: the connection ends
      // at once, and the room marks the member reconnecting now, not a
      // handshake timeout later.
      if (!self->queue_.empty() &&
          now >= self->last_progress_ + self->limits_.ping_interval + self->limits_.ping_timeout)
        return self->finish();
      if (self->ping_sent_ && now >= *self->ping_sent_ + self->limits_.ping_timeout) return self->finish();
      if (!self->ping_sent_ && now >= self->last_heard_ + self->limits_.ping_interval) {
        self->ping_sent_ = now;
        self->push_control(ws::ping_frame());
      }
      self->arm_keepalive();
    });
  }

  // --- The end ---------------------------------------------------------

  // How the connection ends: `orderly` once both close frames are out (or
  // ours is, after the client broke the protocol), `abrupt` when the peer
  // is gone or out of time.
  enum class Ending { orderly, abrupt };

  void finish(Ending ending = Ending::abrupt) {
    if (life_ == Life::closed) return;
    const bool drained = life_ == Life::draining;
    life_ = Life::closed;
    // A write still out may be reading its frames: they stay until it ends.
    queue_.keep_in_flight();
    timer_.cancel();
    error_code ignored;
    if constexpr (kPlain) {
      if (ending == Ending::orderly) {
        handler_->on_closed(*this);
        handler_.reset();
        return linger();
      }
      stream_.shutdown(tcp::socket::shutdown_both, ignored);
      // A ring send still out may not be submitted yet, and the kernel
      // reads its descriptor number only then: closed now, the number could
      // be a new connection's by that time. Shut down, it keeps the number
      // until the send ends (and fails), and ring_sent() closes it.
      if (queue_.in_flight() == 0) stream_.close(ignored);
    } else if (!(drained && reader_.done())) {
      beast::get_lowest_layer(stream_).socket().close(ignored);  // Broken or gone: no goodbye to wait for.
    } else {
      // The closing handshake is done and nothing is being read: TLS says
      // goodbye with a close_notify, within the handshake timeout.
      auto& socket = beast::get_lowest_layer(stream_).socket();
      timer_.expires_after(limits_.handshake_timeout);
      timer_.async_wait([self = shared()](error_code ec) {
        if (!ec) beast::get_lowest_layer(self->stream_).socket().close(ec);
      });
      stream_.async_shutdown([self = shared(), &socket](error_code) {
        error_code ignored;
        self->timer_.cancel();
        socket.close(ignored);
      });
    }
    handler_->on_closed(*this);
    handler_.reset();
    slot_.reset();
  }

  // Plain: our close frame is out. Bytes the client still sends (the rest
  // of a frame refused for its size, say) would make the kernel answer a
  // close with a reset, which can overtake the close frame on its way; so
  // the connection half-closes and reads them away until the client closes
  // too, the handshake timeout passes, or kLingerBytes have come.
  void linger() {
    error_code ignored;
    stream_.shutdown(tcp::socket::shutdown_send, ignored);
    timer_.expires_after(limits_.handshake_timeout);
    timer_.async_wait([self = shared()](error_code ec) {
      if (!ec) self->hang_up();
    });
    discard(kLingerBytes);
  }

  void discard(std::size_t budget) {
    stream_.async_wait(tcp::socket::wait_read, [self = shared(), budget](error_code ec) mutable {
      if (ec) return self->hang_up();
      // A few reads a wake-up, so that the worker goes back to its rooms.
      const auto scratch = read_scratch();
      for (int reads = 0; reads < 16; ++reads) {
        const ssize_t got = ::recv(self->stream_.native_handle(), scratch.data(), scratch.size(), MSG_DONTWAIT);
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
        if (got <= 0 || static_cast<std::size_t>(got) >= budget) return self->hang_up();
        budget -= static_cast<std::size_t>(got);
      }
      self->discard(budget);
    });
  }

  void hang_up() {
    if (!stream_.is_open()) return;
    error_code ignored;
    timer_.cancel();
    stream_.close(ignored);
    slot_.reset();
  }

  Stream stream_;
  ConnectionLimit::Slot slot_;
  std::shared_ptr<WsHandler> handler_;
  Limits limits_;
  ws::FrameReader reader_;
  TokenBucket control_rate_;
  std::vector<char> tls_read_buffer_;               // TLS only: it decrypts into it.
  SendQueue queue_;                                 // Its write in flight: TLS's, or a ring send.
  Clock::time_point last_progress_ = Clock::now();  // The queue last moved (or filled from empty).
  FlushQueue* flush_queue_ = nullptr;               // Plain: where it waits to be written.
  Life life_ = Life::open;
  Writer writer_ = Writer::idle;                    // Plain only.
  Timer timer_;                                     // Keep-alive, then the closing handshake.
  Clock::time_point last_heard_ = Clock::now();
  std::optional<Clock::time_point> ping_sent_;      // A ping not answered yet (anything heard answers it).
};

}  // namespace

std::shared_ptr<WsConnection> WsConnection::create(Transport transport, std::shared_ptr<WsHandler> handler,
                                                   Limits limits) {
  auto& context = static_cast<asio::io_context&>(transport.tcp().get_executor().context());
  if (auto* plain = std::get_if<PlainStream>(&transport.stream)) {
    tcp::socket socket = plain->release_socket();
    error_code ec;
    const auto local = socket.local_endpoint(ec);  // A socket already gone fails its first read.
    PlainSocket bound(context, ec ? tcp::v4() : local.protocol(), socket.release());
    return std::make_shared<StreamConnection<PlainSocket>>(std::move(bound), context, std::move(transport.slot),
                                                           std::move(handler), limits);
  }
  return std::make_shared<StreamConnection<TlsStream>>(std::move(std::get<TlsStream>(transport.stream)), context,
                                                       std::move(transport.slot), std::move(handler), limits);
}

}  // namespace balint::net
