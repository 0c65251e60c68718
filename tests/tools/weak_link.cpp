// A weak link for the browser tests: a TCP relay to a server on loopback
// that carries at most --rate bytes a second towards the client, as a poor
// connection does, and holds almost nothing on the way (a small receive
// buffer towards the server, 1 KiB read at a time), so that what the link
// cannot carry backs up into the server, as it would on a real network,
// and not into buffers of this relay's own. The other direction is not
// limited.
//
//   balint_weak_link --to PORT [--rate BYTES_PER_SECOND]
//
// It listens on 127.0.0.1, prints "listening on PORT" once ready, and runs
// until stdin closes (its parent ends) or it is killed. A line "rate N" on
// stdin changes the rate for every connection (0: not limited), so that a
// page loads at full speed and its meeting then goes weak.
#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::size_t kSlice = 1024;
constexpr int kUpstreamReceiveBuffer = 4096;  // The kernel doubles it; about the least it takes.

struct Options {
  std::uint16_t to = 0;
};

// Bytes a second towards clients; 0 is not limited. Set from stdin's thread.
std::atomic<double> rate{0};

// Towards the client: a slice, then the time it takes at the rate.
asio::awaitable<void> limited(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
  char slice[kSlice];
  asio::steady_timer pace(co_await asio::this_coro::executor);
  auto next = std::chrono::steady_clock::now();
  try {
    for (;;) {
      const std::size_t n = co_await from->async_read_some(asio::buffer(slice), asio::use_awaitable);
      co_await asio::async_write(*to, asio::buffer(slice, n), asio::use_awaitable);
      const double now_rate = rate.load();
      if (now_rate <= 0) continue;
      next = std::max(next, std::chrono::steady_clock::now() - std::chrono::milliseconds(50)) +
             std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(n / now_rate));
      pace.expires_at(next);
      co_await pace.async_wait(asio::use_awaitable);
    }
  } catch (const std::exception&) {
  }
  boost::system::error_code ignored;
  from->close(ignored);
  to->close(ignored);
}

asio::awaitable<void> plain(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
  char buffer[16 * 1024];
  try {
    for (;;) {
      const std::size_t n = co_await from->async_read_some(asio::buffer(buffer), asio::use_awaitable);
      co_await asio::async_write(*to, asio::buffer(buffer, n), asio::use_awaitable);
    }
  } catch (const std::exception&) {
  }
  boost::system::error_code ignored;
  from->close(ignored);
  to->close(ignored);
}

asio::awaitable<void> relay(tcp::socket accepted, Options options) {
  auto executor = co_await asio::this_coro::executor;
  auto client = std::make_shared<tcp::socket>(std::move(accepted));
  auto server = std::make_shared<tcp::socket>(executor);
  server->open(tcp::v4());
  // Before connecting, so that the window the server is offered is small from the start.
  server->set_option(asio::socket_base::receive_buffer_size(kUpstreamReceiveBuffer));
  server->set_option(tcp::no_delay(true));
  client->set_option(tcp::no_delay(true));
  try {
    co_await server->async_connect({asio::ip::make_address("127.0.0.1"), options.to}, asio::use_awaitable);
  } catch (const std::exception&) {
    co_return;  // The server is gone: the client sees its connection close.
  }
  asio::co_spawn(executor, plain(client, server), asio::detached);
  asio::co_spawn(executor, limited(server, client), asio::detached);
}

asio::awaitable<void> listen(tcp::acceptor& acceptor, Options options) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(acceptor.get_executor(), relay(std::move(socket), options), asio::detached);
  }
}

int usage() {
  std::fprintf(stderr, "usage: balint_weak_link --to PORT [--rate BYTES_PER_SECOND]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view name = argv[i];
    if (name == "--to") options.to = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    else if (name == "--rate") rate = std::atof(argv[i + 1]);
    else return usage();
  }
  if (options.to == 0 || rate < 0 || argc % 2 == 0) return usage();

  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::co_spawn(io, listen(acceptor, options), asio::detached);
  std::printf("listening on %u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  // Ends with its parent: a test that dies leaves no relay behind.
  std::thread([&io] {
    char line[64];
    while (std::fgets(line, sizeof line, stdin) != nullptr) {
      if (std::strncmp(line, "rate ", 5) == 0) rate = std::atof(line + 5);
    }
    io.stop();
  }).detach();
  io.run();
  return 0;
}
