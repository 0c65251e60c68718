// What the server writes to its log: ids and counts, never a token, a
// secret, a display name, case content, a command's contents or media.

#include "hostile/hostile_session.hpp"

#include "app/log.hpp"

#include <catch2/catch.hpp>

namespace balint::test {

TEST_CASE("The log names sessions and members by id only", "[logs]") {
  CapturedLog captured;
  {
    HostileSession s([](app::Config& c) {
      c.log_level = "debug";
      c.command_burst = 3;  // The facilitator sends three commands below.
      c.commands_per_second = 0.01;
    });
    const std::string attendee_name = "Attendee Xylophone Quinton";
    const std::string payload = "MEDIA-PAYLOAD-NOT-FOR-LOGS";
    s.go_to_phase(2);
    // Refused (room1 has not joined), but the name went through the server.
    CHECK(s.fac.client().send(sdk::cmd::add_room_attendee(attendee_name, "room1")).code() != v1::ERROR_CODE_OK);
    s.p1.send_tagged_media(payload);
    auto rude = s.join_raw("p2");
    for (std::uint64_t id = 1; id <= 8; ++id) rude->send_command(id, sdk::cmd::lower_hand());
    rude->wait_end();
    RawClient forged(s.server.port());
    forged.upgrade_with_token(s.forge().sign(JwtForge::claims("nope", "x", "Forged Name Zanzibar", "participant")));
    must(s.fac, sdk::cmd::revoke_member("p1"));
    s.server.admin().end_session(s.session.session_id);

    const auto log = captured.text();
    INFO(log);
    // The events are there ...
    CHECK_THAT(log, Catch::Contains("session created id=" + s.session.session_id));
    CHECK_THAT(log, Catch::Contains("member connected session=" + s.session.session_id + " participant=fac"));
    CHECK_THAT(log, Catch::Contains("rate limit"));
    CHECK_THAT(log, Catch::Contains("tokens revoked"));
    CHECK_THAT(log, Catch::Contains("join refused"));
    // ... and nothing anyone could mind.
    for (const auto& invite : s.session.invites) {
      CHECK_THAT(log, !Catch::Contains(invite.name));
      CHECK_THAT(log, !Catch::Contains(invite.token.substr(invite.token.rfind('.') + 1)));
      CHECK_THAT(log, !Catch::Contains(invite.token.substr(0, invite.token.find('.'))));
    }
    CHECK_THAT(log, !Catch::Contains(attendee_name));
    CHECK_THAT(log, !Catch::Contains("Forged Name Zanzibar"));
    CHECK_THAT(log, !Catch::Contains(payload));
    CHECK_THAT(log, !Catch::Contains(s.server.admin_secret()));
  }
}

}  // namespace balint::test
