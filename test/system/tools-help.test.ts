// Every program in /bin answers --help with its usage on stdout (its own entry of
// util/usage-text.ts, which its bundle carries) and status 0, and an
// unknown option with one line on stderr and status 2, on every preset. Not checked:
// sh (the shell's command line is its own) and clang (it needs the toolchain under
// /usr); the bad-option half skips the programs that take any argument as data, as
// their GNU counterparts do (echo, printf, test, [, true, false).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sh, noLeaks, PRESETS } from './harness.js';
import { USAGES } from '../../src/user/util/usage-text.js';

// The sources sit three levels above the compiled test (dist/test/system).
const programs = fs.readdirSync(fileURLToPath(new URL('../../../src/user/bin', import.meta.url)))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .filter((p) => p !== 'sh' && p !== 'clang');
const takesAnyArgument = new Set(['echo', 'printf', 'test', '[', 'true', 'false']);

// One line per program: NAME HELP-STATUS HELP-BYTES HELP-STDERR-LINES BAD-STATUS BAD-STDERR-LINES FIRST-HELP-LINE
const line = (p: string): string =>
  `/bin/${p} --help > /tmp/h 2> /tmp/e < /dev/null; a=$?; /bin/${p} --no-such-option > /dev/null 2> /tmp/b < /dev/null; b=$?; ` +
  `echo "${p} $a $(wc -c < /tmp/h) $(wc -l < /tmp/e) $b $(wc -l < /tmp/b) $(head -1 /tmp/h)"`;

for (const preset of PRESETS) {
  test(`--help and bad options on ${preset} (${programs.length} programs)`, async () => {
    const r = await sh(preset, programs.map(line).join('\n'));
    assert.equal(r.status, 0, r.stderr);
    const rows = new Map(r.stdout.trim().split('\n').map((l) => [l.split(' ')[0] as string, l.split(' ')]));
    const problems: string[] = [];
    for (const p of programs) {
      const row = rows.get(p);
      if (row === undefined) { problems.push(`${p}: no report`); continue; }
      const [, helpStatus, helpBytes, helpErr, badStatus, badErr, ...first] = row;
      if (helpStatus !== '0' || helpErr !== '0' || Number(helpBytes) === 0) problems.push(`${p} --help: status ${helpStatus}, ${helpBytes} bytes out, ${helpErr} lines on stderr`);
      const usage = first.join(' ');
      if (!/^usage: /i.test(usage)) problems.push(`${p} --help: first line ${JSON.stringify(usage)}`);
      // Its own entry, not the fallback: each bundle carries only the entries it names (scripts/build.mjs).
      // ([ is test's code and answers with test's usage, as GNU's [ --help does.)
      const own = USAGES[p === '[' ? 'test' : p]?.split('\n')[0];
      if (own !== undefined && usage !== `Usage: ${own}`) problems.push(`${p} --help: ${JSON.stringify(usage)}, not its usage entry`);
      if (!takesAnyArgument.has(p) && (badStatus !== '2' || badErr !== '1')) problems.push(`${p} --no-such-option: status ${badStatus}, ${badErr} lines on stderr`);
    }
    assert.deepEqual(problems, []);
    assert.equal(noLeaks(r), undefined);
  });
}
