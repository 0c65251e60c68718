// The input of fuzz_client_message: a short script of ClientMessages, each
// sent by one member of a fixed cast at some moment, so that the fuzzer can
// reach states that take several commands to get to (a go-around half done,
// the presenter observing, a co-facilitator in control).
//
//   input   := format step*
//   format  := 1 byte: even for the CCDG format, odd for the Balint format
//   step    := actor wait length message
//   actor   := 1 byte: the low 7 bits pick the sender from kCast (modulo its
//              size); the high bit first flips the sender's connection
//              (disconnect if connected, join again if not)
//   wait    := 1 byte: the clock moves on wait x 10 s before the step
//   length  := 2 bytes, little-endian: the length of message
//   message := `length` bytes that the room takes for a balint.v1.ClientMessage
//              (cut short by the end of the input)
//
// At most kMaxSteps steps are read, so that one input stays fast; fewer
// than 4 bytes left over are ignored.
#pragma once

#include "balint/v1/balint.pb.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace balint::fuzz {

struct CastMember {
  const char* id;
  const char* name;
  v1::Role role;
};

// Who may send a step. The session starts with all of them in the roster
// except "ghost"; "room.1" and "room.2" are the room device's attendees.
inline constexpr std::array<CastMember, 10> kCast = {{
    {"fac", "Fay", v1::ROLE_FACILITATOR},
    {"cof", "Cole", v1::ROLE_CO_FACILITATOR},
    {"pres", "Pia", v1::ROLE_PARTICIPANT},
    {"p1", "Ann", v1::ROLE_PARTICIPANT},
    {"p2", "Ben", v1::ROLE_PARTICIPANT},
    {"p3", "Cy", v1::ROLE_PARTICIPANT},
    {"room", "Room 4B", v1::ROLE_ROOM},
    {"room.1", "Dee", v1::ROLE_PARTICIPANT},
    {"room.2", "Eve", v1::ROLE_PARTICIPANT},
    {"ghost", "Gus", v1::ROLE_PARTICIPANT},
}};

inline constexpr std::size_t kMaxSteps = 64;

struct Step {
  std::size_t actor = 0;         // Index into kCast.
  bool flip_connection = false;  // Disconnect or rejoin the actor first.
  std::uint8_t wait_tens = 0;    // Tens of seconds the clock moves first.
  std::string message;           // What the actor sends.
};

struct Script {
  bool balint_format = false;  // The Balint format, else CCDG.
  std::vector<Step> steps;
};

Script read_script(const std::uint8_t* data, std::size_t size);
std::string write_script(const Script& script);

// The kCast index of `id`; throws std::invalid_argument for an unknown id.
std::size_t cast_index(std::string_view id);

}  // namespace balint::fuzz
