// Scenario 1: a full group (facilitator, co-facilitator, presenter, six
// remote participants, a room device carrying two in-room attendees) runs a
// complete Balint session and a complete CCDG session. In every phase every
// member sends media, and every member must hear exactly the members the
// phase's speaking rule allows.

#include "harness.hpp"

#include <catch2/catch.hpp>

namespace balint::test {
namespace {

// The whole group, connected, with the room's two attendees added.
struct Group {
  explicit Group(TestServer& server, const std::string& format) {
    sdk::SessionRequest request;
    request.name = format + " group";
    request.format = format;
    request.ground_rules = "What is said here stays here.";
    request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("cof", "Dr Cole", "co_facilitator"),
                        invitee("pres", "Dr Pia", "presenter")};
    for (int i = 1; i <= 6; ++i)
      request.invitees.push_back(invitee("r" + std::to_string(i), "Remote " + std::to_string(i), "participant"));
    request.invitees.push_back(invitee("room", "Room 2B", "room"));
    auto admin = server.admin();
    created = admin.create_session(request);
    REQUIRE(created.invites.size() == 10);

    facilitator = add("facilitator");
    co = add("co-facilitator");
    presenter = add("presenter");
    for (int i = 1; i <= 6; ++i) remotes.push_back(add("remote " + std::to_string(i)));
    room = add("room device");
    for (std::size_t i = 0; i < members.size(); ++i) members[i]->join(created.invites[i]);

    must(*room, sdk::cmd::add_room_attendee("Ann in room"));
    const auto version = must(*room, sdk::cmd::add_room_attendee("Bob in room"));
    wait_all(all(), version);
    const auto state = facilitator->client().state();
    for (const auto& m : state.roster())
      if (m.room_device_id() == room->id()) room->attendees.push_back(m.participant_id());
    REQUIRE(room->attendees.size() == 2);
    for (const auto& id : room->attendees) {
      const auto* attendee = sdk::find_member(state, id);
      REQUIRE(attendee);
      CHECK(attendee->location() == v1::LOCATION_IN_ROOM);
      CHECK(attendee->connection() == v1::CONNECTION_STATUS_CONNECTED);
    }
    CHECK(state.roster_size() == 12);
    CHECK(state.presenter_id() == "pres");
    CHECK(state.controller_id() == "fac");
    CHECK(state.phase_index() == -1);
  }

  Member* add(const std::string& label) {
    owned.push_back(std::make_unique<Member>(label));
    members.push_back(owned.back().get());
    return owned.back().get();
  }

  std::vector<Member*> all() const { return members; }
  std::set<std::string> ids(std::initializer_list<Member*> list) const {
    std::set<std::string> out;
    for (Member* m : list) out.insert(m->id());
    return out;
  }
  std::set<std::string> everyone() const {
    std::set<std::string> out;
    for (Member* m : members) out.insert(m->id());
    return out;
  }

  // Moves to the next phase and checks every member sees it.
  std::function<v1::CommandResult()> next_phase() {
    return [this] { return facilitator->client().send(sdk::cmd::next_phase()); };
  }
  std::function<v1::CommandResult()> extend() {
    return [this] { return facilitator->client().send(sdk::cmd::extend_phase(60)); };
  }

  // Ends the session and checks everyone is told goodbye.
  void end() {
    const auto result = facilitator->client().send(sdk::cmd::end_session());
    INFO("EndSession from the facilitator: " << sdk::describe(result));
    // The protocol promises the sender its result after the broadcast.
    CHECK(result.code() == v1::ERROR_CODE_OK);
    for (Member* m : members) expect_closed_by_end(*m);
  }

  sdk::CreatedSession created;
  std::vector<std::unique_ptr<Member>> owned;
  std::vector<Member*> members;
  Member* facilitator = nullptr;
  Member* co = nullptr;
  Member* presenter = nullptr;
  std::vector<Member*> remotes;
  Member* room = nullptr;
};

void enter_first_phase(Group& g) {
  const auto version = must(*g.facilitator, sdk::cmd::next_phase());
  wait_all(g.all(), version);
  REQUIRE(g.facilitator->client().state().phase_index() == 0);
}

// The phase every member is in now (checked on all of them).
std::string phase_id(Group& g, int index) {
  for (Member* m : g.members) REQUIRE(m->client().state().phase_index() == index);
  const auto state = g.facilitator->client().state();
  const auto* phase = sdk::current_phase(state);
  REQUIRE(phase);
  return phase->id();
}

}  // namespace

TEST_CASE("A full Balint session: every phase, media forwarded by the speaking rule", "[flow][balint]") {
  TestServer server;
  Group g(server, "balint");
  const auto everyone = g.everyone();
  const auto leaders = g.ids({g.facilitator, g.co});
  auto everyone_but_presenter = everyone;
  everyone_but_presenter.erase(g.presenter->id());

  // Before the start (the lobby) everyone may greet.
  media_round(g.all(), "lobby", everyone, g.next_phase());

  REQUIRE(phase_id(g, 0) == "presentation");
  CHECK(expected_speakers(g.facilitator->client().state()) == g.ids({g.facilitator, g.co, g.presenter}));
  media_round(g.all(), "balint-0", g.ids({g.facilitator, g.co, g.presenter}), g.next_phase());

  REQUIRE(phase_id(g, 1) == "questions");
  CHECK(expected_speakers(g.facilitator->client().state()) == everyone);
  media_round(g.all(), "balint-1", everyone, g.next_phase());

  REQUIRE(phase_id(g, 2) == "observation");
  CHECK(expected_speakers(g.facilitator->client().state()) == everyone_but_presenter);
  // The presenter observes in silence: no hand either.
  const auto refused = g.presenter->client().send(sdk::cmd::raise_hand());
  CHECK(refused.code() == v1::ERROR_CODE_PHASE_FORBIDS);
  media_round(g.all(), "balint-2", everyone_but_presenter, g.next_phase());
  for (Member* m : g.members) CHECK(m->senders_with_tag("balint-2").count(g.presenter->id()) == 0);

  REQUIRE(phase_id(g, 3) == "re-entry");
  media_round(g.all(), "balint-3", everyone, g.next_phase());

  REQUIRE(phase_id(g, 4) == "close");
  CHECK(expected_speakers(g.facilitator->client().state()) == leaders);
  media_round(g.all(), "balint-4", leaders, g.extend());

  // There is no phase after the last.
  const auto past_end = g.facilitator->client().send(sdk::cmd::next_phase());
  CHECK(past_end.code() == v1::ERROR_CODE_INVALID_ARGUMENT);

  g.end();
}

TEST_CASE("A full CCDG session: go-around turns decide who is heard, in-room turns via the room device",
          "[flow][ccdg]") {
  TestServer server;
  Group g(server, "ccdg");
  const auto everyone = g.everyone();
  const auto leaders = g.ids({g.facilitator, g.co});
  const auto& attendees = g.room->attendees;

  enter_first_phase(g);
  REQUIRE(phase_id(g, 0) == "check-in");
  CHECK(g.facilitator->client().state().ground_rules() == "What is said here stays here.");
  media_round(g.all(), "ccdg-0", everyone, g.next_phase());

  REQUIRE(phase_id(g, 1) == "presentation");
  media_round(g.all(), "ccdg-1", g.ids({g.facilitator, g.co, g.presenter}), g.next_phase());

  // The go-around: built from the roster on entry (remote members and the
  // in-room attendees; not the presenter, the leaders or the device); the
  // first turn is given when the facilitator starts the round.
  REQUIRE(phase_id(g, 2) == "go-around");
  REQUIRE(g.facilitator->client().state().go_around().turn_holder_id().empty());
  wait_all(g.all(), must(*g.facilitator, sdk::cmd::start_go_around()));
  auto state = g.facilitator->client().state();
  std::vector<std::string> order;
  for (const auto& entry : state.go_around().order()) order.push_back(entry.participant_id());
  std::vector<std::string> want_order;
  for (Member* r : g.remotes) want_order.push_back(r->id());
  want_order.insert(want_order.end(), attendees.begin(), attendees.end());
  REQUIRE(order == want_order);
  REQUIRE(state.go_around().turn_holder_id() == g.remotes[0]->id());

  // Turn 1, a remote participant: heard with the leaders, nobody else.
  CHECK(expected_speakers(state) == g.ids({g.facilitator, g.co, g.remotes[0]}));
  const auto not_yours = g.remotes[1]->client().send(sdk::cmd::finish_turn());
  CHECK(not_yours.code() == v1::ERROR_CODE_NOT_YOUR_TURN);
  media_round(g.all(), "ccdg-2-turn-1", g.ids({g.facilitator, g.co, g.remotes[0]}),
              [&] { return g.remotes[0]->client().send(sdk::cmd::finish_turn()); });

  // Everyone in order passes or finishes.
  for (std::size_t i = 1; i < g.remotes.size(); ++i) {
    state = g.facilitator->client().state();
    REQUIRE(state.go_around().turn_holder_id() == g.remotes[i]->id());
    const auto version =
        must(*g.remotes[i], i % 2 == 1 ? sdk::cmd::pass_turn() : sdk::cmd::finish_turn());
    wait_all(g.all(), version);
  }

  // Turn 7, an in-room attendee: the room device is heard, nobody else but
  // the leaders; a remote participant cannot end that turn, the device can.
  state = g.facilitator->client().state();
  REQUIRE(state.go_around().turn_holder_id() == attendees[0]);
  CHECK(expected_speakers(state) == g.ids({g.facilitator, g.co, g.room}));
  const auto by_remote = g.remotes[0]->client().send(sdk::cmd::finish_turn());
  CHECK(by_remote.code() == v1::ERROR_CODE_NOT_YOUR_TURN);
  media_round(g.all(), "ccdg-2-turn-7", g.ids({g.facilitator, g.co, g.room}),
              [&] { return g.room->client().send(sdk::cmd::finish_turn()); });

  state = g.facilitator->client().state();
  REQUIRE(state.go_around().turn_holder_id() == attendees[1]);
  wait_all(g.all(), must(*g.room, sdk::cmd::pass_turn()));

  // Complete: nobody holds the turn; every entry finished or passed in order.
  state = g.facilitator->client().state();
  CHECK(state.go_around().complete());
  CHECK(state.go_around().turn_holder_id().empty());
  REQUIRE(state.go_around().order_size() == 8);
  for (int i = 0; i < 8; ++i) {
    const auto status = state.go_around().order(i).status();
    const bool finished = i == 0 || i == 6 || (i < 6 && i % 2 == 0);
    INFO("go-around entry " << i << " is " << sdk::turn_status_name(status));
    CHECK(status == (finished ? v1::TURN_STATUS_FINISHED : v1::TURN_STATUS_PASSED));
  }
  // The turn moved through everyone in order, as events told every member.
  // (Events follow their state; a round trip makes sure the last arrived.)
  g.co->client().send(g.co->harmless_command());
  std::vector<std::string> moved_to;
  for (const auto& event : g.co->events())
    if (event.has_turn_moved()) moved_to.push_back(event.turn_moved().to_id());
  auto want_moves = want_order;
  want_moves.push_back("");
  CHECK(moved_to == want_moves);
  // With no turn held, only the leaders are heard.
  media_round(g.all(), "ccdg-2-after", leaders, g.next_phase());

  REQUIRE(phase_id(g, 3) == "open-discussion");
  media_round(g.all(), "ccdg-3", everyone, g.next_phase());

  REQUIRE(phase_id(g, 4) == "wrap-up");
  media_round(g.all(), "ccdg-4", leaders, g.extend());

  g.end();
}

}  // namespace balint::test
