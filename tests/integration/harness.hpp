// What every loopback integration test needs: a real server on an ephemeral
// port with a fresh data directory, SDK clients that record what they
// receive, a media "round" with a round-trip barrier, and a child process
// runner for the CLI.
#pragma once

#include "app/server.hpp"
#include "balint/sdk/sdk.hpp"

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace balint::test {

namespace v1 = ::balint::v1;
namespace sdk = ::balint::sdk;
using namespace std::chrono_literals;

// Generous bound for anything that should take milliseconds.
inline constexpr std::chrono::milliseconds kWait{5000};

// A directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// balint::app::Server on 127.0.0.1, port 0, its own data dir.
class TestServer {
 public:
  explicit TestServer(const std::function<void(app::Config&)>& tweak = {}, app::Server::OpenStore open_store = {});
  ~TestServer();

  std::string http_url() const;  // http://127.0.0.1:<port> (https:// with TLS)
  std::string ws_url() const;     // ws://127.0.0.1:<port>/ws (wss:// with TLS)
  std::uint16_t port() const;
  std::uint16_t admin_port() const;  // port() unless the admin API listens apart.
  const std::string& admin_secret() const;
  // With TLS, the admin client trusts the server's (self-signed) certificate.
  sdk::AdminClient admin() const;
  const std::filesystem::path& data_dir() const { return dir_.path(); }
  // The server's certificate file; empty without TLS.
  const std::string& certificate_file() const { return certificate_file_; }

 private:
  TempDir dir_;
  std::string certificate_file_;
  std::unique_ptr<app::Server> server_;
};

// Catches every line the server logs (at the level its config sets) for as
// long as it lives. The sink is global: one at a time, made before the
// server and gone after it.
class CapturedLog {
 public:
  CapturedLog();
  ~CapturedLog();
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::vector<std::string> lines() const;
  std::string text() const;  // Every line, each ended by "\n".

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// An invitee with a fixed id.
sdk::Invitee invitee(const std::string& id, const std::string& name, const std::string& role);

// One received media frame: a microphone's payload, or a camera chunk's data.
struct Frame {
  std::string sender_id;  // As the server stamped it.
  std::string payload;
  std::uint32_t track = 0;
  bool key_frame = false;  // Camera only.
};

// An SDK client that records media, events and states as they arrive.
class Member {
 public:
  explicit Member(std::string label, sdk::ClientOptions options = {});
  // Stops the client (and its callbacks) before the recorded data goes.
  ~Member();
  Member(const Member&) = delete;
  Member& operator=(const Member&) = delete;

  // Connects with the invite's link; REQUIREs success.
  void join(const sdk::Invite& invite);
  sdk::Status try_join(const sdk::Invite& invite);

  sdk::Client& client() { return *client_; }
  const std::string& id() const { return id_; }
  const std::string& label() const { return label_; }

  // Senders of the frames whose payload starts with "<tag>|"; also checks
  // that the sender named in the payload is the one the server stamped.
  std::multiset<std::string> senders_with_tag(const std::string& tag) const;
  std::vector<Frame> frames() const;
  std::vector<v1::Event> events() const;
  std::vector<sdk::ChatMessage> chats() const;
  std::vector<sdk::SecurityNotice> notices() const;
  // Senders of the chat messages whose text starts with "<tag>|"; also
  // checks that the sender named in the text is the one the server stamped.
  std::multiset<std::string> chat_senders_with_tag(const std::string& tag) const;
  std::size_t states_received() const;
  // When the server asked this member's camera for key frames, in order.
  std::vector<std::chrono::steady_clock::time_point> key_frame_requests() const;
  // Times the SDK wanted a key frame because the server took this member's keys of a new epoch.
  int key_frames_for_new_keys() const;

  // Sends a frame tagged "<tag>|<id>".
  bool send_tagged_media(const std::string& tag);

  // A command that the server refuses without changing anything; the
  // answer proves every frame sent before it was handled.
  v1::Command harmless_command() const;

  // The room device's attendees (set by the test).
  std::vector<std::string> attendees;

 private:
  std::string label_;
  std::string id_;
  std::unique_ptr<sdk::Client> client_;
  mutable std::mutex mu_;
  std::vector<Frame> frames_;
  std::vector<v1::Event> events_;
  std::vector<sdk::ChatMessage> chats_;
  std::vector<sdk::SecurityNotice> notices_;
  std::vector<std::chrono::steady_clock::time_point> key_frame_requests_;
  int key_frames_for_new_keys_ = 0;
  std::size_t states_ = 0;
};

// Sends a command and REQUIREs it to succeed; returns the new version.
std::uint64_t must(Member& member, const v1::Command& command);

// Waits until every member has a state at least this new; REQUIREs it.
void wait_all(const std::vector<Member*>& members, std::uint64_t version);

// Waits until every member is at the newest key epoch any of them has seen
// and holds every other member's sender key; REQUIREs it. After it, media
// and chat sealed by any of them open for all the others.
void wait_keys_settled(const std::vector<Member*>& members);

// Who the speaking rules let chat now, computed by the test: as for
// speaking, except that a facilitator's mute silences audio only.
std::set<std::string> expected_chatters(const v1::SessionState& state);

// Who the speaking rules let be heard now, computed by the test from
// shared/FORMATS.md (independently of the server): facilitators always;
// the presenter never in an all_but_presenter phase; a room device when
// someone it carries may speak.
std::set<std::string> expected_speakers(const v1::SessionState& state);

// One media round: every member sends a tagged frame and a tagged chat
// message (answered OK exactly for expected_chatters()); every member then
// makes a harmless round trip (the barrier); `change` makes a state change,
// which every member waits for; since each connection is FIFO, every
// forwarded frame has arrived by then. Then every member must have heard
// exactly `expected` minus itself, and read the chat of exactly the
// expected chatters minus itself. Returns the state after the change.
v1::SessionState media_round(const std::vector<Member*>& members, const std::string& tag,
                             const std::set<std::string>& expected,
                             const std::function<v1::CommandResult()>& change);

// A child process with pipes on stdin, stdout and stderr.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra_env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void write_stdin(const std::string& text);
  void close_stdin();
  // Reads output until stdout contains `text`; false on timeout or exit.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);
  // Waits for the exit (reading output meanwhile); -1 on timeout (then the
  // child is killed).
  int wait(std::chrono::milliseconds timeout);

  // Reads whatever output is ready without waiting, so that a long-running
  // child never blocks on a full pipe.
  void drain();
  // Sends a signal; false if the child has already been reaped.
  bool send_signal(int signal);
  pid_t pid() const { return pid_; }

  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  bool pump(std::chrono::milliseconds timeout);  // False when both pipes closed.
  pid_t pid_ = -1;
  int in_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  int status_ = -1;
  bool exited_ = false;
};

// Runs to completion with `input` on stdin.
struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Checks that the server ended `member`'s connection after the session
// ended: a Goodbye with a reason, and a last state that says so.
void expect_closed_by_end(Member& member);

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {},
                          const std::map<std::string, std::string>& extra_env = {});

}  // namespace balint::test
