// Minting join tokens in a backend of your own, with one of the server's API
// keys, instead of asking the admin API for links. The token is the same
// HS256 JWT the server mints (see server/auth/token.hpp for the claims).
//
//   balint::sdk::JoinTokenRequest request;
//   request.participant_id = "p-417";
//   request.display_name = "Dr Ada";
//   request.session_id = session_id;  // From AdminClient::create_session.
//   request.role = "participant";
//   const auto token = balint::sdk::mint_join_token(request, {"backend-1", secret});
//   send_to_ada(balint::sdk::make_join_link("https://balint.example.org", token));
#pragma once

#include "balint/sdk/join_link.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace balint::sdk {

// One of the server's API keys (its config's `token_keys`): the id a token
// names in its "kid" header, and the shared secret it is signed with.
struct ApiKey {
  std::string id;  // May be empty: the server then tries each of its keys.
  std::string secret;
};

// Who may join which session, as what, and for how long.
struct JoinTokenRequest {
  std::string participant_id;  // The member's id in the session.
  std::string display_name;
  std::string session_id;
  // "facilitator", "co_facilitator", "participant" or "room" (a presenter
  // joins as a participant; the session names them presenter).
  std::string role;
  // How long the token admits its holder, counted from `issued_at`.
  std::chrono::seconds lifetime{std::chrono::hours(24)};
  // When the token starts to admit its holder; none: at once.
  std::optional<std::chrono::system_clock::time_point> not_before;
  // The token's id (jti); a random one when empty.
  std::string token_id;
  // When the token was made; none: now. Set it to mint for a fixed time.
  std::optional<std::chrono::system_clock::time_point> issued_at;
};

// Signs a join token. Throws std::invalid_argument when the server would
// refuse it anyway: no participant id, display name, session id or secret;
// an unknown role; a lifetime that is not positive; a not-before at or after
// the expiry.
std::string mint_join_token(const JoinTokenRequest& request, const ApiKey& key);

}  // namespace balint::sdk
