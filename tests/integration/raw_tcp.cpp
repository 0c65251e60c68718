#include "raw_tcp.hpp"

#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace balint::test {
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

int millis_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Writes all of `bytes` to `fd` before `deadline`; false on a hang-up or
// when the deadline passes.
bool write_all(int fd, std::string_view bytes, Clock::time_point deadline) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, millis_left(deadline)) <= 0) return false;
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

RawTcp::RawTcp(std::uint16_t port, const char* source) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  if (source) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source, &from.sin_addr) != 1 ||
        ::bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0) {
      ::close(fd);
      return;
    }
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return;
  }
  // Each trickled byte leaves in its own segment.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fd_ = fd;
}

RawTcp::~RawTcp() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) ::close(fd_);
}

bool RawTcp::write(std::string_view bytes, std::chrono::milliseconds timeout) {
  return fd_ >= 0 && write_all(fd_, bytes, Clock::now() + timeout);
}

void RawTcp::write_in_background(std::string bytes) {
  if (fd_ < 0 || writer_.joinable()) return;
  writer_ = std::thread([fd = fd_, bytes = std::move(bytes)] { write_all(fd, bytes, Clock::now() + kWait); });
}

long RawTcp::receive(std::chrono::milliseconds timeout) {
  if (fd_ < 0) return 0;
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return -1;
  char chunk[16 * 1024];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return -1;
    return 0;  // A reset: the server is gone.
  }
  received_.append(chunk, static_cast<std::size_t>(n));
  return n;
}

TrickleOutcome RawTcp::trickle(std::string_view bytes, std::chrono::milliseconds gap, std::chrono::milliseconds limit) {
  TrickleOutcome outcome;
  const auto deadline = Clock::now() + limit;
  while (outcome.bytes_sent < bytes.size() && Clock::now() < deadline) {
    if (!write_all(fd_, bytes.substr(outcome.bytes_sent, 1), deadline)) {
      outcome.server_hung_up = true;
      break;
    }
    ++outcome.bytes_sent;
    // Waiting for the gap doubles as listening: a server that hangs up
    // shows it here.
    const auto next = Clock::now() + gap;
    long got = -1;
    while (Clock::now() < next && (got = receive(std::chrono::milliseconds(millis_left(next)))) > 0) {
    }
    if (got == 0) {
      outcome.server_hung_up = true;
      break;
    }
  }
  outcome.answer = received_;
  return outcome;
}

std::optional<HttpAnswer> RawTcp::read_response(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(16 * 1024 * 1024);
  std::size_t offset = 0;
  bool hung_up = false;
  while (!parser.is_done()) {
    boost::system::error_code ec;
    if (offset < received_.size()) {
      const auto used = parser.put(boost::asio::buffer(received_.data() + offset, received_.size() - offset), ec);
      offset += used;
      if (ec && ec != http::error::need_more) return std::nullopt;
      if (parser.is_done()) break;
      if (!ec && used > 0) continue;  // Progress: parse on before reading more.
    }
    if (hung_up) {
      parser.put_eof(ec);
      if (ec || !parser.is_done()) return std::nullopt;
      break;
    }
    const long got = receive(std::chrono::milliseconds(millis_left(deadline)));
    if (got < 0) return std::nullopt;  // Nothing more within the wait.
    if (got == 0) hung_up = true;
  }
  received_.erase(0, offset);
  const auto& response = parser.get();
  HttpAnswer answer;
  answer.status = static_cast<int>(response.result_int());
  answer.content_type = std::string(response[http::field::content_type]);
  answer.retry_after = std::string(response[http::field::retry_after]);
  answer.body = response.body();
  return answer;
}

bool RawTcp::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const long got = receive(std::chrono::milliseconds(millis_left(deadline)));
    if (got == 0) return true;
    if (got < 0) return false;
    received_.clear();
  }
}

std::optional<JsonError> json_error_of(const std::string& body) {
  boost::system::error_code ec;
  const auto value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto* error = value.as_object().if_contains("error");
  if (!error || !error->is_object()) return std::nullopt;
  const auto* code = error->as_object().if_contains("code");
  const auto* message = error->as_object().if_contains("message");
  if (!code || !code->is_string() || !message || !message->is_string()) return std::nullopt;
  return JsonError{std::string(code->get_string()), std::string(message->get_string())};
}

}  // namespace balint::test
