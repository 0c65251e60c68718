// WebSocket conformance of balint-server: the case groups of
// Autobahn|Testsuite (which needs Python 2), rewritten against our server,
// one node:test test per case, grouped as Autobahn groups them.
//
// Run: cd client-sdk/ts && npm ci && npm run build (the wire types come from
// its dist/), then cd tests/conformance && npm ci && node --test --test-reporter=spec conformance.test.mjs
// (BALINT_SERVER picks the binary; else $BALINT_BUILD_DIR/server/app/balint-server,
// BALINT_BUILD_DIR defaulting to "build" under the repository root.) The
// report goes to $BALINT_BUILD_DIR/conformance-report.txt and to stdout.
//
// Our server is no echo server: the "echo" of a data message is the one
// CommandResult it answers each with (ERROR_CODE_MALFORMED, since no case
// sends a real command). See README.md.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import framing from './cases/framing.mjs';
import pings from './cases/pings.mjs';
import { reservedBits, reservedOpcodes } from './cases/reserved.mjs';
import fragmentation from './cases/fragments.mjs';
import { utf8Cases, utf8Fragmented } from './cases/utf8.mjs';
import closing from './cases/closing.mjs';
import limits from './cases/limits.mjs';
import { deflateDefault, deflateParameters, misc } from './cases/deflate.mjs';
import { FAILED, NON_STRICT, OK, runCase } from './lib/harness.mjs';
import { Lanes, Server, serverBinary } from './lib/server.mjs';
import { checkTable } from './lib/utf8.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

// NON-STRICT cases that pass, each with the reason it is acceptable for us
// (the reason goes into the report). A NON-STRICT case not listed fails.
export const ALLOWED_NON_STRICT = {};

const GROUPS = [
  framing,
  pings,
  reservedBits,
  reservedOpcodes,
  fragmentation,
  utf8Cases,
  utf8Fragmented,
  closing,
  limits,
  misc,
  deflateDefault,
  deflateParameters,
];

// Cases run this many at a time within a group (each on a lane of its own:
// a session and a token); the big-message groups fewer, on two cores.
const LANES = 8;
const CONCURRENCY = { 6: 8, '6f': 8, 9: 2 };
const DEFAULT_CONCURRENCY = 4;

const env = {};
const results = new Map();
const suiteStarted = performance.now();
let setupError = null;

// A failed setup does not throw here (node would cancel every test, and a
// cancelled test counts neither as passed nor as failed): each case fails.
before(async () => {
  try {
    checkTable();
    env.binary = serverBinary(repoRoot);
    env.server = await Server.start({ binary: env.binary, lanes: LANES });
    env.lanes = new Lanes(env.server.tokens);
  } catch (error) {
    setupError = error;
  }
});

after(async () => {
  await env.server?.stop();
  const report = makeReport();
  const file = path.resolve(repoRoot, process.env.BALINT_BUILD_DIR ?? 'build', 'conformance-report.txt');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, report);
  console.log(`\n${report}\n(written to ${file})`);
});

for (const group of GROUPS) {
  describe(`${group.group} ${group.title}`, { concurrency: CONCURRENCY[group.group] ?? DEFAULT_CONCURRENCY }, () => {
    for (const def of group.cases) {
      test(`${def.id} ${def.title}`, { timeout: (def.timeout ?? 10_000) + 5_000 }, async () => {
        if (!env.lanes) throw new Error(`no server: ${setupError?.message ?? 'setup did not run'}`);
        const result = await runCase(def, env);
        if (result.verdict !== OK && !env.server.running)
          result.detail += `; the server has exited (${env.server.child.exitCode ?? env.server.child.signalCode}): ${env.server.log.slice(-400)}`;
        results.set(def.id, result);
        if (result.verdict === OK) return;
        if (result.verdict === NON_STRICT && ALLOWED_NON_STRICT[def.id]) return;
        const unlisted = result.verdict === NON_STRICT ? ' (not in ALLOWED_NON_STRICT)' : '';
        assert.fail(`${def.id} ${result.verdict}${unlisted}: ${result.detail}`);
      });
    }
  });
}

function makeReport() {
  const lines = [];
  const caseLines = [];
  const total = { [OK]: 0, [NON_STRICT]: 0, [FAILED]: 0 };
  for (const group of GROUPS) {
    const count = { [OK]: 0, [NON_STRICT]: 0, [FAILED]: 0 };
    for (const def of group.cases) {
      const r = results.get(def.id) ?? { verdict: FAILED, detail: 'not run' };
      count[r.verdict]++;
      total[r.verdict]++;
      let line = `${def.id} ${r.verdict}`;
      if (r.verdict === NON_STRICT)
        line += ALLOWED_NON_STRICT[def.id] ? ` (allowed: ${ALLOWED_NON_STRICT[def.id]})` : ' (not allowed)';
      if (r.detail) line += `: ${r.detail}`;
      caseLines.push(line);
    }
    const n = group.cases.length;
    lines.push(`${group.group} ${group.title}: ${count[OK]}/${n} OK, ${count[NON_STRICT]} NON-STRICT, ${count[FAILED]} FAILED`);
  }
  const cases = GROUPS.reduce((sum, g) => sum + g.cases.length, 0);
  const seconds = ((performance.now() - suiteStarted) / 1000).toFixed(1);
  return [
    `WebSocket conformance (the case groups of Autobahn|Testsuite) against ${env.binary ?? 'no server'}`,
    `${cases} cases in ${seconds} s: ${total[OK]} OK, ${total[NON_STRICT]} NON-STRICT, ${total[FAILED]} FAILED`,
    ...(setupError ? [`setup failed: ${setupError.message}`] : []),
    '',
    ...lines,
    '',
    ...caseLines,
  ].join('\n');
}
