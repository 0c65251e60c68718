#include "raw_client.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace balint::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;
using tcp = boost::asio::ip::tcp;

std::string Ending::describe() const {
  std::string text;
  switch (kind) {
    case Kind::open: text = "still open"; break;
    case Kind::websocket_close:
      text = "close frame, code " + std::to_string(close_code) + ", reason \"" + close_reason + "\"";
      break;
    case Kind::eof: text = "TCP closed without a close frame"; break;
    case Kind::reset: text = "connection reset"; break;
    case Kind::timeout: text = "nothing ended it within the wait"; break;
    case Kind::error: text = "error: " + error; break;
  }
  if (saw_goodbye) text += "; goodbye \"" + goodbye + "\"";
  return text;
}

std::string client_frame(unsigned char first_byte, std::string_view payload) {
  std::string frame(1, static_cast<char>(first_byte));
  const std::uint64_t size = payload.size();
  if (size < 126) {
    frame += static_cast<char>(0x80 | size);
  } else if (size <= 0xFFFF) {
    frame += static_cast<char>(0x80 | 126);
    for (int shift = 8; shift >= 0; shift -= 8) frame += static_cast<char>((size >> shift) & 0xFF);
  } else {
    frame += static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) frame += static_cast<char>((size >> shift) & 0xFF);
  }
  frame += std::string(4, '\0');  // The masking key.
  frame += payload;
  return frame;
}

RawClient::RawClient(std::uint16_t port) : port_(port), ws_(ioc_) {
  // Frames go out exactly as the test cuts them.
  ws_.auto_fragment(false);
  // The server may send whatever it likes; the test judges it.
  ws_.read_message_max(64 * 1024 * 1024);
  // The stream's own timer (set before every operation) bounds each wait.
  ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), websocket::stream_base::none(), false});
}

RawClient::~RawClient() {
  error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

template <class Start>
error_code RawClient::run(std::chrono::milliseconds timeout, Start start) {
  std::optional<error_code> outcome;
  beast::get_lowest_layer(ws_).expires_after(timeout);
  start([&outcome](error_code ec, auto&&...) { outcome = ec; });
  ioc_.restart();
  while (!outcome && ioc_.run_one() > 0) {
  }
  return outcome.value_or(asio::error::operation_aborted);
}

bool RawClient::connect() {
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port_);
  const auto ec = run(kWait, [&](auto done) { beast::get_lowest_layer(ws_).async_connect(server, done); });
  if (ec) {
    last_error_ = "cannot connect: " + ec.message();
    return false;
  }
  connected_ = true;
  return true;
}

UpgradeAnswer RawClient::upgrade(const std::string& target, const Headers& headers) {
  UpgradeAnswer answer;
  if (!connected_ && !connect()) {
    answer.error = last_error_;
    return answer;
  }
  ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& request) {
    for (const auto& [name, value] : headers) request.set(name, value);
  }));
  websocket::response_type response;
  const std::string host = "127.0.0.1:" + std::to_string(port_);
  const auto ec = run(kWait, [&](auto done) { ws_.async_handshake(response, host, target, done); });
  answer.status = static_cast<int>(response.result_int());
  answer.body = response.body();
  if (!ec) {
    answer.upgraded = true;
  } else if (ec != websocket::error::upgrade_declined) {
    answer.error = ec.message();
    answer.status = 0;
  }
  if (!answer.upgraded) last_error_ = "upgrade refused: " + std::to_string(answer.status) + " " + answer.body + answer.error;
  return answer;
}

UpgradeAnswer RawClient::upgrade_with_token(const std::string& token, TokenPlace place) {
  if (place == TokenPlace::query) return upgrade("/ws?token=" + token);
  return upgrade("/ws", {{"Authorization", "Bearer " + token}});
}

bool RawClient::join(const std::string& token, TokenPlace place) {
  if (!upgrade_with_token(token, place).upgraded) return false;
  while (welcome_.participant_id().empty() || state_.session_id().empty()) {
    if (!read()) {
      last_error_ = "no Welcome and state after the upgrade: " + ending_.describe();
      return false;
    }
  }
  return true;
}

bool RawClient::write_frame(std::string_view bytes, bool fin) {
  const auto ec = run(kWait, [&](auto done) { ws_.async_write_some(fin, asio::buffer(bytes.data(), bytes.size()), done); });
  in_message_ = !fin;
  if (ec) last_error_ = "write failed: " + ec.message();
  return !ec;
}

bool RawClient::send_binary(std::string_view bytes) {
  ws_.binary(true);
  return write_frame(bytes, true);
}

bool RawClient::send_text(std::string_view bytes) {
  ws_.text(true);
  return write_frame(bytes, true);
}

bool RawClient::send_fragment(std::string_view bytes, bool fin, bool binary) {
  if (!in_message_) ws_.binary(binary);
  return write_frame(bytes, fin);
}

bool RawClient::send(const v1::ClientMessage& message) { return send_binary(message.SerializeAsString()); }

bool RawClient::send_command(std::uint64_t request_id, const v1::Command& command) {
  v1::ClientMessage message;
  message.set_request_id(request_id);
  *message.mutable_command() = command;
  return send(message);
}

bool RawClient::send_media(std::uint32_t track, std::string payload) {
  v1::ClientMessage message;
  message.mutable_media()->set_track(track);
  message.mutable_media()->set_payload(std::move(payload));
  return send(message);
}

bool RawClient::write_raw(std::string_view bytes) {
  const auto ec = run(kWait, [&](auto done) {
    asio::async_write(ws_.next_layer(), asio::buffer(bytes.data(), bytes.size()), done);
  });
  if (ec) last_error_ = "raw write failed: " + ec.message();
  return !ec;
}

bool RawClient::server_has_spoken() {
  error_code ec;
  return beast::get_lowest_layer(ws_).socket().available(ec) > 0 || ec;
}

bool RawClient::write_frame_raw(unsigned char first_byte, std::string_view payload) {
  return write_raw(client_frame(first_byte, payload));
}

void RawClient::note(const v1::ServerMessage& message) {
  if (message.has_welcome()) welcome_ = message.welcome();
  if (message.has_state()) state_ = message.state();
  if (message.has_goodbye()) {
    ending_.saw_goodbye = true;
    ending_.goodbye = message.goodbye().message();
    ending_.goodbye_reason = message.goodbye().reason();
  }
}

void RawClient::ended_by(const error_code& ec) {
  // A close frame that came counts even when answering it failed (the
  // server may reset the connection right after sending it).
  if (ec == websocket::error::closed || ws_.reason().code != websocket::close_code::none) {
    ending_.kind = Ending::Kind::websocket_close;
    ending_.close_code = static_cast<std::uint16_t>(ws_.reason().code);
    ending_.close_reason = std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
  } else if (ec == asio::error::eof || ec == http::error::end_of_stream) {
    ending_.kind = Ending::Kind::eof;
  } else if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
    ending_.kind = Ending::Kind::reset;
  } else if (ec == beast::error::timeout) {
    ending_.kind = Ending::Kind::timeout;
  } else {
    ending_.kind = Ending::Kind::error;
  }
  ending_.error = ec.message();
}

std::optional<v1::ServerMessage> RawClient::read(std::chrono::milliseconds timeout) {
  if (ending_.kind != Ending::Kind::open) return std::nullopt;
  const auto ec = run(timeout, [&](auto done) { ws_.async_read(buffer_, done); });
  if (ec) {
    ended_by(ec);
    return std::nullopt;
  }
  v1::ServerMessage message;
  const auto data = buffer_.cdata();
  const bool parsed = ws_.got_binary() && message.ParseFromArray(data.data(), static_cast<int>(data.size()));
  buffer_.consume(buffer_.size());
  if (!parsed) {
    last_error_ = "the server sent something that is not a ServerMessage";
    return std::nullopt;
  }
  note(message);
  return message;
}

std::optional<v1::CommandResult> RawClient::wait_result(std::uint64_t request_id, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto message = read(left);
    if (!message) return std::nullopt;
    if (message->has_result() && message->result().request_id() == request_id) return message->result();
  }
}

std::optional<v1::MediaFrame> RawClient::wait_media(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto message = read(left);
    if (!message) return std::nullopt;
    if (message->has_media()) return message->media();
  }
}

const Ending& RawClient::wait_end(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (ending_.kind == Ending::Kind::open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ending_.kind = Ending::Kind::timeout;
      break;
    }
    read(left);  // Anything but the end is noted and dropped.
  }
  return ending_;
}

}  // namespace balint::test
