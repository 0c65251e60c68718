#include "ws_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <vector>
#include <sys/socket.h>
#include <unistd.h>

namespace balint::bench {
namespace {

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("write: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string upgrade_request(const std::string& target) {
  // The key need not be secret: the server only echoes it, hashed.
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: YmFsaW50LWxvYWRnZW4tMQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// The server's frames are unmasked and, here, never fragmented.
std::size_t for_each_frame(std::string_view bytes, const std::function<void(int, std::string_view)>& on_frame) {
  std::size_t at = 0;
  for (;;) {
    const std::size_t available = bytes.size() - at;
    if (available < 2) break;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
    std::size_t header = 2;
    std::uint64_t length = p[1] & 0x7f;
    if (length == 126) {
      if (available < 4) break;
      length = (std::uint64_t{p[2]} << 8) | p[3];
      header = 4;
    } else if (length == 127) {
      if (available < 10) break;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
      header = 10;
    }
    if (available < header + length) break;
    on_frame(p[0] & 0x0f, bytes.substr(at + header, length));
    at += header + length;
  }
  return at;
}

WsClient::WsClient(std::uint16_t port, const std::string& target) : mask_state_(0x9e3779b9u ^ port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const std::string why = std::strerror(errno);
    close_socket();
    throw std::runtime_error("connect: " + why);
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  write_all(fd_, upgrade_request(target));
  std::string response;
  char buffer[4096];
  while (response.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) {
      close_socket();
      throw std::runtime_error("the server closed during the handshake: " + response.substr(0, 200));
    }
    response.append(buffer, static_cast<std::size_t>(n));
  }
  if (!response.starts_with("HTTP/1.1 101")) {
    close_socket();
    throw std::runtime_error("upgrade refused: " + response.substr(0, response.find("\r\n\r\n") + 200));
  }
  in_ = response.substr(response.find("\r\n\r\n") + 4);  // A first frame may have come along.
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

WsClient::~WsClient() { close_socket(); }

void WsClient::close_socket() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void WsClient::send(std::string_view payload) { send_frame(0x2, payload); }

void WsClient::send_frame(int opcode, std::string_view payload) {
  if (fd_ < 0) return;
  const std::size_t n = payload.size();
  char header[14];
  std::size_t length = 0;
  header[length++] = static_cast<char>(0x80 | opcode);  // FIN.
  if (n < 126) {
    header[length++] = static_cast<char>(0x80 | n);
  } else if (n < 65536) {
    header[length++] = static_cast<char>(0x80 | 126);
    header[length++] = static_cast<char>(n >> 8);
    header[length++] = static_cast<char>(n);
  } else {
    header[length++] = static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) header[length++] = static_cast<char>(n >> shift);
  }
  // xorshift: a cheap, changing mask.
  mask_state_ ^= mask_state_ << 13;
  mask_state_ ^= mask_state_ >> 17;
  mask_state_ ^= mask_state_ << 5;
  char mask[4];
  std::memcpy(mask, &mask_state_, 4);
  std::memcpy(header + length, mask, 4);
  length += 4;
  const std::size_t at = out_.size();
  out_.append(header, length);
  out_.append(payload);
  char* body = out_.data() + at + length;
  for (std::size_t i = 0; i < n; ++i) body[i] ^= mask[i & 3];
  flush();
}

bool WsClient::flush() {
  while (fd_ >= 0 && !out_.empty()) {
    const ssize_t n = ::write(fd_, out_.data(), out_.size());
    if (n > 0) {
      out_.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    close_socket();
  }
  return false;
}

bool WsClient::read(const std::function<void(std::string_view)>& on_message) {
  if (fd_ < 0) return false;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n > 0) {
      in_.append(buffer, static_cast<std::size_t>(n));
      if (static_cast<std::size_t>(n) < sizeof buffer) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    close_socket();
    break;
  }
  // A server that pings closes a connection that does not answer (ours
  // after ping_timeout): pongs are sent once the frames are read.
  std::vector<std::string> pongs;
  in_start_ += for_each_frame(std::string_view(in_).substr(in_start_), [&](int opcode, std::string_view payload) {
    if (opcode == 0x2) on_message(payload);
    if (opcode == 0x9) pongs.emplace_back(payload);
    if (opcode == 0x8) close_socket();
  });
  for (const std::string& pong : pongs) send_frame(0xA, pong);
  if (in_start_ > 0 && in_start_ == in_.size()) {
    in_.clear();
    in_start_ = 0;
  } else if (in_start_ > 65536) {
    in_.erase(0, in_start_);
    in_start_ = 0;
  }
  return fd_ >= 0;
}

}  // namespace balint::bench
