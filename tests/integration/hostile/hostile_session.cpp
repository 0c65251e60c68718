#include "hostile_session.hpp"

#include <catch2/catch.hpp>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>

namespace balint::test {
namespace {

sdk::SessionRequest request() {
  sdk::SessionRequest r;
  r.name = "group under attack";
  r.format = "balint";
  r.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("pres", "Dr Cy", "presenter"),
                invitee("p1", "Ben", "participant"), invitee("p2", "Di", "participant"),
                invitee("room1", "Room 3", "room")};
  return r;
}

// What may differ between two reads of an unchanged session: the clock, and
// whatever the allowance permits (compared on its own).
v1::SessionState comparable(v1::SessionState state, const Allowance& allow) {
  state.clear_server_time_ms();
  state.clear_version();
  for (auto& member : *state.mutable_roster()) {
    if (member.participant_id() != allow.disconnected) continue;
    member.clear_connection();
    member.clear_reconnect_deadline_ms();
    member.clear_may_speak();
    member.clear_may_chat();
  }
  return state;
}

void expect_same(const v1::SessionState& before, const v1::SessionState& after, const Allowance& allow,
                 std::uint64_t version, const char* seen_by) {
  google::protobuf::util::MessageDifferencer differ;
  std::string differences;
  differ.ReportDifferencesToString(&differences);
  const bool same = differ.Compare(comparable(before, allow), comparable(after, allow));
  INFO("the session as " << seen_by << " sees it, against the snapshot before the attack:\n" << differences);
  CHECK(same);
  CHECK(after.version() == version);
  if (!allow.disconnected.empty()) {
    const auto* gone = sdk::find_member(after, allow.disconnected);
    REQUIRE(gone != nullptr);
    CHECK(gone->connection() == v1::CONNECTION_STATUS_RECONNECTING);
    CHECK(gone->reconnect_deadline_ms() > 0);
  }
}

}  // namespace

HostileSession::HostileSession(const std::function<void(app::Config&)>& tweak)
    : server(tweak), session(server.admin().create_session(request())) {
  fac.join(invite("fac"));
  p1.join(invite("p1"));
  wait_all({&fac, &p1}, p1.client().state().version());
}

const sdk::Invite& HostileSession::invite(const std::string& participant_id) const {
  const auto it = std::find_if(session.invites.begin(), session.invites.end(),
                               [&](const sdk::Invite& i) { return i.participant_id == participant_id; });
  if (it == session.invites.end()) throw std::out_of_range("no invite for " + participant_id);
  return *it;
}

std::unique_ptr<RawClient> HostileSession::join_raw(const std::string& participant_id) {
  auto raw = std::make_unique<RawClient>(server.port());
  INFO("raw client joining as " << participant_id);
  const bool joined = raw->join(token(participant_id));
  INFO(raw->last_error());
  REQUIRE(joined);
  REQUIRE(raw->welcome().participant_id() == participant_id);
  wait_all({&fac, &p1}, raw->state().version());
  return raw;
}

void HostileSession::go_to_phase(int index) {
  wait_all({&fac, &p1}, must(fac, sdk::cmd::jump_to_phase(index)));
  REQUIRE(fac.client().state().phase_index() == index);
}

v1::SessionState HostileSession::snapshot() {
  const auto probe = fac.client().send(fac.harmless_command());
  INFO("snapshot round trip: " << sdk::describe(probe));
  REQUIRE(probe.code() == v1::ERROR_CODE_NO_CHANGE);
  wait_all({&fac, &p1}, probe.state_version());
  auto state = server.admin().get_session(session.session_id);
  REQUIRE(state.version() == probe.state_version());
  return state;
}

void HostileSession::expect_unchanged(const v1::SessionState& before, const Allowance& allow) {
  const std::uint64_t version = before.version() + allow.version_steps + (allow.disconnected.empty() ? 0 : 1);
  if (!allow.disconnected.empty()) {
    const auto gone = fac.client().wait_for_state(
        [&](const v1::SessionState& s) {
          const auto* m = sdk::find_member(s, allow.disconnected);
          return m && m->connection() == v1::CONNECTION_STATUS_RECONNECTING;
        },
        kWait);
    INFO("waiting for the facilitator to see " << allow.disconnected << " reconnecting");
    REQUIRE(gone.has_value());
  }
  // The answer to a round trip comes after every broadcast that the input
  // could have caused, so the facilitator's latest state is complete.
  const auto probe = fac.client().send(fac.harmless_command());
  INFO("round trip after the attack: " << sdk::describe(probe));
  REQUIRE(probe.code() == v1::ERROR_CODE_NO_CHANGE);
  CHECK(probe.state_version() == version);
  expect_same(before, fac.client().state(), allow, version, "the facilitator");
  REQUIRE(p1.client().wait_for_version(version, kWait).has_value());
  expect_same(before, p1.client().state(), allow, version, "p1");
  expect_same(before, server.admin().get_session(session.session_id), allow, version, "the admin API");
}

void HostileSession::expect_others_served() {
  const auto state = fac.client().state();
  const auto* me = sdk::find_member(state, "p1");
  REQUIRE(me != nullptr);
  const bool raised = me->hand_raised();
  const auto version = must(p1, raised ? sdk::cmd::lower_hand() : sdk::cmd::raise_hand());
  wait_all({&fac, &p1}, version);
  const auto after = fac.client().state();
  const auto* seen = sdk::find_member(after, "p1");
  REQUIRE(seen != nullptr);
  CHECK(seen->hand_raised() != raised);
  CHECK(fac.client().connected());
  CHECK(p1.client().connected());
}

void expect_refused(const std::optional<v1::CommandResult>& result, v1::ErrorCode code, std::uint64_t version) {
  REQUIRE(result.has_value());
  INFO("answer: " << sdk::describe(*result));
  CHECK(result->code() == code);
  CHECK_FALSE(result->message().empty());
  CHECK(result->state_version() == version);
}

void expect_refused(const v1::CommandResult& result, v1::ErrorCode code, std::uint64_t version) {
  expect_refused(std::optional<v1::CommandResult>(result), code, version);
}

void expect_json_error(int status, const std::string& body, std::initializer_list<int> statuses,
                       std::string_view code) {
  INFO("answer: " << status << " " << body);
  CHECK(std::find(statuses.begin(), statuses.end(), status) != statuses.end());
  const auto error = json_error_of(body);
  CHECK(error.has_value());
  if (!error) return;
  CHECK_FALSE(error->code.empty());
  CHECK_FALSE(error->message.empty());
  if (!code.empty()) CHECK(error->code == code);
}

void expect_close(const Ending& ending, std::uint16_t code) {
  INFO("the connection ended with: " << ending.describe());
  REQUIRE(ending.kind == Ending::Kind::websocket_close);
  CHECK(ending.close_code == code);
  CHECK_FALSE(ending.close_reason.empty());
}

}  // namespace balint::test
