#include "harness.hpp"

#include "app/log.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace balint::test {

// --- TempDir, TestServer -----------------------------------------------------

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "balint-it-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

TestServer::TestServer(const std::function<void(app::Config&)>& tweak, app::Server::OpenStore open_store) {
  app::Config config;
  config.bind_address = "127.0.0.1";
  config.port = 0;
  config.threads = 2;
  config.data_dir = dir_.path().string();
  config.log_level = "error";
  config.shutdown_grace = std::chrono::seconds(2);
  if (tweak) tweak(config);
  certificate_file_ = config.tls_certificate_file;
  server_ = std::make_unique<app::Server>(config, std::move(open_store));
  server_->start();
}

TestServer::~TestServer() {
  if (server_) server_->stop();
}

std::string TestServer::http_url() const { return server_->base_url(); }

std::string TestServer::ws_url() const {
  const std::string scheme = certificate_file_.empty() ? "ws://" : "wss://";
  return scheme + "127.0.0.1:" + std::to_string(server_->port()) + "/ws";
}

std::uint16_t TestServer::port() const { return server_->port(); }
std::uint16_t TestServer::admin_port() const { return server_->admin_port(); }

// --- CapturedLog -------------------------------------------------------------

CapturedLog::CapturedLog() {
  app::set_log_sink([this](app::LogLevel, std::string_view line) {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(line);
  });
}

CapturedLog::~CapturedLog() { app::set_log_sink(nullptr); }

std::vector<std::string> CapturedLog::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::string CapturedLog::text() const {
  std::string all;
  for (const auto& line : lines()) all += line + "\n";
  return all;
}

const std::string& TestServer::admin_secret() const { return server_->admin_secret(); }

sdk::AdminClient TestServer::admin() const {
  return sdk::AdminClient(http_url(), admin_secret(), sdk::AdminOptions{kWait, certificate_file_});
}

sdk::Invitee invitee(const std::string& id, const std::string& name, const std::string& role) {
  sdk::Invitee i;
  i.id = id;
  i.name = name;
  i.role = role;
  return i;
}

// --- Member ------------------------------------------------------------------

Member::Member(std::string label, sdk::ClientOptions options)
    : label_(std::move(label)), client_(std::make_unique<sdk::Client>(std::move(options))) {
  client_->on_media([this](const v1::MediaFrame& frame) {
    std::lock_guard lock(mu_);
    frames_.push_back({frame.sender_id(), frame.payload(), frame.track()});
  });
  client_->on_video([this](const std::string& sender_id, const sdk::VideoChunk& chunk) {
    std::lock_guard lock(mu_);
    frames_.push_back({sender_id, chunk.data, v1::MEDIA_TRACK_CAMERA, chunk.key_frame});
  });
  client_->on_key_frame_request([this](sdk::KeyFrameReason why) {
    std::lock_guard lock(mu_);
    if (why == sdk::KeyFrameReason::asked) key_frame_requests_.push_back(std::chrono::steady_clock::now());
    else ++key_frames_for_new_keys_;
  });
  client_->on_event([this](const v1::Event& event) {
    std::lock_guard lock(mu_);
    events_.push_back(event);
  });
  client_->on_state([this](const v1::SessionState&) {
    std::lock_guard lock(mu_);
    ++states_;
  });
  client_->on_chat([this](const sdk::ChatMessage& chat) {
    std::lock_guard lock(mu_);
    chats_.push_back(chat);
  });
  client_->on_security([this](const sdk::SecurityNotice& notice) {
    std::lock_guard lock(mu_);
    notices_.push_back(notice);
  });
}

Member::~Member() { client_.reset(); }

sdk::Status Member::try_join(const sdk::Invite& invite) {
  const auto status = client_->connect(sdk::parse_join_link(invite.link));
  if (status.ok()) id_ = client_->participant_id();
  return status;
}

void Member::join(const sdk::Invite& invite) {
  const auto status = try_join(invite);
  INFO(label_ << " joining: " << status.describe());
  REQUIRE(status.ok());
  REQUIRE(id_ == invite.participant_id);
}

std::multiset<std::string> Member::senders_with_tag(const std::string& tag) const {
  std::lock_guard lock(mu_);
  std::multiset<std::string> senders;
  const std::string prefix = tag + "|";
  for (const auto& frame : frames_) {
    if (frame.payload.compare(0, prefix.size(), prefix) != 0) continue;
    INFO(label_ << " got a frame stamped " << frame.sender_id << " with payload " << frame.payload);
    CHECK(frame.payload.substr(prefix.size()) == frame.sender_id);
    senders.insert(frame.sender_id);
  }
  return senders;
}

std::multiset<std::string> Member::chat_senders_with_tag(const std::string& tag) const {
  std::lock_guard lock(mu_);
  std::multiset<std::string> senders;
  const std::string prefix = tag + "|";
  for (const auto& chat : chats_) {
    if (chat.text.compare(0, prefix.size(), prefix) != 0) continue;
    INFO(label_ << " read a chat message stamped " << chat.sender_id << ": " << chat.text);
    CHECK(chat.text.substr(prefix.size()) == chat.sender_id);
    senders.insert(chat.sender_id);
  }
  return senders;
}

std::vector<sdk::ChatMessage> Member::chats() const {
  std::lock_guard lock(mu_);
  return chats_;
}

std::vector<sdk::SecurityNotice> Member::notices() const {
  std::lock_guard lock(mu_);
  return notices_;
}

int Member::key_frames_for_new_keys() const {
  std::lock_guard lock(mu_);
  return key_frames_for_new_keys_;
}

std::vector<std::chrono::steady_clock::time_point> Member::key_frame_requests() const {
  std::lock_guard lock(mu_);
  return key_frame_requests_;
}

std::vector<Frame> Member::frames() const {
  std::lock_guard lock(mu_);
  return frames_;
}

std::vector<v1::Event> Member::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

std::size_t Member::states_received() const {
  std::lock_guard lock(mu_);
  return states_;
}

bool Member::send_tagged_media(const std::string& tag) { return client_->send_media(0, tag + "|" + id_); }

v1::Command Member::harmless_command() const {
  // Lowering a hand that is not raised: NO_CHANGE. A room device must name
  // one of its attendees (or it gets INVALID_ARGUMENT, just as harmless).
  if (client_->welcome().role() == v1::ROLE_ROOM && !attendees.empty())
    return sdk::cmd::lower_hand(attendees.front());
  return sdk::cmd::lower_hand();
}

// --- Helpers -----------------------------------------------------------------

std::uint64_t must(Member& member, const v1::Command& command) {
  const auto result = member.client().send(command);
  INFO(member.label() << " sending " << command.ShortDebugString() << ": " << sdk::describe(result));
  REQUIRE(result.code() == v1::ERROR_CODE_OK);
  return result.state_version();
}

void wait_all(const std::vector<Member*>& members, std::uint64_t version) {
  for (Member* m : members) {
    INFO(m->label() << " waiting for version " << version << " (has " << m->client().state().version() << ")");
    REQUIRE(m->client().wait_for_version(version, kWait).has_value());
  }
}

void wait_keys_settled(const std::vector<Member*>& members) {
  std::uint64_t epoch = 0;
  for (Member* m : members) epoch = std::max(epoch, m->client().state().key_epoch());
  for (Member* m : members) {
    INFO(m->label() << " waiting for the keys of epoch " << epoch);
    REQUIRE(m->client().wait_for_state([&](const v1::SessionState& s) { return s.key_epoch() >= epoch; }, kWait));
    REQUIRE(m->client().wait_keys_ready(kWait));
  }
}

namespace {

// The rule of FORMATS.md; `chat` ignores a facilitator's mute.
bool person_may(const v1::SessionState& s, const v1::Member& m, bool chat) {
  const bool presenter = !s.presenter_id().empty() && s.presenter_id() == m.participant_id();
  const v1::Phase* phase = sdk::current_phase(s);
  if (!phase) return true;  // Before the start everyone may greet.
  if (m.muted() && !chat) return false;
  if (phase->rule() == v1::SPEAKING_RULE_ALL_BUT_PRESENTER && presenter) return false;
  if (m.role() == v1::ROLE_FACILITATOR || m.role() == v1::ROLE_CO_FACILITATOR) return true;
  if (s.floor_holder_id() == m.participant_id()) return true;
  switch (phase->rule()) {
    case v1::SPEAKING_RULE_EVERYONE: return true;
    case v1::SPEAKING_RULE_PRESENTER_ONLY: return presenter;
    case v1::SPEAKING_RULE_TURN_HOLDER: return s.go_around().turn_holder_id() == m.participant_id();
    case v1::SPEAKING_RULE_ALL_BUT_PRESENTER: return true;
    default: return false;
  }
}

std::set<std::string> allowed(const v1::SessionState& s, bool chat) {
  std::set<std::string> out;
  if (s.ended()) return out;
  for (const auto& m : s.roster()) {
    // In-room attendees have no connection of their own: the device that
    // carries them is heard for them.
    if (m.connection() != v1::CONNECTION_STATUS_CONNECTED || !m.room_device_id().empty()) continue;
    if (m.role() == v1::ROLE_ROOM) {
      if (m.muted() && !chat) continue;
      for (const auto& a : s.roster())
        if (a.room_device_id() == m.participant_id() && person_may(s, a, chat)) out.insert(m.participant_id());
    } else if (person_may(s, m, chat)) {
      out.insert(m.participant_id());
    }
  }
  return out;
}

}  // namespace

std::set<std::string> expected_speakers(const v1::SessionState& s) { return allowed(s, false); }

std::set<std::string> expected_chatters(const v1::SessionState& s) { return allowed(s, true); }

v1::SessionState media_round(const std::vector<Member*>& members, const std::string& tag,
                             const std::set<std::string>& expected,
                             const std::function<v1::CommandResult()>& change) {
  // The server's own view must agree with the rule the test applies.
  const auto before = members.front()->client().state();
  for (const auto& m : before.roster()) {
    if (m.connection() != v1::CONNECTION_STATUS_CONNECTED || !m.room_device_id().empty()) continue;
    INFO("round " << tag << ": may_speak of " << m.participant_id() << " in the server's state");
    CHECK(m.may_speak() == (expected.count(m.participant_id()) == 1));
  }

  const auto chatters = expected_chatters(before);
  for (const auto& m : before.roster()) {
    if (m.connection() != v1::CONNECTION_STATUS_CONNECTED || !m.room_device_id().empty()) continue;
    INFO("round " << tag << ": may_chat of " << m.participant_id() << " in the server's state");
    CHECK(m.may_chat() == (chatters.count(m.participant_id()) == 1));
  }

  wait_keys_settled(members);
  for (Member* m : members) {
    INFO(m->label() << " sending media and chat in round " << tag);
    REQUIRE(m->send_tagged_media(tag));
    const auto result = m->client().send_chat(tag + "|" + m->id());
    INFO("chat result: " << sdk::describe(result));
    CHECK(result.code() == (chatters.count(m->id()) ? v1::ERROR_CODE_OK : v1::ERROR_CODE_PHASE_FORBIDS));
  }
  for (Member* m : members) {
    const auto result = m->client().send(m->harmless_command());
    INFO(m->label() << " barrier in round " << tag << ": " << sdk::describe(result));
    REQUIRE(result.code() != v1::ERROR_CODE_OK);
    REQUIRE(static_cast<int>(result.code()) < 1000);  // Answered by the server.
    CHECK(result.state_version() == before.version());
  }
  const auto result = change();
  INFO("state change closing round " << tag << ": " << sdk::describe(result));
  REQUIRE(result.code() == v1::ERROR_CODE_OK);
  wait_all(members, result.state_version());

  for (Member* m : members) {
    std::multiset<std::string> want;
    for (const auto& id : expected)
      if (id != m->id()) want.insert(id);
    const auto got = m->senders_with_tag(tag);
    INFO("round " << tag << ": frames received by " << m->label() << " (" << m->id() << ")");
    CHECK(got == want);
    std::multiset<std::string> want_chat;
    for (const auto& id : chatters)
      if (id != m->id()) want_chat.insert(id);
    INFO("round " << tag << ": chat read by " << m->label());
    CHECK(m->chat_senders_with_tag(tag) == want_chat);
    for (const auto& notice : m->notices()) {
      INFO(m->label() << " was told: " << notice.detail);
      CHECK(notice.kind == sdk::SecurityNotice::Kind::code_changed);  // Nothing was rejected.
    }
  }
  return members.front()->client().state();
}

// --- Process -----------------------------------------------------------------

namespace {

void make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
}

}  // namespace

Process::Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra_env) {
  ::signal(SIGPIPE, SIG_IGN);
  int in[2], out[2], err[2];
  make_pipe(in);
  make_pipe(out);
  make_pipe(err);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const auto name = entry.substr(0, entry.find('='));
    if (!extra_env.count(name)) env_strings.push_back(entry);
  }
  for (const auto& [name, value] : extra_env) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> c_args;
  for (auto& a : args) c_args.push_back(a.data());
  c_args.push_back(nullptr);

  const int rc = ::posix_spawn(&pid_, c_args[0], &actions, nullptr, c_args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  in_ = in[1];
  out_fd_ = out[0];
  err_fd_ = err[0];
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
}

Process::~Process() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
  }
  for (int fd : {in_, out_fd_, err_fd_})
    if (fd >= 0) ::close(fd);
}

void Process::write_stdin(const std::string& text) {
  std::size_t done = 0;
  while (in_ >= 0 && done < text.size()) {
    const ssize_t n = ::write(in_, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

void Process::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

bool Process::pump(std::chrono::milliseconds timeout) {
  pollfd fds[2];
  int count = 0;
  if (out_fd_ >= 0) fds[count++] = {out_fd_, POLLIN, 0};
  if (err_fd_ >= 0) fds[count++] = {err_fd_, POLLIN, 0};
  if (count == 0) return false;
  const int ready = ::poll(fds, static_cast<nfds_t>(count), static_cast<int>(timeout.count()));
  if (ready <= 0) return true;
  for (int i = 0; i < count; ++i) {
    if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char buffer[4096];
    const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
    const bool is_out = fds[i].fd == out_fd_;
    if (n > 0) {
      (is_out ? out_ : err_).append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      ::close(fds[i].fd);
      (is_out ? out_fd_ : err_fd_) = -1;
    }
  }
  return out_fd_ >= 0 || err_fd_ >= 0;
}

bool Process::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out_.find(text) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    if (!pump(std::min(left, std::chrono::milliseconds(50)))) return out_.find(text) != std::string::npos;
  }
  return true;
}

void Process::drain() {
  // pump() reads at most one buffer per pipe; go on while it brings more.
  for (;;) {
    const std::size_t before = out_.size() + err_.size();
    if (!pump(std::chrono::milliseconds(0))) return;
    if (out_.size() + err_.size() == before) return;
  }
}

bool Process::send_signal(int signal) {
  if (pid_ <= 0 || exited_) return false;
  return ::kill(pid_, signal) == 0;
}

int Process::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const bool open = pump(std::chrono::milliseconds(20));
    if (!exited_) {
      const pid_t done = ::waitpid(pid_, &status_, WNOHANG);
      if (done == pid_) exited_ = true;
    }
    if (exited_ && !open) break;
  }
  if (!exited_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
    exited_ = true;
    return -1;
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          const std::map<std::string, std::string>& extra_env) {
  Process process(argv, extra_env);
  process.write_stdin(input);
  process.close_stdin();
  ProcessResult result;
  result.exit_code = process.wait(std::chrono::seconds(15));
  result.out = process.out();
  result.err = process.err();
  return result;
}

void expect_closed_by_end(Member& member) {
  INFO(member.label() << " after the end");
  REQUIRE(member.client().wait_closed(kWait));
  const auto info = member.client().close_info();
  REQUIRE(info.has_value());
  CHECK(info->goodbye == v1::GOODBYE_REASON_SESSION_ENDED);
  CHECK(info->by_server);
  CHECK_FALSE(info->reason.empty());
  CHECK(member.client().state().ended());
}

}  // namespace balint::test
