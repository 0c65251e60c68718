#include "net/send_queue.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace balint::net;

namespace {

ws::SharedFrame frame(const std::string& name, std::size_t size = 10) {
  std::string bytes = name;
  bytes.resize(size, '.');
  return std::make_shared<const std::string>(std::move(bytes));
}

// The queued frames by name (up to the first '.'), front first.
std::vector<std::string> order(const SendQueue& queue) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < queue.size(); ++i) names.push_back(queue.frame(i).substr(0, queue.frame(i).find('.')));
  return names;
}

}  // namespace

TEST_CASE("SendQueue: state before audio before video, each kind in the order it came", "[send_queue]") {
  SendQueue queue(1000);
  REQUIRE(queue.add(frame("v1"), Priority::video) == SendQueue::Added::queued);
  REQUIRE(queue.add(frame("u1"), Priority::video_upper_layer) == SendQueue::Added::queued);
  REQUIRE(queue.add(frame("a1"), Priority::audio) == SendQueue::Added::queued);
  REQUIRE(queue.add(frame("v2"), Priority::video) == SendQueue::Added::queued);
  REQUIRE(queue.add(frame("s1"), Priority::state) == SendQueue::Added::queued);
  REQUIRE(queue.add(frame("a2"), Priority::audio) == SendQueue::Added::queued);
  queue.add_control(frame("c1"));
  CHECK(order(queue) == std::vector<std::string>{"s1", "c1", "a1", "a2", "v1", "u1", "v2"});
  CHECK(queue.bytes() == 70);
}

TEST_CASE("SendQueue: nothing overtakes a frame a write has touched", "[send_queue]") {
  SendQueue queue(1000);
  queue.add(frame("v1"), Priority::video);
  queue.add(frame("v2"), Priority::video);
  queue.write_started(1);  // v1 is being written.
  queue.add(frame("s1"), Priority::state);
  CHECK(order(queue) == std::vector<std::string>{"v1", "s1", "v2"});

  queue.write_ended(4);  // Part of v1: it stays in front.
  CHECK(queue.head_written() == 4);
  CHECK(queue.bytes() == 26);
  queue.add(frame("a1"), Priority::audio);
  CHECK(order(queue) == std::vector<std::string>{"v1", "s1", "a1", "v2"});
  queue.write_ended(6 + 10 + 5);  // The rest of v1, s1, half of a1.
  CHECK(order(queue) == std::vector<std::string>{"a1", "v2"});
  CHECK(queue.head_written() == 5);
  CHECK(queue.bytes() == 15);
}

TEST_CASE("SendQueue: a reader who falls behind loses the upper layers, then video, then audio, never state",
          "[send_queue]") {
  SendQueue queue(400);  // Upper layers up to 100 bytes, video 200, audio 400, state 800.
  const auto fill_to = [&](std::size_t bytes) {
    while (queue.bytes() < bytes) REQUIRE(queue.add(frame("s", 10), Priority::state) == SendQueue::Added::queued);
  };
  fill_to(90);
  CHECK(queue.add(frame("u", 10), Priority::video_upper_layer) == SendQueue::Added::queued);  // 100: just fits.
  CHECK(queue.add(frame("u", 10), Priority::video_upper_layer) == SendQueue::Added::dropped);
  CHECK(queue.add(frame("v", 10), Priority::video) == SendQueue::Added::queued);
  fill_to(200);
  CHECK(queue.add(frame("v", 10), Priority::video) == SendQueue::Added::dropped);
  CHECK(queue.add(frame("a", 10), Priority::audio) == SendQueue::Added::queued);
  fill_to(400);
  CHECK(queue.add(frame("a", 10), Priority::audio) == SendQueue::Added::dropped);
  CHECK(queue.dropped_media() == 3);
  fill_to(800);
  CHECK(queue.bytes() == 800);
  CHECK(queue.add(frame("s", 1), Priority::state) == SendQueue::Added::overflow);
  CHECK(queue.bytes() == 800);  // Not queued.
}

TEST_CASE("SendQueue: past the bound a newer pong takes the place of the one not yet written", "[send_queue]") {
  SendQueue queue(100);
  queue.add(frame("a", 95), Priority::audio);
  REQUIRE(queue.add_pong(frame("p1", 4)) == SendQueue::Added::queued);
  CHECK(order(queue) == std::vector<std::string>{"p1", "a"});
  REQUIRE(queue.add_pong(frame("p2", 6)) == SendQueue::Added::queued);  // 105 > 100: in p1's place.
  CHECK(order(queue) == std::vector<std::string>{"p2", "a"});
  CHECK(queue.bytes() == 101);
  queue.add(frame("s", 10), Priority::state);
  REQUIRE(queue.add_pong(frame("p3", 6)) == SendQueue::Added::queued);
  CHECK(order(queue) == std::vector<std::string>{"p3", "s", "a"});  // p2's place held.

  queue.write_started(1);  // p3 is being written: a newer pong cannot replace it.
  REQUIRE(queue.add_pong(frame("p4", 6)) == SendQueue::Added::queued);
  CHECK(order(queue) == std::vector<std::string>{"p3", "s", "p4", "a"});
}

TEST_CASE("SendQueue: closing drops the waiting media and keeps state, a slow reader keeps what is out",
          "[send_queue]") {
  SendQueue queue(1000);
  queue.add(frame("a1"), Priority::audio);
  queue.add(frame("v1"), Priority::video);
  queue.write_started(1);  // a1.
  queue.add(frame("s1"), Priority::state);
  queue.add(frame("a2"), Priority::audio);
  queue.drop_waiting_media();
  CHECK(order(queue) == std::vector<std::string>{"a1", "s1"});
  CHECK(queue.dropped_media() == 2);
  CHECK(queue.bytes() == 20);

  queue.cut_untouched();
  CHECK(order(queue) == std::vector<std::string>{"a1"});
  CHECK(queue.bytes() == 10);
  queue.keep_in_flight();
  CHECK(order(queue) == std::vector<std::string>{"a1"});
  queue.write_ended(0);
  queue.keep_in_flight();
  CHECK(queue.empty());
}

TEST_CASE("SendQueue: a write takes little at a time, so that audio coming meanwhile goes before the video left",
          "[send_queue]") {
  SendQueue queue(100000);
  for (const char* name : {"v1", "v2", "v3", "v4"}) REQUIRE(queue.add(frame(name, 1000), Priority::video) == SendQueue::Added::queued);
  CHECK(queue.frames_for_write(2500, 64) == 2);
  CHECK(queue.frames_for_write(2000, 64) == 2);
  CHECK(queue.frames_for_write(500, 64) == 1);  // One frame, however big.
  CHECK(queue.frames_for_write(100000, 3) == 3);
  queue.write_started(2);
  queue.write_ended(1500);  // v1 and half of v2.
  CHECK(queue.frames_for_write(2000, 64) == 2);  // What is left of v2 (500), and v3.
  queue.write_started(2);
  REQUIRE(queue.add(frame("a1", 100), Priority::audio) == SendQueue::Added::queued);
  CHECK(order(queue) == std::vector<std::string>{"v2", "v3", "a1", "v4"});
}

TEST_CASE("SendQueue: pausing video drops the video waiting, and keeps audio, state and what is out", "[send_queue]") {
  SendQueue queue(1000);
  queue.add(frame("v1"), Priority::video);
  queue.write_started(1);  // v1.
  queue.add(frame("v2"), Priority::video);
  queue.add(frame("u1"), Priority::video_upper_layer);
  queue.add(frame("a1"), Priority::audio);
  queue.add(frame("s1"), Priority::state);
  queue.drop_waiting_video();
  CHECK(order(queue) == std::vector<std::string>{"v1", "s1", "a1"});
  CHECK(queue.dropped_media() == 2);
  CHECK(queue.bytes() == 30);
}
