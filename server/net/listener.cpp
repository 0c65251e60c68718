#include "net/listener.hpp"

#include "net/http_session.hpp"

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>


namespace balint::net {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{10};
constexpr std::chrono::milliseconds kLongestBackoff{1000};
constexpr int kMostTurnedAway = 1024;  // In one go, so that the worker goes back to its rooms.
// Unsent bytes the kernel holds before a write waits: a few video frames.
// What is in flight is TCP's window, not this, so throughput is unaffected.
constexpr int kNotSentLowWaterBytes = 8 * 1024;

// TCP_NOTSENT_LOWAT as an Asio socket option (SettableSocketOption).
struct NotSentLowWater {
  int bytes;
  int level(const auto&) const { return IPPROTO_TCP; }
  int name(const auto&) const { return TCP_NOTSENT_LOWAT; }
  const void* data(const auto&) const { return &bytes; }
  std::size_t size(const auto&) const { return sizeof bytes; }
};

// Accept failed for want of a descriptor (the process's or the system's)
// or of kernel memory: trying again at once would fail again.
bool out_of_resources(const error_code& ec) {
  if (ec.category() != boost::system::system_category()) return false;
  const int value = ec.value();
  return value == EMFILE || value == ENFILE || value == ENOBUFS || value == ENOMEM;
}

// A whole response as it goes on the wire, written here without a stream.
std::string wire_bytes(Response response) {
  response.prepare_payload();
  std::string bytes = "HTTP/1.1 " + std::to_string(response.result_int()) + " " + std::string(response.reason()) + "\r\n";
  for (const auto& field : response) bytes += std::string(field.name_string()) + ": " + std::string(field.value()) + "\r\n";
  return bytes + "\r\n" + response.body();
}

int open_reserve() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

}  // namespace

Listener::Listener(asio::io_context& accept_context, WorkerPool& workers, tcp::endpoint endpoint,
                   std::shared_ptr<Router> router, Limits limits, std::shared_ptr<ConnectionLimit> connections,
                   std::shared_ptr<asio::ssl::context> tls)
    : acceptor_(accept_context),
      backoff_timer_(accept_context),
      reserve_fd_(open_reserve()),
      workers_(workers),
      router_(std::move(router)),
      limits_(limits),
      tls_(std::move(tls)),
      connections_(std::move(connections)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

Listener::~Listener() {
  if (reserve_fd_ >= 0) ::close(reserve_fd_);
}

void Listener::start() {
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->accept_next(); });
}

void Listener::stop() {
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
    error_code ignored;
    self->acceptor_.close(ignored);
    self->backoff_timer_.cancel();
  });
}

std::uint16_t Listener::port() const { return acceptor_.local_endpoint().port(); }

void Listener::accept_next() {
  acceptor_.async_accept(workers_.next(), [self = shared_from_this()](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (out_of_resources(ec)) return self->out_of_descriptors(ec);
    self->backoff_ = std::chrono::milliseconds(0);
    if (!ec) self->serve(std::move(socket));
    // Other accept errors (a connection reset while it waited) are about
    // that connection alone: keep going.
    self->accept_next();
  });
}

void Listener::out_of_descriptors(const error_code& ec) {
  // The reserve makes room for one accept at a time: each connection
  // waiting is told (in plain HTTP; a TLS client is only closed) and
  // closed, then the reserve is taken back.
  if (reserve_fd_ < 0) reserve_fd_ = open_reserve();  // Lost to a race last time.
  if (reserve_fd_ >= 0) {
    ::close(reserve_fd_);
    static const std::string bytes = wire_bytes(server_full_response());
    for (int turned_away = 0; turned_away < kMostTurnedAway; ++turned_away) {
      const int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) break;  // None left waiting (or the kernel itself is out).
      if (!tls_) (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      ::shutdown(fd, SHUT_RDWR);
      ::close(fd);
    }
    reserve_fd_ = open_reserve();
  }
  const bool first = backoff_.count() == 0;
  backoff_ = first ? kFirstBackoff : std::min(backoff_ * 2, kLongestBackoff);
  if (first) router_->out_of_descriptors(ec);
  backoff_timer_.expires_after(backoff_);
  backoff_timer_.async_wait([self = shared_from_this()](error_code wait_ec) {
    if (!wait_ec && self->acceptor_.is_open()) self->accept_next();
  });
}

void Listener::serve(tcp::socket socket) {
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  // Little unsent data in the kernel: a reader who falls behind backs up
  // into the connection's own queue, which drops video before audio and
  // keeps state first (net/send_queue.hpp), instead of into a kernel buffer
  // of megabytes that holds everyone's audio seconds behind their video.
  socket.set_option(NotSentLowWater{kNotSentLowWaterBytes}, ec);
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // Gone already.
  // Without a place in the count the session answers 503 or 429.
  auto [slot, full] = connections_->take(peer.address());
  Transport transport = tls_ ? Transport{TlsStream(PlainStream(std::move(socket)), *tls_), std::move(slot), full}
                             : Transport{PlainStream(std::move(socket)), std::move(slot), full};
  std::make_shared<HttpSession>(std::move(transport), router_, limits_)->start();
}

DescriptorLimit raise_descriptor_limit() {
  DescriptorLimit limit;
  rlimit current{};
  if (::getrlimit(RLIMIT_NOFILE, &current) != 0) return limit;
  limit.before = current.rlim_cur;
  if (current.rlim_cur < current.rlim_max) {
    rlimit raised = current;
    raised.rlim_cur = current.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) current = raised;
  }
  limit.soft = current.rlim_cur;
  limit.hard = current.rlim_max;
  return limit;
}

}  // namespace balint::net
