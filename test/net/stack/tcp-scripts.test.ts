// The TCP core, segment by segment: every script in scripts/*.pkt (format in script.ts)
// run against a stack on a fake clock.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { runScript } from './script.js';

// dist/test/net/stack/ -> test/net/stack/scripts/
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/net/stack/scripts');
const scripts = readdirSync(dir).filter((f) => f.endsWith('.pkt')).sort();

test('the script directory holds the segment scripts', () => {
  if (scripts.length < 10) throw new Error(`only ${scripts.length} scripts in ${dir}`);
});

for (const f of scripts) {
  test(`script ${f}`, () => { runScript(readFileSync(path.join(dir, f), 'utf8'), f); });
}

// The runner itself must catch a stack that does otherwise: a wrong window, a segment
// sent late, a segment nobody expected, a missing one.
const HANDSHAKE = `0 listen 8080
+0 < S 0:0(0) win 65535 <mss 1460,wscale 7>
+0 > S. 0:0(0) ack 1 win 65535 <mss 1460,wscale 7>
+.1 < . 1:1(0) ack 1 win 512
+0 accept
+0 < P. 1:1001(1000) ack 1 win 512
`;

test('the script runner fails a wrong window, a wrong time, an unexpected and a missing segment', () => {
  runScript(`${HANDSHAKE}+.04 > . 1:1(0) ack 1001 win 504\n`, 'right');
  assert.throws(() => runScript(`${HANDSHAKE}+.04 > . 1:1(0) ack 1001 win 505\n`, 'window'), /window/);
  assert.throws(() => runScript(`${HANDSHAKE}+.05 > . 1:1(0) ack 1001\n`, 'late'), /sent at 0.14/);
  assert.throws(() => runScript(`${HANDSHAKE}+.05 write 10\n`, 'unexpected'), /no line expects/);
  assert.throws(() => runScript(`${HANDSHAKE}+.01 > . 1:1(0) ack 1001\n`, 'missing'), /nothing sent/);
  assert.throws(() => runScript(`${HANDSHAKE}+.04 > . 1:1(0) ack 1000\n`, 'ack'), /ack of/);
  // A SACK block the stack did not send, and one missing (this peer did not offer SACK).
  assert.throws(() => runScript(`${HANDSHAKE}+.04 > . 1:1(0) ack 1001 <sack 2001:3001>\n`, 'sack'), /SACK blocks of/);
  const sackHandshake = HANDSHAKE.replace('<mss 1460,wscale 7>\n+0 > S.', '<mss 1460,wscale 7,sackOK>\n+0 > S.').replace('ack 1 win 65535 <mss 1460,wscale 7>', 'ack 1 win 65535 <mss 1460,wscale 7,sackOK>');
  runScript(`${sackHandshake}+0 < . 2001:3001(1000) ack 1 win 512\n+0 > . 1:1(0) ack 1001 <sack 2001:3001>\n`, 'sack right');
  assert.throws(() => runScript(`${sackHandshake}+0 < . 2001:3001(1000) ack 1 win 512\n+0 > . 1:1(0) ack 1001 <>\n`, 'sack missing'), /SACK blocks of/);
});
