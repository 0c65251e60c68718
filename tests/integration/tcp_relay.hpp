// A TCP relay between clients and a real server on loopback, to play the
// network: drop() closes every connection through it and turns new ones
// away (accepts and closes them at once), restore() lets them through
// again, cut() closes some live connections at random and lets the next
// ones through. It counts every connection it accepts, which is how tests
// see reconnect attempts, or their absence. One I/O thread of its own.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace balint::test {

class TcpRelay {
 public:
  explicit TcpRelay(std::uint16_t upstream_port);
  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  std::string ws_url() const;
  // Connections accepted so far, the ones turned away included.
  int accepted() const { return accepted_.load(); }

  // Closes every relayed connection and turns new ones away; returns once done.
  void drop();
  void restore();
  // Closes up to `count` live connections, picked by `random`, without a
  // word to either side (what a lost Wi-Fi looks like); returns how many.
  std::size_t cut(std::size_t count, std::mt19937& random);

 private:
  struct Pair;
  void run(const std::function<void()>& task);  // On the I/O thread; waits.
  void accept();
  static void pump(const std::shared_ptr<Pair>& pair, boost::asio::ip::tcp::socket& from,
                   boost::asio::ip::tcp::socket& to, std::array<char, 16384>& buffer);

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::endpoint upstream_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<int> accepted_{0};
  bool dropped_ = false;                    // I/O thread.
  std::vector<std::weak_ptr<Pair>> pairs_;  // I/O thread.
};

}  // namespace balint::test
