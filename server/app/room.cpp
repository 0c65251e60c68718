#include "app/room.hpp"

#include "app/clock.hpp"
#include "net/router.hpp"

namespace balint::app {
namespace v1 = core::v1;
using net::WsConnection;

namespace {

Now now() { return {now_ms(), std::chrono::steady_clock::now()}; }

}  // namespace

Room::Room(net::asio::io_context& worker, core::Session session, net::Limits limits, std::shared_ptr<StoreThread> store)
    : Room(worker, RoomProtocol(std::move(session), limits), std::move(store)) {}

Room::Room(net::asio::io_context& worker, RoomProtocol protocol, std::shared_ptr<StoreThread> store)
    : worker_(worker), protocol_(std::move(protocol)), store_(std::move(store)), wake_timer_(worker) {
  update_summary();
}

std::shared_ptr<Room> Room::restore(net::asio::io_context& worker, const std::string& record_bytes, net::Limits limits,
                                    std::shared_ptr<StoreThread> store, std::string& error) {
  auto protocol = RoomProtocol::restore(record_bytes, limits, now_ms(), error);
  if (!protocol) return nullptr;
  std::shared_ptr<Room> room(new Room(worker, std::move(*protocol), std::move(store)));
  // The restored members' deadlines start now.
  room->post([](Room& room) { room.schedule_wake(now()); });
  return room;
}

void Room::post(std::function<void(Room&)> task) {
  net::asio::post(worker_, [self = shared_from_this(), task = std::move(task)] { task(*self); });
}

void Room::admit(net::Transport transport, net::Request request, auth::JoinClaims claims, v1::Role role,
                 std::string token_fingerprint) {
  post([transport = std::make_shared<net::Transport>(net::move_transport(std::move(transport), worker_)),
        request = std::move(request), claims = std::move(claims), role,
        fingerprint = std::move(token_fingerprint)](Room& room) mutable {
    const LinkId link = room.next_link_++;
    room.upgrades_.emplace(link, Upgrade{std::move(transport), std::move(request)});
    room.step([&](RoomProtocol& protocol, Now now, Effects& out) {
      protocol.admit(link, claims, role, fingerprint, now, out);
    });
  });
}

void Room::resume(net::Transport transport, net::Request request, std::string participant_id, std::string secret) {
  post([transport = std::make_shared<net::Transport>(net::move_transport(std::move(transport), worker_)),
        request = std::move(request), participant_id = std::move(participant_id),
        secret = std::move(secret)](Room& room) mutable {
    const LinkId link = room.next_link_++;
    room.upgrades_.emplace(link, Upgrade{std::move(transport), std::move(request)});
    room.step([&](RoomProtocol& protocol, Now now, Effects& out) {
      protocol.resume(link, participant_id, secret, now, out);
    });
  });
}

void Room::on_open(WsConnection& connection) {
  const LinkId link = link_of(connection);
  step([&](RoomProtocol& protocol, Now now, Effects& out) { protocol.opened(link, now, out); });
}

void Room::on_message(WsConnection& connection, std::string_view bytes, bool binary) {
  const LinkId link = link_of(connection);
  step([&](RoomProtocol& protocol, Now now, Effects& out) { protocol.frame(link, bytes, binary, now, out); });
}

void Room::on_closed(WsConnection& connection) {
  const LinkId link = link_of(connection);
  --open_connections_;
  links_.erase(&connection);
  connections_.erase(link);
  step([&](RoomProtocol& protocol, Now now, Effects& out) { protocol.closed(link, now, out); });
}

LinkId Room::link_of(const WsConnection& connection) const {
  const auto it = links_.find(&connection);
  return it == links_.end() ? 0 : it->second;
}

void Room::when_durable(std::function<void(bool durable)> done) {
  durable_waiters_.emplace_back(protocol_.write_needed(), std::move(done));
  step([](RoomProtocol& protocol, Now, Effects& out) { protocol.flush(out); });
}

void Room::end_session() {
  step([](RoomProtocol& protocol, Now now, Effects& out) { protocol.end_session(now, out); });
}

void Room::shut_down() {
  step([](RoomProtocol& protocol, Now now, Effects& out) { protocol.shut_down(now, out); });
  wake_timer_.cancel();
}

v1::SessionState Room::snapshot() const { return protocol_.session().snapshot(now_ms()); }

// --- carrying out ------------------------------------------------------------

template <typename Input>
void Room::step(Input&& input) {
  const Now at = now();
  effects_.clear();
  input(protocol_, at, effects_);
  carry_out(at);
  after_step(at);
}

void Room::after_step(Now now) {
  // A turn's changes cost one write: the record goes to the store at the end of it.
  if (protocol_.dirty() && !flush_posted_) {
    flush_posted_ = true;
    net::asio::post(worker_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        self->flush_posted_ = false;
        self->step([](RoomProtocol& protocol, Now, Effects& out) { protocol.flush(out); });
      }
    });
  }
  if (protocol_.session().version() != summarized_version_) update_summary();
  schedule_wake(now);
}

// Effects may add effects (a camera frame a queue refused): by index.
void Room::carry_out(Now now) {
  for (carried_out_ = 0; carried_out_ < effects_.size(); ++carried_out_) {
    auto effect = std::move(effects_[carried_out_]);
    std::visit([&](const auto& one) { carry_out(one, now); }, effect);
  }
}

void Room::carry_out(const effect::Send& send, Now now) {
  const auto it = connections_.find(send.link);
  if (it == connections_.end()) return;  // Gone meanwhile; the protocol hears of it from on_closed.
  const bool queued = it->second->send(send.frame, send.priority);
  if (!queued && send.camera) protocol_.camera_dropped(send.link, *send.camera, now, effects_);
}

void Room::carry_out(const effect::Close& close, Now) {
  if (const auto it = connections_.find(close.link); it != connections_.end())
    it->second->close(close.goodbye, close.reason);
}

void Room::carry_out(const effect::Accept& accept, Now) {
  auto upgrade = upgrades_.extract(accept.link);
  if (upgrade.empty()) return;
  auto connection = net::WsConnection::create(std::move(*upgrade.mapped().transport), shared_from_this(),
                                              protocol_.limits());
  links_.emplace(connection.get(), accept.link);
  connections_.emplace(accept.link, connection);
  ++open_connections_;
  connection->accept(upgrade.mapped().request);
}

void Room::carry_out(const effect::Refuse& refuse, Now) {
  auto upgrade = upgrades_.extract(refuse.link);
  if (upgrade.empty()) return;
  const auto& refusal = refuse.refusal;
  net::answer_and_close(std::move(*upgrade.mapped().transport),
                        net::json_error(refusal.status, refusal.code, refusal.message,
                                        upgrade.mapped().request.version(), false),
                        protocol_.limits().handshake_timeout);
}

void Room::carry_out(const effect::Persist& persist, Now) {
  store_->save(persist.record, [weak = weak_from_this(), &worker = worker_, write = persist.write,
                                version = persist.record.version](bool durable) {
    net::asio::post(worker, [weak, write, version, durable] {
      if (auto self = weak.lock()) self->on_written(write, version, durable);
    });
  });
}

void Room::carry_out(const effect::DropWaitingVideo& drop, Now) {
  if (const auto it = connections_.find(drop.link); it != connections_.end()) it->second->drop_waiting_video();
}

void Room::on_written(std::uint64_t write, std::uint64_t version, bool durable) {
  step([&](RoomProtocol& protocol, Now now, Effects& out) { protocol.written(write, version, durable, now, out); });
  std::erase_if(durable_waiters_, [&](auto& waiter) {
    if (durable ? waiter.first > write : waiter.first != write) return false;
    waiter.second(durable);
    return true;
  });
}

void Room::schedule_wake(Now now) {
  const auto due = protocol_.wake_at(now);
  if (due == wake_due_) return;
  wake_due_ = due;
  if (!due) return (void)wake_timer_.cancel();
  wake_timer_.expires_at(*due);  // Cancels the wait for the old one.
  wake_timer_.async_wait([weak = weak_from_this()](net::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;  // Moved, or the room is gone.
    self->wake_due_.reset();
    self->step([](RoomProtocol& protocol, Now now, Effects& out) { protocol.tick(now, out); });
  });
}

void Room::update_summary() {
  summarized_version_ = protocol_.session().version();
  std::lock_guard lock(summary_mutex_);
  summary_ = protocol_.summary();
}

RoomSummary Room::summary() const {
  std::lock_guard lock(summary_mutex_);
  RoomSummary summary = summary_;
  summary.connections = open_connections_.load();
  return summary;
}

}  // namespace balint::app
