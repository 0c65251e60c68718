// Scenario 7: the built balint-cli binary against the in-process server.

#include "harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#ifndef BALINT_CLI_PATH
#error "BALINT_CLI_PATH must name the balint-cli binary"
#endif

namespace balint::test {
namespace {

const std::string kCli = BALINT_CLI_PATH;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(line);
  return lines;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  std::string field;
  while (std::getline(in, field, '\t')) fields.push_back(field);
  return fields;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

sdk::CreatedSession two_person_session(TestServer& server) {
  sdk::SessionRequest request;
  request.name = "CLI group";
  request.format = "balint";
  request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("cy", "Cy", "participant")};
  return server.admin().create_session(request);
}

}  // namespace

TEST_CASE("balint-cli create prints one join link per invitee", "[cli]") {
  TestServer server;
  const auto r = run_process({kCli, "create", "--server", server.http_url(), "--admin-secret", server.admin_secret(),
                              "--name", "Tuesday group", "--format", "balint", "--invite", "Dr Ada:facilitator:fac",
                              "--invite", "Ben:presenter", "--invite", "Cy:participant:cy", "--invite",
                              "Room 1:room"});
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.exit_code == 0);
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 4);
  const std::vector<std::pair<std::string, std::string>> want{
      {"Dr Ada", "facilitator"}, {"Ben", "presenter"}, {"Cy", "participant"}, {"Room 1", "room"}};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto fields = split_tabs(lines[i]);
    REQUIRE(fields.size() == 3);
    CHECK(fields[0] == want[i].first);
    CHECK(fields[1] == want[i].second);
    CHECK(fields[2].rfind(server.http_url() + "/join#", 0) == 0);
  }

  const auto sessions = server.admin().list_sessions();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].name == "Tuesday group");
  CHECK(sessions[0].format == "balint");

  // The printed links work.
  Member cy("Cy");
  const auto status = cy.client().connect(sdk::parse_join_link(split_tabs(lines[2])[2]));
  INFO(status.describe());
  REQUIRE(status.ok());
  CHECK(cy.client().participant_id() == "cy");
  CHECK(cy.client().state().presenter_id() == "presenter");
}

TEST_CASE("balint-cli create reads a custom format from a file", "[cli]") {
  TestServer server;
  const auto format_file = server.data_dir() / "format.json";
  std::ofstream(format_file) << R"({"id":"two-step","name":"Two steps","phases":[
      {"id":"talk","name":"Talk","planned_seconds":600,"rule":"SPEAKING_RULE_EVERYONE"},
      {"id":"close","name":"Close","planned_seconds":0,"rule":"SPEAKING_RULE_FACILITATORS_ONLY"}]})";
  const auto r = run_process({kCli, "create", "--server", server.http_url(), "--name", "Own format", "--format",
                              format_file.string(), "--invite", "Ada:facilitator"},
                             "", {{"BALINT_ADMIN_SECRET", server.admin_secret()}});
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(lines_of(r.out).size() == 1);
  const auto sessions = server.admin().list_sessions();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].format == "two-step");
}

TEST_CASE("balint-cli join runs commands piped on stdin", "[cli]") {
  TestServer server;
  const auto created = two_person_session(server);

  const auto r = run_process({kCli, "join", created.invite("Dr Ada").link},
                             "help\nnext\nbogus\njump 99\nstart\nextend 30\n");
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "joined session " + created.session_id + " as fac (facilitator)"));
  CHECK(contains(r.out, "commands:"));
  CHECK(contains(r.out, "result next: ok"));
  CHECK(contains(r.out, "error: unknown command \"bogus\""));
  CHECK(contains(r.out, "result jump: INVALID_ARGUMENT"));
  CHECK(contains(r.out, "result start: PHASE_FORBIDS"));  // Balint has no go-around to start.
  CHECK(contains(r.out, "result extend: ok"));
  CHECK(contains(r.out, "\"Presentation\""));  // The screen after the change.
  CHECK(contains(r.out, "Dr Ada"));
  // The last result printed before the exit.
  CHECK(r.out.rfind("result extend: ok") > r.out.rfind("result next: ok"));

  auto state = server.admin().get_session(created.session_id);
  CHECK(state.phase_index() == 0);
  const auto version = state.version();

  // Cameras: one's own, and a facilitator holding someone's back.
  const auto cam = run_process({kCli, "join", created.invite("Cy").link}, "camera on\ncamera sideways\n");
  INFO("stdout:\n" << cam.out << "\nstderr:\n" << cam.err);
  CHECK(contains(cam.out, "result camera: ok"));
  CHECK(contains(cam.out, "error: camera wants on or off"));
  CHECK(contains(cam.out, " camera\n"));  // Cy's line on the screen: on, and forwarded.
  const auto hold = run_process({kCli, "join", created.invite("Dr Ada").link, "--no-screen"},
                                "presentercam off\npresentercam maybe\nstopvideo Cy\nallowvideo Cy\n");
  INFO("stdout:\n" << hold.out << "\nstderr:\n" << hold.err);
  CHECK(contains(hold.out, "result presentercam: ok"));
  CHECK(contains(hold.out, "error: presentercam wants on, off or choice"));
  CHECK(contains(hold.out, "result stopvideo: ok"));
  CHECK(contains(hold.out, "result allowvideo: ok"));
  state = server.admin().get_session(created.session_id);
  CHECK(state.presenter_camera() == v1::PRESENTER_CAMERA_OFF);
  CHECK_FALSE(sdk::find_member(state, "cy")->video_stopped());

  // A participant, by bare token and server URL, is refused.
  const auto p = run_process(
      {kCli, "join", created.invite("Cy").token, "--server", server.ws_url(), "--no-screen"}, "next\n");
  INFO("stdout:\n" << p.out << "\nstderr:\n" << p.err);
  CHECK(p.exit_code == 0);
  CHECK(contains(p.out, "result next: PERMISSION_DENIED"));
  CHECK_FALSE(contains(p.out, "===="));  // No screens asked for.
  state = server.admin().get_session(created.session_id);
  CHECK(state.phase_index() == 0);
  CHECK(state.version() >= version);

  // The facilitator revokes Cy, who cannot come back with that link.
  const auto revoke = run_process({kCli, "join", created.invite("Dr Ada").link, "--no-screen"}, "revoke Cy\n");
  INFO("stdout:\n" << revoke.out << "\nstderr:\n" << revoke.err);
  CHECK(contains(revoke.out, "result revoke: ok"));
  const auto back = run_process({kCli, "join", created.invite("Cy").link, "--no-screen"}, "");
  INFO("stdout:\n" << back.out << "\nstderr:\n" << back.err);
  CHECK(back.exit_code != 0);
  CHECK(contains(back.out + back.err, "token_revoked"));
}

TEST_CASE("balint-cli join exits when the server closes the connection", "[cli]") {
  TestServer server;
  const auto created = two_person_session(server);
  Process cli({kCli, "join", created.invite("Cy").link});
  INFO("stdout:\n" << cli.out() << "\nstderr:\n" << cli.err());
  REQUIRE(cli.wait_for_output("joined session", kWait));
  server.admin().end_session(created.session_id);
  // stdin stays open: only the server's goodbye can end it.
  const int code = cli.wait(kWait);
  INFO("stdout:\n" << cli.out() << "\nstderr:\n" << cli.err());
  CHECK(code == 0);
  CHECK(contains(cli.out(), "closed: "));
}

TEST_CASE("balint-cli usage errors, refused joins, list and end", "[cli]") {
  TestServer server;
  const auto created = two_person_session(server);

  for (const auto& args : std::vector<std::vector<std::string>>{
           {kCli},
           {kCli, "frobnicate"},
           {kCli, "create", "--name", "x"},
           {kCli, "create", "--name", "x", "--format", "balint", "--invite", "Ada:chief", "--admin-secret", "s"},
           {kCli, "create", "--bogus-option"},
           {kCli, "join"},
           {kCli, "end"},
       }) {
    const auto r = run_process(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    INFO(joined << "\nstderr:\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK_FALSE(r.err.empty());
  }

  const auto refused = run_process({kCli, "join", "garbage", "--server", server.ws_url()});
  INFO("stderr:\n" << refused.err);
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "401"));

  // The secret from a file, as the server keeps it.
  const auto secret_file = server.data_dir() / "copy-of-admin.secret";
  std::ofstream(secret_file) << server.admin_secret() << "\n";
  const auto list = run_process(
      {kCli, "sessions", "--server", server.http_url(), "--admin-secret-file", secret_file.string()});
  INFO("stdout:\n" << list.out << "\nstderr:\n" << list.err);
  CHECK(list.exit_code == 0);
  CHECK(contains(list.out, created.session_id));
  CHECK(contains(list.out, "CLI group"));

  const auto wrong = run_process({kCli, "sessions", "--server", server.http_url(), "--admin-secret", "nope"});
  CHECK(wrong.exit_code == 1);
  CHECK(contains(wrong.err, "401"));

  const auto end = run_process({kCli, "end", created.session_id, "--server", server.http_url()}, "",
                               {{"BALINT_ADMIN_SECRET", server.admin_secret()}});
  INFO("stdout:\n" << end.out << "\nstderr:\n" << end.err);
  CHECK(end.exit_code == 0);
  CHECK(contains(end.out, "ended " + created.session_id));
  CHECK(server.admin().get_session(created.session_id).ended());
}

}  // namespace balint::test

namespace balint::test {

TEST_CASE("balint-cli chats end to end and shows the security code", "[cli][e2ee]") {
  TestServer server;
  const auto created = two_person_session(server);
  Member fac("Dr Ada");
  fac.join(created.invite("Dr Ada"));
  Process cli({kCli, "join", created.invite("Cy").link, "--no-screen"});
  REQUIRE(cli.wait_for_output("joined session", kWait));
  INFO("stdout:\n" << cli.out() << "\nstderr:\n" << cli.err());
  REQUIRE(fac.client().wait_for_state(
      [](const v1::SessionState& s) {
        const auto* cy = sdk::find_member(s, "cy");
        return cy && cy->has_keys();
      },
      kWait));
  REQUIRE(fac.client().wait_keys_ready(kWait));

  cli.write_stdin("say hello from the terminal\n");
  REQUIRE(cli.wait_for_output("result say: ok", kWait));
  // The message went before the answer, so the barrier's state comes after it.
  wait_all({&fac}, must(fac, sdk::cmd::raise_hand()));
  const auto read = fac.chats();
  REQUIRE(read.size() == 1);
  CHECK(read[0].text == "hello from the terminal");
  CHECK(read[0].sender_id == "cy");

  REQUIRE(fac.client().send_chat("hello from the SDK").code() == v1::ERROR_CODE_OK);
  CHECK(cli.wait_for_output("chat Dr Ada: hello from the SDK", kWait));
  REQUIRE(fac.client().send_chat("just for you", "cy").code() == v1::ERROR_CODE_OK);
  CHECK(cli.wait_for_output("chat Dr Ada (to you): just for you", kWait));

  cli.write_stdin("code\n");
  CHECK(cli.wait_for_output("security code: " + fac.client().security_code(), kWait));
  cli.write_stdin("tell nobody hi\n");
  CHECK(cli.wait_for_output("result tell: UNKNOWN_PARTICIPANT", kWait));
  cli.close_stdin();
  CHECK(cli.wait(kWait) == 0);
}

TEST_CASE("balint-cli sends a camera test pattern and answers key frame requests", "[cli][video]") {
  TestServer server;
  const auto created = two_person_session(server);
  Member fac("Dr Ada");
  fac.join(created.invite("Dr Ada"));
  Process cli({kCli, "join", created.invite("Cy").link, "--no-screen"});
  REQUIRE(cli.wait_for_output("joined session", kWait));
  INFO("stdout:\n" << cli.out() << "\nstderr:\n" << cli.err());
  cli.write_stdin("pattern sideways\ncamera on\npattern on\n");
  REQUIRE(cli.wait_for_output("pattern: on, 1250-byte chunks", kWait));
  CHECK(contains(cli.out(), "error: pattern wants on [BYTES] or off"));

  const auto camera_frames = [&] {
    std::vector<Frame> frames;
    for (const Frame& f : fac.frames())
      if (f.track == v1::MEDIA_TRACK_CAMERA && f.sender_id == "cy") frames.push_back(f);
    return frames;
  };
  const auto until = std::chrono::steady_clock::now() + kWait;
  while (camera_frames().size() < 8 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto frames = camera_frames();
  REQUIRE(frames.size() >= 8);
  CHECK(frames[0].key_frame);
  CHECK(frames[0].payload.size() == 1250);
  CHECK(frames[0].payload.rfind("test pattern ", 0) == 0);

  // Asked three times, 600 ms apart (past the server's throttle), it sends
  // three key frames besides its own (one every two seconds).
  const std::size_t before = frames.size();
  for (int i = 0; i < 3; ++i) {
    REQUIRE(fac.client().request_key_frame("cy"));
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
  }
  frames = camera_frames();
  const auto keys = std::count_if(frames.begin() + static_cast<std::ptrdiff_t>(before), frames.end(),
                                  [](const Frame& f) { return f.key_frame; });
  CHECK(keys >= 3);

  cli.write_stdin("pattern off\n");
  CHECK(cli.wait_for_output(" chunks sent", kWait));
  cli.close_stdin();
  CHECK(cli.wait(kWait) == 0);
}

}  // namespace balint::test
