// balint-loadgen: rooms of clients on loopback against one server (ours or
// a peer), one workload, lines of results.
//
//   balint-loadgen --server ours|peer --port P --pid PID --workload audio|video|state|idle|join
//                  [--rooms R] [--clients N] [--speakers S] [--rate HZ]
//                  [--bytes B] [--seconds T] [--warmup T] [--admin-secret S]
//
// Open loop: every speaker's frames are due on a fixed schedule (a timerfd
// ticks every 250 us and sends whatever is due), whatever the server
// does; every payload carries its scheduled send time, and latency is
// measured from it, so a server that falls behind cannot hide it
// (no coordinated omission). Frames scheduled in the measured window are
// counted exactly: expected = frames x (room size - 1), delivered = those
// that arrived. The server's CPU comes from /proc/PID/stat over the window,
// the generator's own from getrusage: a run where the generator used most
// of its core is void. W-join (see join_storm.hpp) offers --rate joins a
// second, then twice, three times that, --seconds per step, in rooms of
// --clients.
#include "histogram.hpp"
#include "join_storm.hpp"
#include "ws_client.hpp"

#include "balint/sdk/admin_client.hpp"
#include "balint/v1/balint.pb.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace balint::bench {
namespace {

constexpr long kTickNs = 250'000;
constexpr std::size_t kCameraHeaderBytes = 17;  // Epoch, counter, flags: client-sdk/E2EE.md.

struct Options {
  std::string server = "ours";  // ours: Balint Room's protocol; peer: raw payloads, rooms by query.
  std::uint16_t port = 0;
  int pid = 0;
  std::string workload = "audio";
  int rooms = 50;
  int clients = 10;
  int speakers = 2;
  int rate = 50;
  int bytes = 100;
  double seconds = 10;
  double warmup = 2;
  std::string admin_secret;
  // Shell commands run as the measured window opens and closes (e.g. to
  // switch valgrind's instruction counting on and off in the server).
  std::string on_window_start;
  std::string on_window_end;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "balint-loadgen: " << problem << "\n"
            << "usage: balint-loadgen --server ours|peer --port P --pid PID --workload audio|video|state|idle|join [--rooms R]\n"
            << "       [--clients N] [--speakers S] [--rate HZ] [--bytes B] [--seconds T] [--warmup T]\n"
            << "       [--admin-secret S] [--on-window-start CMD] [--on-window-end CMD]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage("missing value for " + flag);
    const std::string value = argv[i + 1];
    if (flag == "--server") o.server = value;
    else if (flag == "--port") o.port = static_cast<std::uint16_t>(std::stoi(value));
    else if (flag == "--pid") o.pid = std::stoi(value);
    else if (flag == "--workload") o.workload = value;
    else if (flag == "--rooms") o.rooms = std::stoi(value);
    else if (flag == "--clients") o.clients = std::stoi(value);
    else if (flag == "--speakers") o.speakers = std::stoi(value);
    else if (flag == "--rate") o.rate = std::stoi(value);
    else if (flag == "--bytes") o.bytes = std::stoi(value);
    else if (flag == "--seconds") o.seconds = std::stod(value);
    else if (flag == "--warmup") o.warmup = std::stod(value);
    else if (flag == "--admin-secret") o.admin_secret = value;
    else if (flag == "--on-window-start") o.on_window_start = value;
    else if (flag == "--on-window-end") o.on_window_end = value;
    else usage("unknown option " + flag);
  }
  if (o.server != "ours" && o.server != "peer") usage("--server is ours or peer");
  if (o.port == 0 || o.pid <= 0) usage("--port and --pid are required");
  if (o.server == "ours" && o.admin_secret.empty()) usage("--admin-secret is required for ours");
  if (o.bytes < 17) usage("--bytes must be at least 17 (the stamp)");
  if (o.workload == "video" && o.bytes < 34) usage("--bytes must be at least 34 for video (a clear header and the stamp)");
  if (o.speakers > o.clients) usage("--speakers must not exceed --clients");
  return o;
}

std::int64_t now_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// CPU time of a process (user + system), in microseconds.
std::int64_t process_cpu_us(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt: fields 3-13.
  long long user = 0, system = 0;
  fields >> user >> system;
  return (user + system) * 1'000'000 / ::sysconf(_SC_CLK_TCK);
}

long resident_kib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return -1;
}

std::int64_t own_cpu_us() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return (std::int64_t{usage.ru_utime.tv_sec} + usage.ru_stime.tv_sec) * 1'000'000 + usage.ru_utime.tv_usec +
         usage.ru_stime.tv_usec;
}

// The stamp at the start of every payload: a marker byte (0x01, media, for
// the peers), the scheduled send time, the sender.
struct Stamp {
  std::int64_t scheduled_ns;
  std::uint32_t sender;
  std::uint32_t room;
};

std::string payload_of(const Stamp& stamp, int bytes) {
  std::string payload(static_cast<std::size_t>(bytes), '\x55');
  payload[0] = '\x01';
  std::memcpy(payload.data() + 1, &stamp, sizeof stamp);
  return payload;
}

Stamp stamp_of(std::string_view payload) {
  Stamp stamp{};
  if (payload.size() >= 1 + sizeof stamp) std::memcpy(&stamp, payload.data() + 1, sizeof stamp);
  return stamp;
}

// Wire framing per server kind.
std::string wrap(const Options& o, const std::string& payload) {
  if (o.server == "peer") return payload;
  v1::ClientMessage message;
  message.mutable_media()->set_payload(payload);
  return message.SerializeAsString();
}

// The media payload in a message from the server, or empty for anything else.
std::string_view unwrap(const Options& o, std::string_view message, v1::ServerMessage& scratch) {
  if (o.server == "peer") return message;
  if (!scratch.ParseFromArray(message.data(), static_cast<int>(message.size())) || !scratch.has_media()) return {};
  return scratch.media().payload();
}

// The targets to connect to: one per client, room by room.
std::vector<std::vector<std::string>> plan_targets(const Options& o) {
  std::vector<std::vector<std::string>> rooms(static_cast<std::size_t>(o.rooms));
  if (o.server == "peer") {
    for (int r = 0; r < o.rooms; ++r)
      for (int c = 0; c < o.clients; ++c) rooms[r].push_back("/ws?room=r" + std::to_string(r));
    return rooms;
  }
  sdk::AdminClient admin("http://127.0.0.1:" + std::to_string(o.port), o.admin_secret,
                         sdk::AdminOptions{std::chrono::seconds(30), {}});
  for (int r = 0; r < o.rooms; ++r) {
    sdk::SessionRequest request;
    request.name = "bench " + std::to_string(r);
    request.format = "ccdg";  // Not started: everyone may speak in the lobby.
    request.max_members = static_cast<std::uint32_t>(std::min(o.clients, 100));
    for (int c = 0; c < o.clients; ++c)
      request.invitees.push_back({"c" + std::to_string(c), "Client " + std::to_string(c), "participant"});
    for (const auto& invite : admin.create_session(request).invites) rooms[r].push_back("/ws?token=" + invite.token);
  }
  return rooms;
}

struct Client {
  std::unique_ptr<WsClient> socket;
  int room = 0;
  bool speaker = false;
  std::int64_t next_send_ns = 0;
  bool watching_writes = false;  // EPOLLOUT is set: the socket took less than was queued.
  // W-state, ours: the request ids in flight with their scheduled times,
  // and whether the next command lowers the hand.
  std::uint64_t last_request = 0;
  std::deque<std::pair<std::uint64_t, std::int64_t>> requests;
  bool hand_up = false;
  std::uint64_t camera_frames = 0;  // W-video: chunks sent so far.
};

class Run {
 public:
  explicit Run(Options o) : o_(std::move(o)) {}

  int go() {
    raise_fd_limit();
    if (o_.workload == "join") return join();
    const auto targets = plan_targets(o_);
    const long rss_before = resident_kib(o_.pid);
    const auto connecting = now_ns();
    for (int r = 0; r < o_.rooms; ++r)
      for (int c = 0; c < o_.clients; ++c) {
        Client client;
        client.socket = std::make_unique<WsClient>(o_.port, targets[r][c]);
        client.room = r;
        client.speaker = c < o_.speakers;
        clients_.push_back(std::move(client));
      }
    const double connect_s = static_cast<double>(now_ns() - connecting) / 1e9;
    if (o_.workload == "idle") return idle(rss_before, connect_s);
    if (o_.workload == "audio") return audio(connect_s);
    if (o_.workload == "video") return video(connect_s);
    if (o_.workload == "state") return state(connect_s);
    usage("unknown workload " + o_.workload);
  }

 private:
  static void raise_fd_limit() {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }

  void print_common(const char* workload) const {
    std::cout << "result server=" << o_.server << " workload=" << workload << " rooms=" << o_.rooms
              << " clients=" << o_.clients;
  }

  // Joins at rising rates, each measured until the first state (ours) or
  // the upgrade (a peer); one line per step, then the highest rate the
  // server kept up with.
  int join() {
    // Everything the targets use lives as long as the storm.
    std::vector<std::string> tokens;
    std::size_t needed = 0;
    int sessions = 0;
    sdk::AdminClient admin("http://127.0.0.1:" + std::to_string(o_.port), o_.admin_secret,
                           sdk::AdminOptions{std::chrono::seconds(30), {}});
    JoinTargets targets;
    if (o_.server == "ours") {
      targets.prepare = [&](std::size_t more) {
        needed += more;
        while (tokens.size() < needed) {
          sdk::SessionRequest request;
          request.name = "join storm " + std::to_string(++sessions);
          request.format = "ccdg";
          for (int c = 0; c < o_.clients; ++c)
            request.invitees.push_back({"c" + std::to_string(c), "Client " + std::to_string(c), "participant"});
          for (const auto& invite : admin.create_session(request).invites) tokens.push_back("/ws?token=" + invite.token);
        }
      };
      targets.target = [&](std::size_t i) { return tokens[i]; };
      targets.joined = [](std::string_view message) {
        v1::ServerMessage m;
        return m.ParseFromArray(message.data(), static_cast<int>(message.size())) && m.has_state();
      };
    } else {
      targets.prepare = [](std::size_t) {};
      targets.target = [this](std::size_t i) { return "/ws?room=j" + std::to_string(i / static_cast<std::size_t>(o_.clients)); };
    }
    JoinStormOptions storm;
    storm.port = o_.port;
    storm.step_seconds = o_.seconds;
    storm.first_rate = o_.rate;
    storm.rate_step = o_.rate;
    storm.last_rate = o_.rate * 40;
    int kept_up = 0;
    for (const auto& step : join_storm(storm, targets)) {
      const bool behind = static_cast<double>(step.completed) < storm.min_completed * static_cast<double>(step.offered) ||
                          step.latency.at(0.99) > storm.max_p99_us;
      if (!behind) kept_up = step.rate;
      print_common("join");
      std::cout << " rate=" << step.rate << " offered=" << step.offered << " completed=" << step.completed
                << " failed=" << step.failed << " p50_us=" << step.latency.at(0.5) << " p99_us=" << step.latency.at(0.99)
                << " behind=" << (behind ? "yes" : "no") << std::endl;
    }
    print_common("join");
    std::cout << " joins_per_s_kept_up=" << kept_up << std::endl;
    return 0;
  }

  // Connections held open doing nothing: the server's memory for each.
  int idle(long rss_before, double connect_s) {
    // Let the server settle (welcome, state, buffers), answering nothing.
    const auto until = now_ns() + 3'000'000'000LL;
    while (now_ns() < until) {
      for (auto& c : clients_) c.socket->read([](std::string_view) {});
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const long rss_after = resident_kib(o_.pid);
    std::size_t open = 0;
    for (auto& c : clients_) open += c.socket->closed() ? 0 : 1;
    print_common("idle");
    std::cout << " connections=" << open << " connect_s=" << connect_s << " rss_before_kib=" << rss_before
              << " rss_after_kib=" << rss_after << " kib_per_connection="
              << static_cast<double>(rss_after - rss_before) / static_cast<double>(clients_.size()) << std::endl;
    return open == clients_.size() ? 0 : 1;
  }

  // What one paced workload sends and how its deliveries are counted.
  struct Traffic {
    const char* name;
    bool everyone_sends;     // Else the speakers alone.
    std::uint64_t fan_out;   // Deliveries expected per message sent.
    // The bytes to send for a message due at `scheduled` from client `id`.
    std::function<std::string(std::size_t id, std::int64_t scheduled)> message;
    // What arrived at client `id`: the scheduled time of what it delivers, if it is one.
    std::function<void(std::size_t id, std::string_view message, std::int64_t now)> receive;
  };

  // The measured window, its CPU figures and its hooks.
  struct Window {
    std::int64_t start = 0, end = 0;
    std::int64_t server_cpu_start = 0, server_cpu_end = 0, own_cpu_start = 0, own_cpu_end = 0;
    bool opened = false, closed = false, hooked = false;
    bool contains(std::int64_t t) const { return t >= start && t < end; }
  };

  // W-audio: the speakers' frames, relayed to the rest of the room.
  int audio(double connect_s) {
    Traffic traffic{"audio", false, static_cast<std::uint64_t>(o_.clients - 1), {}, {}};
    traffic.message = [this](std::size_t id, std::int64_t scheduled) {
      const Stamp stamp{scheduled, static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(clients_[id].room)};
      return wrap(o_, payload_of(stamp, o_.bytes));
    };
    v1::ServerMessage scratch;
    traffic.receive = [this, &scratch](std::size_t, std::string_view message, std::int64_t now) {
      const auto payload = unwrap(o_, message, scratch);
      if (!payload.empty()) deliver(stamp_of(payload).scheduled_ns, now);
    };
    return paced(traffic, connect_s);
  }

  // W-video: the cameras' chunks (--speakers of them), relayed to the rest
  // of the room. They go as a VP9 camera's would in L1T3: a key frame every
  // 2 s, the layers 0 2 1 2 between. Ours reads the clear header of a
  // camera frame (client-sdk/E2EE.md), so each carries one, and the stamp
  // after it; a peer relays the stamped payload as it is.
  int video(double connect_s) {
    if (o_.server == "ours") turn_cameras_on();
    Traffic traffic{"video", false, static_cast<std::uint64_t>(o_.clients - 1), {}, {}};
    traffic.message = [this](std::size_t id, std::int64_t scheduled) {
      Client& c = clients_[id];
      const Stamp stamp{scheduled, static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(c.room)};
      if (o_.server == "peer") return payload_of(stamp, o_.bytes);
      const std::uint64_t n = c.camera_frames++;
      static constexpr int kLayers[] = {0, 2, 1, 2};
      const bool key_frame = n % (2 * static_cast<std::uint64_t>(o_.rate)) == 0;
      const int layer = key_frame ? 0 : kLayers[n % 4];
      std::string payload(kCameraHeaderBytes, '\0');
      payload[7] = 1;  // Epoch 1, big-endian.
      for (int i = 0; i < 8; ++i) payload[8 + i] = static_cast<char>((n >> (56 - 8 * i)) & 0xff);  // The counter.
      payload[16] = static_cast<char>((key_frame ? 0x01 : 0x00) | layer << 1);
      payload += payload_of(stamp, o_.bytes - kCameraHeaderBytes);
      v1::ClientMessage message;
      message.mutable_media()->set_track(v1::MEDIA_TRACK_CAMERA);
      message.mutable_media()->set_payload(std::move(payload));
      return message.SerializeAsString();
    };
    v1::ServerMessage scratch;
    traffic.receive = [this, &scratch](std::size_t, std::string_view message, std::int64_t now) {
      auto payload = unwrap(o_, message, scratch);
      if (o_.server == "ours" && payload.size() > kCameraHeaderBytes) payload.remove_prefix(kCameraHeaderBytes);
      if (!payload.empty()) deliver(stamp_of(payload).scheduled_ns, now);
    };
    return paced(traffic, connect_s);
  }

  // Ours forwards a camera only once its owner said it is on: every camera
  // says so, and the run starts when the server has taken them all.
  void turn_cameras_on() {
    std::size_t waiting = 0;
    for (auto& c : clients_) {
      if (!c.speaker) continue;
      v1::ClientMessage message;
      message.set_request_id(++c.last_request);
      message.mutable_command()->mutable_set_camera()->set_on(true);
      c.socket->send(message.SerializeAsString());  // A few bytes: the socket takes them at once.
      ++waiting;
    }
    v1::ServerMessage scratch;
    const auto deadline = now_ns() + 10'000'000'000LL;
    while (waiting > 0 && now_ns() < deadline) {
      for (auto& c : clients_)
        c.socket->read([&](std::string_view bytes) {
          if (c.speaker && scratch.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) && scratch.has_result() &&
              scratch.result().request_id() == c.last_request && scratch.result().code() == v1::ERROR_CODE_OK)
            --waiting;
        });
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (waiting > 0) usage(std::to_string(waiting) + " cameras were not turned on");
  }

  // W-state: every client changes the state at --rate; every change goes
  // to the whole room, the sender included. Ours: raising and lowering
  // one's own hand; each state's version is matched to the command whose
  // result carried it. A peer: a stamped message it sends to everyone.
  int state(double connect_s) {
    Traffic traffic{"state", true, static_cast<std::uint64_t>(o_.clients), {}, {}};
    if (o_.server == "peer") {
      traffic.message = [this](std::size_t id, std::int64_t scheduled) {
        std::string payload = payload_of({scheduled, static_cast<std::uint32_t>(id), 0}, o_.bytes);
        payload[0] = '\x02';  // State: to everyone, the sender too.
        return payload;
      };
      traffic.receive = [this](std::size_t, std::string_view message, std::int64_t now) {
        deliver(stamp_of(message).scheduled_ns, now);
      };
      return paced(traffic, connect_s);
    }
    rooms_.assign(static_cast<std::size_t>(o_.rooms), RoomVersions{});
    traffic.message = [this](std::size_t id, std::int64_t scheduled) {
      Client& c = clients_[id];
      v1::ClientMessage message;
      message.set_request_id(++c.last_request);
      c.hand_up = !c.hand_up;
      if (c.hand_up) message.mutable_command()->mutable_raise_hand();
      else message.mutable_command()->mutable_lower_hand();
      c.requests.emplace_back(c.last_request, scheduled);
      return message.SerializeAsString();
    };
    v1::ServerMessage scratch;
    traffic.receive = [this, &scratch](std::size_t id, std::string_view bytes, std::int64_t now) {
      if (!scratch.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
      RoomVersions& room = rooms_[static_cast<std::size_t>(clients_[id].room)];
      if (scratch.has_result()) {
        Client& c = clients_[id];
        while (!c.requests.empty() && c.requests.front().first < scratch.result().request_id()) c.requests.pop_front();
        if (c.requests.empty() || c.requests.front().first != scratch.result().request_id()) return;
        const std::int64_t scheduled = c.requests.front().second;
        c.requests.pop_front();
        if (scratch.result().code() != v1::ERROR_CODE_OK) return;
        const std::uint64_t version = scratch.result().state_version();
        room.scheduled[version] = scheduled;
        // States of this version that arrived before the result.
        std::erase_if(room.early, [&](const std::pair<std::uint64_t, std::int64_t>& early) {
          if (early.first != version) return false;
          deliver(scheduled, early.second);
          return true;
        });
      } else if (scratch.has_state()) {
        const std::uint64_t version = scratch.state().version();
        const auto known = room.scheduled.find(version);
        if (known != room.scheduled.end()) deliver(known->second, now);
        else room.early.emplace_back(version, now);
      }
    };
    return paced(traffic, connect_s);
  }

  // Counts a delivery of something scheduled at `scheduled`, arriving at `now`.
  void deliver(std::int64_t scheduled, std::int64_t now) {
    if (!window_.contains(scheduled)) return;
    ++delivered_;
    latency_.record((now - scheduled) / 1000);
  }

  // The open loop: a timerfd tick, every due message sent, every arrival
  // read; the window in the middle, a second after it for late arrivals.
  int paced(const Traffic& traffic, double connect_s) {
    const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = i;
      ::epoll_ctl(epoll, EPOLL_CTL_ADD, clients_[i].socket->fd(), &event);
    }
    const int timer = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    itimerspec tick{};
    tick.it_interval.tv_nsec = kTickNs;
    tick.it_value.tv_nsec = kTickNs;
    ::timerfd_settime(timer, 0, &tick, nullptr);
    epoll_event timer_event{};
    timer_event.events = EPOLLIN;
    timer_event.data.u64 = ~std::uint64_t{0};
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, timer, &timer_event);

    const std::int64_t interval = 1'000'000'000LL / o_.rate;
    const std::int64_t start = now_ns() + 100'000'000;  // After the connections settle.
    window_.start = start + static_cast<std::int64_t>(o_.warmup * 1e9);
    window_.end = window_.start + static_cast<std::int64_t>(o_.seconds * 1e9);
    const std::int64_t stop = window_.end + 1'000'000'000;  // Late arrivals still count.
    std::mt19937_64 random(42);
    for (auto& c : clients_)
      if (c.speaker || traffic.everyone_sends)
        c.next_send_ns = start + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(interval));

    std::uint64_t expected = 0;
    std::vector<epoll_event> events(1024);
    while (now_ns() < stop) {
      const int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 10);
      for (int i = 0; i < n; ++i) {
        const auto id = events[i].data.u64;
        if (id == ~std::uint64_t{0}) {
          std::uint64_t expirations = 0;
          (void)!::read(timer, &expirations, sizeof expirations);
          continue;
        }
        Client& c = clients_[id];
        if (events[i].events & EPOLLOUT && !c.socket->flush()) watch_writes(epoll, id, false);
        if (events[i].events & EPOLLIN)
          c.socket->read([&](std::string_view message) { traffic.receive(id, message, now_ns()); });
      }
      const std::int64_t now = now_ns();
      advance_window(now);
      for (std::size_t id = 0; id < clients_.size(); ++id) {
        Client& c = clients_[id];
        if (!c.speaker && !traffic.everyone_sends) continue;
        while (c.next_send_ns <= now && c.next_send_ns < window_.end) {
          c.socket->send(traffic.message(id, c.next_send_ns));
          if (c.next_send_ns >= window_.start) expected += traffic.fan_out;
          c.next_send_ns += interval;
        }
        if (c.socket->wants_write() && !c.watching_writes) watch_writes(epoll, id, true);
      }
    }
    std::size_t closed = 0;
    for (auto& c : clients_) closed += c.socket->closed() ? 1 : 0;
    const double window_s = o_.seconds;
    const double server_us = static_cast<double>(window_.server_cpu_end - window_.server_cpu_start);
    const double own_pct = 100.0 * static_cast<double>(window_.own_cpu_end - window_.own_cpu_start) / (window_s * 1e6);
    print_common(traffic.name);
    std::cout << " senders=" << (traffic.everyone_sends ? o_.clients : o_.speakers) << " rate=" << o_.rate
              << " bytes=" << o_.bytes << " offered_per_s=" << static_cast<double>(expected) / window_s
              << " expected=" << expected << " delivered=" << delivered_
              << " lost=" << (expected > delivered_ ? expected - delivered_ : 0) << " p50_us=" << latency_.at(0.5)
              << " p99_us=" << latency_.at(0.99) << " p999_us=" << latency_.at(0.999) << " max_us=" << latency_.max()
              << " server_cpu_pct=" << 100.0 * server_us / (window_s * 1e6)
              << " server_cpu_us_per_delivery=" << (delivered_ ? server_us / static_cast<double>(delivered_) : 0)
              << " server_rss_kib=" << resident_kib(o_.pid) << " gen_cpu_pct=" << own_pct
              << " void=" << (own_pct > 90 ? "yes" : "no") << " closed=" << closed << " connect_s=" << connect_s
              << std::endl;
    ::close(timer);
    ::close(epoll);
    return 0;
  }

  void advance_window(std::int64_t now) {
    if (!window_.opened && now >= window_.start) {
      window_.opened = true;
      run_hook(o_.on_window_start);
      window_.server_cpu_start = process_cpu_us(o_.pid);
      window_.own_cpu_start = own_cpu_us();
    }
    if (window_.opened && !window_.closed && now >= window_.end) {
      window_.closed = true;
      window_.server_cpu_end = process_cpu_us(o_.pid);
      window_.own_cpu_end = own_cpu_us();
    }
    if (window_.closed && !window_.hooked && now >= window_.end + 500'000'000) {
      window_.hooked = true;  // Half a second on: the window's messages have been handled.
      run_hook(o_.on_window_end);
    }
  }

  static void run_hook(const std::string& command) {
    if (!command.empty() && std::system(command.c_str()) != 0) std::cerr << "balint-loadgen: hook failed: " << command << "\n";
  }

  void watch_writes(int epoll, std::uint64_t id, bool on) {
    Client& c = clients_[id];
    if (c.socket->closed()) return;
    epoll_event event{};
    event.events = on ? EPOLLIN | EPOLLOUT : EPOLLIN;
    event.data.u64 = id;
    ::epoll_ctl(epoll, EPOLL_CTL_MOD, c.socket->fd(), &event);
    c.watching_writes = on;
  }

  // W-state, ours: per room, the scheduled time of the command behind each
  // state version, and states that came before their command's result.
  struct RoomVersions {
    std::unordered_map<std::uint64_t, std::int64_t> scheduled;
    std::vector<std::pair<std::uint64_t, std::int64_t>> early;  // (version, arrival)
  };

  Options o_;
  std::vector<Client> clients_;
  std::vector<RoomVersions> rooms_;
  Window window_;
  Histogram latency_;
  std::uint64_t delivered_ = 0;
};

}  // namespace
}  // namespace balint::bench

int main(int argc, char** argv) {
  try {
    return balint::bench::Run(balint::bench::parse(argc, argv)).go();
  } catch (const std::exception& error) {
    std::cerr << "balint-loadgen: " << error.what() << "\n";
    return 1;
  }
}
