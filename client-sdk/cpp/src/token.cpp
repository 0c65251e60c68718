// Join tokens minted by the SDK are signed by the same code the server
// verifies them with (server/auth), so the two cannot drift apart.

#include "balint/sdk/token.hpp"

#include "auth/token.hpp"

#include <stdexcept>

namespace balint::sdk {
namespace {

using std::chrono::system_clock;

std::int64_t epoch_seconds(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The roles a token may carry; the server refuses any other.
bool known_role(const std::string& role) {
  return role == "facilitator" || role == "co_facilitator" || role == "participant" || role == "room";
}

}  // namespace

std::string mint_join_token(const JoinTokenRequest& request, const ApiKey& key) {
  if (request.participant_id.empty()) throw std::invalid_argument("a join token needs a participant id");
  if (request.display_name.empty()) throw std::invalid_argument("a join token needs a display name");
  if (request.session_id.empty()) throw std::invalid_argument("a join token needs a session id");
  if (!known_role(request.role))
    throw std::invalid_argument("unknown role \"" + request.role +
                                "\" for a join token (facilitator, co_facilitator, participant, room)");
  if (request.lifetime.count() <= 0) throw std::invalid_argument("a join token's lifetime must be positive");
  if (key.secret.empty()) throw std::invalid_argument("a join token needs the API key's secret");

  auth::JoinClaims claims;
  claims.participant_id = request.participant_id;
  claims.display_name = request.display_name;
  claims.session_id = request.session_id;
  claims.role = request.role;
  claims.issued_at = epoch_seconds(request.issued_at.value_or(system_clock::now()));
  claims.expires_at = claims.issued_at + request.lifetime.count();
  if (request.not_before) {
    claims.not_before = epoch_seconds(*request.not_before);
    if (claims.not_before >= claims.expires_at)
      throw std::invalid_argument("a join token's not-before must come before its expiry");
  }
  // The same length of random id the server gives the tokens it mints.
  claims.token_id = request.token_id.empty() ? auth::random_secret(12) : request.token_id;
  return auth::sign_token(claims, auth::SigningKey{key.id, key.secret});
}

}  // namespace balint::sdk
