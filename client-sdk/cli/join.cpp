// balint-cli join: a text console for one member of a session. It prints a
// compact screen after every state change and runs commands read from stdin,
// one per line; stdin may be a terminal, a pipe or a file.

#include "cli.hpp"
#include "test_pattern.hpp"

#include "balint/sdk/client.hpp"
#include "balint/sdk/commands.hpp"
#include "balint/sdk/describe.hpp"
#include "balint/sdk/join_link.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

namespace balint::cli {
namespace {

namespace v1 = ::balint::v1;
using namespace std::chrono_literals;

constexpr const char* kCommandHelp = R"(commands:
  next | prev | jump N | extend SECONDS        phases (facilitators)
  presenter ID | build | order ID,ID,...       presenter and go-around order (facilitators)
  start | skip                                  start the go-around, move its turn on (facilitators)
  pass | finish                                 your turn (a room device: its attendee's)
  hand [ID] | lower [ID] | floor [ID]           hands and floor (floor with no ID takes it back)
  mute ID | unmute ID | remove ID               moderation (facilitators)
  camera on|off                                 your camera, as the roster shows it
  pattern on [BYTES] | pattern off              send a camera test pattern: 15 chunks a second (1250 bytes)
  stopvideo ID | allowvideo ID                  stop a member's video, let it go on (facilitators)
  presentercam on|off|choice                    the presenter's camera in the observation (facilitators)
  revoke ID                                     remove, and refuse their join link from now on
  attendee NAME | unattend ID                   in-room attendees (room device)
  say TEXT | tell ID TEXT                       end-to-end encrypted chat: everyone, or one member
  code                                          the security code to compare with the others
  end | leave | show | help | quit
  ID may also be a display name.
)";

std::mutex out_mu;

void print(const std::string& text) {
  std::lock_guard lock(out_mu);
  std::cout << text;
  std::cout.flush();
}

// "4:05", "1:02:03", "-0:12".
std::string clock_text(std::int64_t ms) {
  const bool negative = ms < 0;
  std::int64_t s = (negative ? -ms : ms) / 1000;
  std::ostringstream out;
  if (negative) out << '-';
  if (s >= 3600) {
    out << s / 3600 << ':' << std::setw(2) << std::setfill('0') << (s / 60) % 60;
  } else {
    out << s / 60;
  }
  out << ':' << std::setw(2) << std::setfill('0') << s % 60;
  return out.str();
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() > width) text = text.substr(0, width - 1) + "~";
  text.resize(width, ' ');
  return text;
}

std::string role_label(const v1::SessionState& s, const v1::Member& m) {
  if (m.participant_id() == s.presenter_id()) return "presenter";
  return sdk::role_name(m.role());
}

std::string render(const v1::SessionState& s, const std::string& me, const std::string& code) {
  std::ostringstream out;
  out << "\n==== " << s.name() << " (" << s.format().name() << ") | version " << s.version() << " ====\n";
  if (s.ended()) {
    out << "session ended\n";
  } else if (const v1::Phase* phase = sdk::current_phase(s)) {
    const std::int64_t left = sdk::phase_ms_left(s);
    out << "phase " << s.phase_index() << " \"" << phase->name() << "\" (" << s.phase_index() + 1 << " of "
        << s.format().phases_size() << ") | rule " << sdk::rule_name(phase->rule()) << " | "
        << (phase->planned_seconds() == 0 ? std::string("no time limit")
            : left >= 0                   ? clock_text(left) + " left"
                                          : clock_text(-left) + " over")
        << "\n";
  } else {
    out << "not started (" << s.format().phases_size() << " phases; \"next\" starts the first)\n";
  }
  out << "presenter " << (s.presenter_id().empty() ? "-" : sdk::display_name(s, s.presenter_id()))
      << " | in control " << (s.controller_id().empty() ? "-" : sdk::display_name(s, s.controller_id())) << "\n";

  const auto& go = s.go_around();
  if (go.order_size() > 0) {
    out << "go-around" << (go.complete() ? " (complete)" : "") << ": ";
    for (int i = 0; i < go.order_size(); ++i) {
      const auto& entry = go.order(i);
      if (i) out << ", ";
      out << sdk::display_name(s, entry.participant_id()) << " [" << sdk::turn_status_name(entry.status()) << "]";
    }
    out << "\nturn: " << (go.turn_holder_id().empty() ? "-" : sdk::display_name(s, go.turn_holder_id()))
        << (go.paused() ? " (paused: reconnecting; \"skip\" moves it on)" : "") << "\n";
  }
  if (s.hand_queue_size() > 0 || !s.floor_holder_id().empty()) {
    out << "hands: ";
    for (int i = 0; i < s.hand_queue_size(); ++i) out << (i ? ", " : "") << sdk::display_name(s, s.hand_queue(i));
    if (s.hand_queue_size() == 0) out << "-";
    out << " | floor: " << (s.floor_holder_id().empty() ? "-" : sdk::display_name(s, s.floor_holder_id())) << "\n";
  }

  out << "  " << pad("ID", 14) << pad("NAME", 18) << pad("ROLE", 15) << pad("WHERE", 18) << pad("LINK", 13)
      << "SPEAK\n";
  for (const auto& m : s.roster()) {
    std::string where = m.role() == v1::ROLE_ROOM              ? std::string("device")
                        : m.location() == v1::LOCATION_IN_ROOM ? "room " + sdk::display_name(s, m.room_device_id())
                                                               : std::string("remote");
    const std::string link = m.connection() == v1::CONNECTION_STATUS_CONNECTED      ? "connected"
                             : m.connection() == v1::CONNECTION_STATUS_RECONNECTING ? "reconnecting"
                                                                                    : "disconnected";
    std::string speak = m.may_speak() ? "yes" : "no";
    if (m.muted()) speak += " muted";
    if (m.hand_raised()) speak += " hand";
    if (m.camera_on()) speak += m.may_send_video() ? " camera" : " camera-held";
    if (m.video_stopped()) speak += " video-stopped";
    out << (m.participant_id() == me ? "* " : "  ") << pad(m.participant_id(), 14) << pad(m.display_name(), 18)
        << pad(role_label(s, m), 15) << pad(where, 18)
        << pad(link, 13) << speak
        << "\n";
  }
  out << "security code: " << (code.empty() ? std::string("- (keys not exchanged yet)") : code) << "\n";
  for (const auto& w : s.warnings()) {
    const std::int64_t left = w.deadline_ms() - s.server_time_ms();
    out << "warning: " << (w.kind() == v1::WARNING_KIND_SESSION_ENDING ? "session" : "phase") << " ends in "
        << clock_text(left) << "\n";
  }
  return out.str();
}

// Names of everyone seen so far: an event may name someone the newest state
// no longer lists (a member who left).
using Names = std::map<std::string, std::string>;

std::string name_of(const Names& names, const std::string& id) {
  auto it = names.find(id);
  return it == names.end() || it->second.empty() ? id : it->second;
}

std::string event_text(const v1::Event& e, const v1::SessionState& s, const Names& names) {
  switch (e.kind_case()) {
    case v1::Event::kPhaseChanged: {
      const auto name = [&](int i) -> std::string {
        if (i < 0 || i >= s.format().phases_size()) return std::to_string(i);
        return std::to_string(i) + " " + s.format().phases(i).name();
      };
      return "phase: " + name(e.phase_changed().from_index()) + " -> " + name(e.phase_changed().to_index());
    }
    case v1::Event::kTurnMoved: {
      const auto& t = e.turn_moved();
      return "turn: " + (t.from_id().empty() ? std::string("-") : name_of(names, t.from_id())) + " -> " +
             (t.to_id().empty() ? std::string("-") : name_of(names, t.to_id()));
    }
    case v1::Event::kWarning:
      return std::string("warning: ") +
             (e.warning().warning().kind() == v1::WARNING_KIND_SESSION_ENDING ? "the session" : "the phase") +
             " is about to end";
    case v1::Event::kMemberJoined:
      return "joined: " + name_of(names, e.member_joined().participant_id());
    case v1::Event::kMemberLeft:
      return "left: " + name_of(names, e.member_left().participant_id()) + " (" + sdk::leave_reason_name(e.member_left().reason()) + ")";
    case v1::Event::kMemberReconnecting:
      return "reconnecting: " + name_of(names, e.member_reconnecting().participant_id()) + " (place kept for " +
             clock_text(e.member_reconnecting().deadline_ms() - s.server_time_ms()) + ")";
    case v1::Event::kSessionEnded:
      return "session ended";
    default:
      return sdk::describe(e);
  }
}

// A member id from what was typed: an id as is, else a unique display name.
std::string resolve_id(const std::string& typed, const v1::SessionState& s) {
  if (sdk::find_member(s, typed)) return typed;
  if (const auto* m = sdk::find_member_by_name(s, typed)) return m->participant_id();
  return typed;  // Let the server say it does not know them.
}

enum class Local { none, help, quit, show, code, chat, pattern };

struct Parsed {
  std::optional<v1::Command> command;
  Local local = Local::none;
  std::string error;
  std::string recipient;  // For chat: empty for everyone.
  std::string text;
  std::size_t pattern_bytes = 0;  // For pattern: 0 stops it.
};

Parsed parse_line(const std::string& line, const v1::SessionState& s) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  std::string rest;
  std::getline(in, rest);
  rest.erase(0, rest.find_first_not_of(" \t"));
  rest.erase(rest.find_last_not_of(" \t\r") + 1);

  Parsed p;
  const auto need = [&](const char* what) {
    if (rest.empty()) p.error = verb + " needs " + what;
    return !rest.empty();
  };
  const auto number = [&](long min, long max, long& out) {
    try {
      std::size_t used = 0;
      out = std::stol(rest, &used);
      if (used == rest.size() && out >= min && out <= max) return true;
    } catch (const std::exception&) {
    }
    p.error = verb + " wants a number from " + std::to_string(min) + " to " + std::to_string(max);
    return false;
  };
  long n = 0;
  if (verb == "next") p.command = sdk::cmd::next_phase();
  else if (verb == "prev" || verb == "previous") p.command = sdk::cmd::previous_phase();
  else if (verb == "jump") {
    if (need("a phase index") && number(0, 1000, n)) p.command = sdk::cmd::jump_to_phase(static_cast<int>(n));
  } else if (verb == "extend") {
    if (need("a number of seconds") && number(1, 3600, n))
      p.command = sdk::cmd::extend_phase(static_cast<std::uint32_t>(n));
  } else if (verb == "presenter") {
    if (need("a participant")) p.command = sdk::cmd::set_presenter(resolve_id(rest, s));
  } else if (verb == "build") p.command = sdk::cmd::build_go_around();
  else if (verb == "start") p.command = sdk::cmd::start_go_around();
  else if (verb == "order") {
    if (need("participants, separated by commas")) {
      std::vector<std::string> ids;
      std::string item;
      std::istringstream list(rest);
      while (std::getline(list, item, ',')) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty()) ids.push_back(resolve_id(item, s));
      }
      p.command = sdk::cmd::set_go_around_order(ids);
    }
  } else if (verb == "skip") p.command = sdk::cmd::skip_turn();
  else if (verb == "pass") p.command = sdk::cmd::pass_turn();
  else if (verb == "finish") p.command = sdk::cmd::finish_turn();
  else if (verb == "hand") p.command = sdk::cmd::raise_hand(rest.empty() ? rest : resolve_id(rest, s));
  else if (verb == "lower") p.command = sdk::cmd::lower_hand(rest.empty() ? rest : resolve_id(rest, s));
  else if (verb == "floor") p.command = sdk::cmd::give_floor(rest.empty() ? rest : resolve_id(rest, s));
  else if (verb == "mute") {
    if (need("a participant")) p.command = sdk::cmd::mute(resolve_id(rest, s));
  } else if (verb == "unmute") {
    if (need("a participant")) p.command = sdk::cmd::unmute(resolve_id(rest, s));
  } else if (verb == "camera") {
    if (rest == "on" || rest == "off") p.command = sdk::cmd::set_camera(rest == "on");
    else p.error = "camera wants on or off";
  } else if (verb == "pattern") {
    std::istringstream words(rest);
    std::string onoff;
    words >> onoff;
    std::string bytes_text;
    std::getline(words >> std::ws, bytes_text);
    if (onoff == "off" && bytes_text.empty()) {
      p.local = Local::pattern;
    } else if (onoff == "on") {
      rest = bytes_text.empty() ? std::to_string(TestPattern::kDefaultBytes) : bytes_text;
      if (number(1, 512 * 1024, n)) {
        p.local = Local::pattern;
        p.pattern_bytes = static_cast<std::size_t>(n);
      }
    } else {
      p.error = "pattern wants on [BYTES] or off";
    }
  } else if (verb == "stopvideo") {
    if (need("a participant")) p.command = sdk::cmd::stop_video(resolve_id(rest, s));
  } else if (verb == "allowvideo") {
    if (need("a participant")) p.command = sdk::cmd::allow_video(resolve_id(rest, s));
  } else if (verb == "presentercam") {
    if (rest == "on") p.command = sdk::cmd::set_presenter_camera(v1::PRESENTER_CAMERA_ON);
    else if (rest == "off") p.command = sdk::cmd::set_presenter_camera(v1::PRESENTER_CAMERA_OFF);
    else if (rest == "choice") p.command = sdk::cmd::set_presenter_camera(v1::PRESENTER_CAMERA_PRESENTERS_CHOICE);
    else p.error = "presentercam wants on, off or choice";
  } else if (verb == "remove") {
    if (need("a participant")) p.command = sdk::cmd::remove_member(resolve_id(rest, s));
  } else if (verb == "revoke") {
    if (need("a participant")) p.command = sdk::cmd::revoke_member(resolve_id(rest, s));
  } else if (verb == "attendee") {
    if (need("the attendee's name")) p.command = sdk::cmd::add_room_attendee(rest);
  } else if (verb == "unattend") {
    if (need("an attendee")) p.command = sdk::cmd::remove_room_attendee(resolve_id(rest, s));
  } else if (verb == "end") p.command = sdk::cmd::end_session();
  else if (verb == "leave") p.command = sdk::cmd::leave();
  else if (verb == "say") {
    if (need("a message")) {
      p.local = Local::chat;
      p.text = rest;
    }
  } else if (verb == "tell") {
    const auto space = rest.find(' ');
    if (space == std::string::npos) {
      p.error = "tell needs a member and a message";
    } else {
      p.local = Local::chat;
      p.recipient = resolve_id(rest.substr(0, space), s);
      p.text = rest.substr(rest.find_first_not_of(' ', space));
    }
  } else if (verb == "code") p.local = Local::code;
  else if (verb == "help" || verb == "?") p.local = Local::help;
  else if (verb == "quit" || verb == "exit") p.local = Local::quit;
  else if (verb == "show") p.local = Local::show;
  else p.error = "unknown command \"" + verb + "\" (type help)";
  return p;
}

}  // namespace

int run_join(const Args& args) {
  if (args.positional.size() != 1) throw UsageError("join needs exactly one join link or token");
  sdk::JoinTarget target;
  try {
    target = sdk::parse_join_link(args.positional[0], args.get("server", "ws://127.0.0.1:8080/ws"));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const bool screen = !args.has("no-screen");

  sdk::ClientOptions options;
  options.ca_file = ca_file(args);
  sdk::Client client(options);
  TestPattern pattern(client);
  client.on_key_frame_request([&](sdk::KeyFrameReason) { pattern.key_frame_wanted(); });
  std::mutex state_mu;
  v1::SessionState last;
  Names names;
  bool ready = false;  // Guarded by out_mu: screens start after "joined".
  std::atomic<bool> closed{false};
  std::atomic<bool> goodbye{false};

  client.on_state([&](const v1::SessionState& s) {
    {
      std::lock_guard lock(state_mu);
      last = s;
      for (const auto& m : s.roster()) names[m.participant_id()] = m.display_name();
    }
    std::lock_guard lock(out_mu);
    if (ready && screen) {
      std::cout << render(s, client.participant_id(), client.security_code());
      std::cout.flush();
    }
  });
  client.on_chat([&](const sdk::ChatMessage& chat) {
    std::string sender;
    {
      std::lock_guard lock(state_mu);
      sender = name_of(names, chat.sender_id);
    }
    print("chat " + sender + (chat.recipient_id.empty() ? "" : " (to you)") + ": " + chat.text + "\n");
  });
  client.on_security([&](const sdk::SecurityNotice& notice) {
    if (notice.kind == sdk::SecurityNotice::Kind::code_changed)
      print("* membership changed: compare the security code again: " + notice.security_code + "\n");
    else
      print("* security: " + notice.detail + "\n");
  });
  client.on_event([&](const v1::Event& e) {
    std::string text;
    {
      std::lock_guard lock(state_mu);
      text = event_text(e, last, names);
    }
    print("* " + text + "\n");
  });
  client.on_closed([&](const sdk::CloseInfo& info) {
    goodbye = info.goodbye.has_value();
    closed = info.by_server;
    if (info.by_server) print("closed: " + info.reason + "\n");
  });

  // The SDK makes a dropped connection again by itself; say so.
  client.on_connection([&, away = false](sdk::ConnectionState state, const sdk::CloseInfo* info) mutable {
    if (state == sdk::ConnectionState::reconnecting) {
      away = true;
      print("* connection lost (" + (info ? info->reason : std::string("?")) + "); reconnecting\n");
    } else if (state == sdk::ConnectionState::open && away) {
      away = false;
      print("* reconnected\n");
    }
  });

  if (auto status = client.connect(target); !status) {
    std::cerr << "balint-cli: cannot join: " << status.describe() << "\n";
    return 1;
  }
  {
    const auto welcome = client.welcome();
    const auto state = client.state();
    std::lock_guard lock(out_mu);
    ready = true;
    std::cout << "joined session " << welcome.session_id() << " as " << welcome.participant_id() << " ("
              << sdk::role_name(welcome.role())
              << (state.presenter_id() == welcome.participant_id() ? ", presenter" : "") << ")\n";
    if (screen) std::cout << render(state, welcome.participant_id(), client.security_code());
    std::cout.flush();
  }

  // Returns false when the console should stop.
  const auto run_line = [&](const std::string& raw) -> bool {
    std::string line = raw;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos || line[line.find_first_not_of(" \t")] == '#')
      return true;
    v1::SessionState s;
    {
      std::lock_guard lock(state_mu);
      s = last;
    }
    const Parsed p = parse_line(line, s);
    std::istringstream words(line);
    std::string verb;
    words >> verb;
    if (!p.error.empty()) {
      print("error: " + p.error + "\n");
      return true;
    }
    switch (p.local) {
      case Local::help: print(kCommandHelp); return true;
      case Local::quit: return false;
      case Local::show: print(render(client.state(), client.participant_id(), client.security_code())); return true;
      case Local::code: print("security code: " + client.security_code() + "\n"); return true;
      case Local::chat: print("result " + verb + ": " + sdk::describe(client.send_chat(p.text, p.recipient)) + "\n");
        return !closed;
      case Local::pattern:
        if (p.pattern_bytes > 0) {
          pattern.start(p.pattern_bytes);
          print("pattern: on, " + std::to_string(p.pattern_bytes) + "-byte chunks\n");
        } else {
          pattern.stop();
          print("pattern: off, " + std::to_string(pattern.sent()) + " chunks sent\n");
        }
        return true;
      case Local::none: break;
    }
    const auto result = client.send(*p.command);
    print("result " + verb + ": " + sdk::describe(result) + "\n");
    if (verb == "leave" && result.code() == v1::ERROR_CODE_OK) return false;
    return !closed;
  };

  std::string pending;
  bool keep_going = true;
  bool eof = false;
  while (keep_going && !closed) {
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    const int ready_fds = ::poll(&fd, 1, 100);
    if (ready_fds < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (ready_fds == 0) continue;
    char buffer[4096];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      break;
    }
    if (n == 0) {
      eof = true;
      if (!pending.empty()) keep_going = run_line(pending);
      break;
    }
    pending.append(buffer, static_cast<std::size_t>(n));
    std::string::size_type newline;
    while (keep_going && (newline = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      keep_going = run_line(line);
    }
  }
  if (eof && !closed) client.wait_closed(300ms);  // Let the last broadcasts print.
  const bool closed_by_server = closed.load();
  pattern.stop();
  client.close();
  if (closed_by_server && !goodbye) return 1;
  return 0;
}

}  // namespace balint::cli
