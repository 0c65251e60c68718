#include "tcp_relay.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <future>

namespace balint::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct TcpRelay::Pair {
  Pair(tcp::socket d, net::io_context& ioc) : down(std::move(d)), up(ioc) {}
  void close() {
    boost::system::error_code ignored;
    down.close(ignored);
    up.close(ignored);
  }
  bool open() const { return down.is_open(); }
  tcp::socket down;
  tcp::socket up;
  std::array<char, 16384> from_down{};
  std::array<char, 16384> from_up{};
};

TcpRelay::TcpRelay(std::uint16_t upstream_port)
    : upstream_(net::ip::make_address("127.0.0.1"), upstream_port),
      acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
  accept();
  thread_ = std::thread([this] { ioc_.run(); });
}

TcpRelay::~TcpRelay() {
  ioc_.stop();
  thread_.join();
}

std::string TcpRelay::ws_url() const {
  return "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/ws";
}

void TcpRelay::drop() {
  run([this] {
    dropped_ = true;
    for (auto& weak : pairs_)
      if (auto pair = weak.lock()) pair->close();
    pairs_.clear();
  });
}

void TcpRelay::restore() {
  run([this] { dropped_ = false; });
}

std::size_t TcpRelay::cut(std::size_t count, std::mt19937& random) {
  std::size_t closed = 0;
  run([&] {
    std::vector<std::shared_ptr<Pair>> live;
    for (auto& weak : pairs_)
      if (auto pair = weak.lock(); pair && pair->open()) live.push_back(std::move(pair));
    std::shuffle(live.begin(), live.end(), random);
    for (; closed < std::min(count, live.size()); ++closed) live[closed]->close();
  });
  return closed;
}

void TcpRelay::run(const std::function<void()>& task) {
  std::promise<void> done;
  net::post(ioc_, [&] {
    task();
    done.set_value();
  });
  done.get_future().wait();
}

void TcpRelay::accept() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec) return;
    ++accepted_;
    if (dropped_) {
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      // Forget the pairs that are gone, so that a long run does not pile them up.
      std::erase_if(pairs_, [](const std::weak_ptr<Pair>& weak) { return weak.expired(); });
      auto pair = std::make_shared<Pair>(std::move(socket), ioc_);
      pairs_.push_back(pair);
      pair->up.async_connect(upstream_, [this, pair](const boost::system::error_code& error) {
        if (error || dropped_) return pair->close();
        pump(pair, pair->down, pair->up, pair->from_down);
        pump(pair, pair->up, pair->down, pair->from_up);
      });
    }
    accept();
  });
}

void TcpRelay::pump(const std::shared_ptr<Pair>& pair, tcp::socket& from, tcp::socket& to,
                    std::array<char, 16384>& buffer) {
  from.async_read_some(net::buffer(buffer), [pair, &from, &to, &buffer](const boost::system::error_code& ec,
                                                                        std::size_t n) {
    if (ec) return pair->close();
    net::async_write(to, net::buffer(buffer.data(), n),
                     [pair, &from, &to, &buffer](const boost::system::error_code& error, std::size_t) {
                       if (error) return pair->close();
                       pump(pair, from, to, buffer);
                     });
  });
}

}  // namespace balint::test
