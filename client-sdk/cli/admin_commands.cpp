// The admin subcommands: create, sessions, end.

#include "cli.hpp"

#include "balint/sdk/admin_client.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace balint::cli {
namespace {

namespace json = boost::json;

// "Name:role[:id]" -> an invitee; roles are checked here so that a typo is a
// usage error rather than a server round trip.
sdk::Invitee parse_invite(const std::string& text) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  for (;;) {
    const auto colon = text.find(':', start);
    parts.push_back(text.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty())
    throw UsageError("--invite wants \"Name:role[:id]\", got \"" + text + "\"");
  std::string role = parts[1];
  if (role == "co-facilitator" || role == "cofacilitator") role = "co_facilitator";
  if (role != "facilitator" && role != "co_facilitator" && role != "participant" && role != "presenter" &&
      role != "room")
    throw UsageError("unknown role \"" + parts[1] + "\" in --invite \"" + text +
                     "\" (facilitator, co_facilitator, participant, presenter, room)");
  return {parts.size() == 3 ? parts[2] : std::string{}, parts[0], role};
}

// A built-in format id stays a string; a file is read as a custom format.
json::value load_format(const std::string& value) {
  if (value == "balint" || value == "ccdg") return json::value(value);
  const std::filesystem::path path(value);
  const bool looks_like_file = path.has_extension() || value.find('/') != std::string::npos;
  if (!std::filesystem::exists(path)) {
    if (looks_like_file) throw UsageError("format file " + value + " does not exist");
    return json::value(value);  // Another format id the server may know.
  }
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read format file " + value);
  std::stringstream text;
  text << in.rdbuf();
  json::error_code ec;
  json::value format = json::parse(text.str(), ec);
  if (ec) throw std::runtime_error("format file " + value + " is not valid JSON: " + ec.message());
  return format;
}

}  // namespace

int run_create(const Args& args) {
  if (!args.positional.empty()) throw UsageError("create takes no positional arguments");
  if (!args.has("name") || args.get("name").empty()) throw UsageError("create needs --name");
  if (!args.has("format")) throw UsageError("create needs --format balint|ccdg|FILE.json");
  if (args.all("invite").empty()) throw UsageError("create needs at least one --invite \"Name:role[:id]\"");

  sdk::SessionRequest request;
  request.name = args.get("name");
  request.format = load_format(args.get("format"));
  request.presenter = args.get("presenter");
  request.ground_rules = args.get("ground-rules");
  if (args.has("max-members")) {
    try {
      std::size_t used = 0;
      const unsigned long n = std::stoul(args.get("max-members"), &used);
      if (used != args.get("max-members").size() || n == 0 || n > 1000) throw std::out_of_range("");
      request.max_members = static_cast<std::uint32_t>(n);
    } catch (const std::exception&) {
      throw UsageError("--max-members wants a number from 1 to 1000");
    }
  }
  for (const auto& invite : args.all("invite")) request.invitees.push_back(parse_invite(invite));

  sdk::AdminClient admin = admin_client(args);
  const auto created = admin.create_session(request);
  std::cerr << "created session " << created.session_id << " \"" << created.name << "\" (" << created.format
            << ")\n";
  for (const auto& invite : created.invites)
    std::cout << invite.name << '\t' << (invite.presenter ? std::string("presenter") : invite.role) << '\t'
              << invite.link << '\n';
  std::cout.flush();
  return 0;
}

int run_sessions(const Args& args) {
  if (!args.positional.empty()) throw UsageError("sessions takes no positional arguments");
  sdk::AdminClient admin = admin_client(args);
  const auto sessions = admin.list_sessions();
  std::cout << "SESSION\tNAME\tFORMAT\tPHASE\tENDED\tMEMBERS\tCONNECTED\n";
  for (const auto& s : sessions)
    std::cout << s.session_id << '\t' << s.name << '\t' << s.format << '\t' << s.phase_index << '\t'
              << (s.ended ? "yes" : "no") << '\t' << s.members << '\t' << s.connections << '\n';
  return 0;
}

int run_end(const Args& args) {
  if (args.positional.size() != 1) throw UsageError("end needs exactly one SESSION_ID");
  sdk::AdminClient admin = admin_client(args);
  admin.end_session(args.positional[0]);
  std::cout << "ended " << args.positional[0] << '\n';
  return 0;
}

}  // namespace balint::cli
