// What the server never holds: a marker said in chat (to everyone and to
// one member) and sent in media is looked for in the server's log, its data
// directory and its live memory, and must be found nowhere. The server runs
// as a process of its own, so that the test's own copies of the marker are
// not in the memory that is scanned; the scanner's positive controls are in
// process_scan_test.cpp, and one is repeated here on the same process.

#include "harness.hpp"
#include "process_memory.hpp"
#include "server_process.hpp"

#include <catch2/catch.hpp>

namespace balint::test {

TEST_CASE("Chat and media content reaches neither the server's log, its disk nor its memory", "[confidentiality]") {
  ServerProcess server;
  const std::string session_name = random_marker("session-name-");
  sdk::SessionRequest request;
  request.name = session_name;
  request.format = "balint";
  request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("p1", "Dr Bo", "participant"),
                      invitee("p2", "Dr Cy", "participant")};
  const auto created = server.admin().create_session(request);
  REQUIRE(created.invites.size() == 3);

  Member fac("facilitator"), p1("p1"), p2("p2");
  // The links name the server the admin API was reached at.
  fac.join(created.invites[0]);
  p1.join(created.invites[1]);
  p2.join(created.invites[2]);
  wait_keys_settled({&fac, &p1, &p2});

  const std::string chat_marker = random_marker("chat-marker-");
  const std::string direct_marker = random_marker("direct-marker-");
  const std::string media_marker = random_marker("media-marker-");
  REQUIRE(fac.client().send_chat("the case: " + chat_marker).code() == v1::ERROR_CODE_OK);
  REQUIRE(p1.client().send_chat("only for you: " + direct_marker, "fac").code() == v1::ERROR_CODE_OK);
  for (int i = 0; i < 20; ++i) REQUIRE(p2.client().send_media(0, media_marker + "|" + std::to_string(i)));
  // p2's round trip orders its frames before the change that everyone waits for.
  REQUIRE(p2.client().send(p2.harmless_command()).code() == v1::ERROR_CODE_NO_CHANGE);
  wait_all({&fac, &p1, &p2}, must(fac, sdk::cmd::raise_hand()));

  // The content did travel, and opened where it should.
  const auto p2_chats = p2.chats();
  REQUIRE(p2_chats.size() == 1);
  CHECK(p2_chats[0].text == "the case: " + chat_marker);
  const auto fac_chats = fac.chats();
  REQUIRE(fac_chats.size() == 1);
  CHECK(fac_chats[0].text == "only for you: " + direct_marker);
  INFO("undecryptable at the facilitator: " << fac.client().undecryptable_media_frames());
  const auto frames = fac.frames();
  REQUIRE(frames.size() == 20);
  CHECK(frames.front().payload.find(media_marker) == 0);

  // The positive control, on this very process: it holds the session's name.
  const auto control = scan_process_memory(server.pid(), session_name);
  INFO("control scan: " << control.bytes_read << " bytes in " << control.regions_read << " regions, "
                        << control.regions_skipped << " skipped");
  REQUIRE(control.hits > 0);
  REQUIRE(control.bytes_read > 1024 * 1024);

  for (const auto& marker : {chat_marker, direct_marker, media_marker}) {
    INFO("marker " << marker);
    const auto scan = scan_process_memory(server.pid(), marker);
    std::string where;
    for (const auto& mapping : scan.where) where += "\n  " + mapping;
    INFO("found in:" << where);
    CHECK(scan.hits == 0);
    CHECK(count_in_text(server.log(), marker) == 0);
    CHECK(count_in_directory(server.data_dir(), marker) == 0);
  }
  // The log shows the session was used, by ids.
  CHECK_THAT(server.log(), Catch::Contains("member connected session=" + created.session_id + " participant=p1"));

  fac.client().close();
  p1.client().close();
  p2.client().close();
  CHECK(server.stop() == 0);
  for (const auto& marker : {chat_marker, direct_marker, media_marker}) {
    CHECK(count_in_text(server.log(), marker) == 0);
    CHECK(count_in_directory(server.data_dir(), marker) == 0);
  }
}

}  // namespace balint::test
