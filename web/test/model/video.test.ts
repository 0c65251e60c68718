// Video as the screens show it, from hand-made states: whose tile shows a
// picture, the initials of a camera that is off, and why my own camera is
// not seen; and how encoded chunks are labelled for the server.
import { VideoCodec } from "@balint-room/sdk";
import assert from "node:assert/strict";
import { test } from "node:test";

import { cameraPausedBecause } from "../../src/model/myState.js";
import { initialsOf, viewOf } from "../../src/model/session.js";
import { ROOM_SIZE, TILE_SIZE, encoderCandidates, temporalLayerOf } from "../../src/video/encoding.js";
import { balintPhases, member, state } from "./sessionFixture.js";

test("initials leave out titles, and take the first and last names", () => {
  assert.equal(initialsOf("Dr Ada Lovelace"), "AL");
  assert.equal(initialsOf("prof. bo chen"), "BC");
  assert.equal(initialsOf("Room 3"), "R3");
  assert.equal(initialsOf("Éva"), "É");
  assert.equal(initialsOf("Dr"), "D", "a title alone is still someone");
  assert.equal(initialsOf("  "), "?");
});

test("a tile shows a picture only while the server forwards that camera", () => {
  const s = state({ phases: balintPhases, phaseIndex: 0 });
  member(s, "m1").cameraOn = true;
  member(s, "m1").maySendVideo = true;
  member(s, "pre").cameraOn = true; // On, but not forwarded.
  const people = viewOf(s, "fac").people;
  const byId = (id: string) => people.find((p) => p.id === id)!;
  assert.equal(byId("m1").sendingVideo, true);
  assert.equal(byId("pre").sendingVideo, false);
  assert.equal(byId("fac").sendingVideo, false, "no camera");
  member(s, "fac").maySendVideo = true;
  assert.equal(viewOf(s, "fac").me!.sendingVideo, false, "allowed, but the camera is off");
});

test("my camera, on but not seen, says why: a facilitator, or the observation", () => {
  const observing = state({ phases: balintPhases, phaseIndex: 1 });
  member(observing, "pre").cameraOn = true;
  assert.match(cameraPausedBecause(viewOf(observing, "pre")), /paused while the group discusses your case/);
  member(observing, "pre").maySendVideo = true;
  assert.equal(cameraPausedBecause(viewOf(observing, "pre")), "", "forwarded: nothing to say");

  const stopped = state({ phases: balintPhases, phaseIndex: 0 });
  member(stopped, "m1").cameraOn = true;
  member(stopped, "m1").videoStopped = true;
  assert.equal(cameraPausedBecause(viewOf(stopped, "m1")), "A facilitator stopped your video: nobody sees your camera.");
  member(stopped, "m1").cameraOn = false;
  assert.equal(cameraPausedBecause(viewOf(stopped, "m1")), "", "a camera that is off is not paused");
});

test("encoders are tried VP9 with three temporal layers first, then VP8, at the tile's or the room's size", () => {
  const tile = encoderCandidates(TILE_SIZE);
  assert.deepEqual(
    tile.map((c) => [c.codec, c.config.codec, c.config.scalabilityMode]),
    [
      [VideoCodec.VP9, "vp09.00.21.08", "L1T3"],
      [VideoCodec.VP8, "vp8", undefined],
    ],
  );
  assert.deepEqual([tile[0]!.config.width, tile[0]!.config.height, tile[0]!.config.framerate, tile[0]!.config.bitrate], [320, 240, 15, 150_000]);
  const room = encoderCandidates(ROOM_SIZE)[0]!.config;
  assert.deepEqual([room.width, room.height], [640, 360]);
});

test("a chunk's temporal layer comes from the encoder's metadata, a key frame is in the base, and it stays in 0..2", () => {
  const meta = (temporalLayerId: number) => ({ svc: { temporalLayerId } });
  assert.equal(temporalLayerOf(false, meta(2)), 2);
  assert.equal(temporalLayerOf(false, meta(1)), 1);
  assert.equal(temporalLayerOf(true, meta(2)), 0);
  assert.equal(temporalLayerOf(false, undefined), 0, "VP8 without layers");
  assert.equal(temporalLayerOf(false, meta(7)), 2);
});
