// Scenario 3: two groups on one server at the same time see nothing of each
// other: not the state, not the roster, not the media.

#include "harness.hpp"

#include <catch2/catch.hpp>

namespace balint::test {

TEST_CASE("Two sessions run in parallel without seeing each other", "[parallel]") {
  TestServer server;
  auto admin = server.admin();

  // The same participant ids in both sessions: ids are per session.
  const auto make = [&](const std::string& name) {
    sdk::SessionRequest request;
    request.name = name;
    request.format = "ccdg";
    request.invitees = {invitee("fac", "Lead " + name, "facilitator"), invitee("a", "A " + name, "participant"),
                        invitee("b", "B " + name, "participant")};
    return admin.create_session(request);
  };
  const auto one = make("one");
  const auto two = make("two");
  REQUIRE(one.session_id != two.session_id);

  std::vector<std::unique_ptr<Member>> owned;
  std::vector<Member*> group_one, group_two;
  for (std::size_t i = 0; i < 3; ++i) {
    owned.push_back(std::make_unique<Member>("one/" + one.invites[i].participant_id));
    group_one.push_back(owned.back().get());
    owned.push_back(std::make_unique<Member>("two/" + two.invites[i].participant_id));
    group_two.push_back(owned.back().get());
  }
  for (std::size_t i = 0; i < 3; ++i) {
    group_one[i]->join(one.invites[i]);
    group_two[i]->join(two.invites[i]);
  }
  // Both start: check-in, where everyone may speak.
  wait_all(group_one, must(*group_one[0], sdk::cmd::next_phase()));
  wait_all(group_two, must(*group_two[0], sdk::cmd::next_phase()));

  for (auto* m : group_one) {
    const auto s = m->client().state();
    CHECK(s.session_id() == one.session_id);
    CHECK(s.name() == "one");
    CHECK(s.roster_size() == 3);
    for (const auto& member : s.roster()) CHECK(member.display_name().find("one") != std::string::npos);
  }
  for (auto* m : group_two) {
    const auto s = m->client().state();
    CHECK(s.session_id() == two.session_id);
    CHECK(s.roster_size() == 3);
    for (const auto& member : s.roster()) CHECK(member.display_name().find("two") != std::string::npos);
  }

  // Everyone in both rooms speaks at once.
  wait_keys_settled(group_one);
  wait_keys_settled(group_two);
  for (auto* m : group_one) REQUIRE(m->send_tagged_media("one"));
  for (auto* m : group_two) REQUIRE(m->send_tagged_media("two"));
  for (auto* m : group_one) REQUIRE(m->client().send(m->harmless_command()).code() == v1::ERROR_CODE_NO_CHANGE);
  for (auto* m : group_two) REQUIRE(m->client().send(m->harmless_command()).code() == v1::ERROR_CODE_NO_CHANGE);

  // Session one moves on twice; session two is not disturbed.
  const auto two_version = group_two[0]->client().state().version();
  const auto two_states = group_two[1]->states_received();
  wait_all(group_one, must(*group_one[0], sdk::cmd::next_phase()));
  const auto one_version = must(*group_one[0], sdk::cmd::next_phase());
  wait_all(group_one, one_version);
  // A change in session two is the barrier for its members' queues.
  wait_all(group_two, must(*group_two[0], sdk::cmd::extend_phase(30)));

  const std::set<std::string> ids{"fac", "a", "b"};
  for (auto* m : group_one) {
    std::multiset<std::string> want;
    for (const auto& id : ids)
      if (id != m->id()) want.insert(id);
    INFO(m->label());
    CHECK(m->senders_with_tag("one") == want);
    CHECK(m->senders_with_tag("two").empty());
    CHECK(m->frames().size() == 2);
  }
  for (auto* m : group_two) {
    std::multiset<std::string> want;
    for (const auto& id : ids)
      if (id != m->id()) want.insert(id);
    INFO(m->label());
    CHECK(m->senders_with_tag("two") == want);
    CHECK(m->senders_with_tag("one").empty());
    CHECK(m->frames().size() == 2);
    const auto s = m->client().state();
    CHECK(s.version() == two_version + 1);  // Only its own extension.
    CHECK(s.phase_index() == 0);
  }
  CHECK(group_two[1]->states_received() == two_states + 1);
  CHECK(group_one[1]->client().state().phase_index() == 2);

  // Ending one leaves the other running.
  admin.end_session(one.session_id);
  for (auto* m : group_one) REQUIRE(m->client().wait_closed(kWait));
  for (auto* m : group_two) CHECK(m->client().connected());
  CHECK(group_two[0]->client().send(sdk::cmd::next_phase()).code() == v1::ERROR_CODE_OK);
}

}  // namespace balint::test
