#include "join_storm.hpp"

#include "ws_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ctime>

namespace balint::bench {
namespace {

std::int64_t now_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// One join on its way: a non-blocking socket from connect to done.
struct Attempt {
  enum class Stage { connecting, waiting_upgrade, waiting_state, done, failed };
  int fd = -1;
  std::int64_t due_ns = 0;
  Stage stage = Stage::connecting;
  std::string target;
  std::string in;
};

int start_connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

class Step {
 public:
  Step(const JoinStormOptions& options, int rate, std::size_t first_join, const JoinTargets& targets)
      : o_(options), targets_(targets), first_join_(first_join) {
    result_.rate = rate;
    attempts_.reserve(joins() + 1);  // No reallocation while the step runs.
  }

  std::size_t joins() const { return static_cast<std::size_t>(result_.rate * o_.step_seconds); }

  JoinStep run() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    const std::int64_t start = now_ns();
    const std::int64_t interval = 1'000'000'000LL / result_.rate;
    const std::int64_t end = start + static_cast<std::int64_t>(o_.step_seconds * 1e9);
    const std::int64_t give_up = end + 1'000'000'000;
    std::int64_t next_due = start;
    epoll_event events[256];
    while (now_ns() < give_up) {
      for (std::int64_t now = now_ns(); next_due <= now && next_due < end; next_due += interval) begin(next_due);
      const int n = ::epoll_wait(epoll_, events, 256, 1);
      for (int i = 0; i < n; ++i) advance(attempts_[events[i].data.u64], events[i].events);
      if (next_due >= end && finished_ == attempts_.size()) break;
    }
    for (auto& a : attempts_) {
      if (a.stage != Attempt::Stage::done) ++result_.failed;
      if (a.fd >= 0) ::close(a.fd);
    }
    ::close(epoll_);
    result_.offered = attempts_.size();
    return std::move(result_);
  }

 private:
  void begin(std::int64_t due) {
    Attempt attempt;
    attempt.due_ns = due;
    attempt.target = targets_.target(first_join_ + attempts_.size());
    attempt.fd = start_connect(o_.port);
    attempts_.push_back(std::move(attempt));
    Attempt& a = attempts_.back();
    if (a.fd < 0) return fail(a);
    epoll_event event{};
    event.events = EPOLLOUT | EPOLLIN;
    event.data.u64 = attempts_.size() - 1;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, a.fd, &event);
  }

  void advance(Attempt& a, std::uint32_t events) {
    if (a.stage == Attempt::Stage::done || a.stage == Attempt::Stage::failed) return;
    if (a.stage == Attempt::Stage::connecting) {
      if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
      int error = 0;
      socklen_t size = sizeof error;
      ::getsockopt(a.fd, SOL_SOCKET, SO_ERROR, &error, &size);
      const std::string request = upgrade_request(a.target);
      if (error != 0 || ::write(a.fd, request.data(), request.size()) != static_cast<ssize_t>(request.size()))
        return fail(a);
      a.stage = Attempt::Stage::waiting_upgrade;
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = static_cast<std::uint64_t>(&a - attempts_.data());
      ::epoll_ctl(epoll_, EPOLL_CTL_MOD, a.fd, &event);
      return;
    }
    char buffer[16384];
    for (;;) {
      const ssize_t n = ::read(a.fd, buffer, sizeof buffer);
      if (n > 0) {
        a.in.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0 && errno == EINTR) continue;
      return fail(a);  // Closed before the join was done.
    }
    if (a.stage == Attempt::Stage::waiting_upgrade) {
      const auto end = a.in.find("\r\n\r\n");
      if (end == std::string::npos) return;
      if (!a.in.starts_with("HTTP/1.1 101")) return fail(a);
      a.in.erase(0, end + 4);
      if (!targets_.joined) return done(a);
      a.stage = Attempt::Stage::waiting_state;
    }
    bool complete = false;
    for_each_frame(a.in, [&](int opcode, std::string_view payload) {
      if (opcode == 0x2 && targets_.joined(payload)) complete = true;
    });
    if (complete) done(a);
  }

  void done(Attempt& a) {
    a.stage = Attempt::Stage::done;
    ++result_.completed;
    ++finished_;
    result_.latency.record((now_ns() - a.due_ns) / 1000);
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, a.fd, nullptr);  // Open, but no longer read: a member who sits there.
    a.in.clear();
  }

  void fail(Attempt& a) {
    a.stage = Attempt::Stage::failed;
    ++finished_;
    if (a.fd >= 0) {
      ::close(a.fd);
      a.fd = -1;
    }
  }

  const JoinStormOptions& o_;
  const JoinTargets& targets_;
  const std::size_t first_join_;
  int epoll_ = -1;
  std::vector<Attempt> attempts_;
  std::size_t finished_ = 0;
  JoinStep result_;
};

}  // namespace

std::vector<JoinStep> join_storm(const JoinStormOptions& options, const JoinTargets& targets) {
  std::vector<JoinStep> steps;
  std::size_t joins = 0;
  for (int rate = options.first_rate; rate <= options.last_rate; rate += options.rate_step) {
    Step step(options, rate, joins, targets);
    targets.prepare(step.joins() + 1);
    steps.push_back(step.run());
    const JoinStep& last = steps.back();
    joins += last.offered;
    const bool behind = static_cast<double>(last.completed) < options.min_completed * static_cast<double>(last.offered) ||
                        last.latency.at(0.99) > options.max_p99_us;
    if (behind) break;
  }
  return steps;
}

}  // namespace balint::bench
