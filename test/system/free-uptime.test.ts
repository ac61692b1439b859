// free and uptime on every preset. free's figures are the arenas memstat lists (a
// second reader of the same table: totals must agree); uptime's boot time lies between
// the start of the test and the moment dmesg's last line was logged (both count from
// the same zero, the kernel log's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh, noLeaks, PRESETS } from './harness.js';

for (const preset of PRESETS) {
  test(`free and uptime on ${preset}`, async () => {
    const startedS = Date.now() / 1000;
    const r = await sh(preset, 'free -b; free -v -k | tail -n +3 | wc -l; memstat -s | tail -n +2; echo ---; dmesg | tail -1; date +%s; uptime -s; uptime; uptime -p; free -x; echo "bad $?"');
    assert.equal(r.status, 0, r.stderr);
    const [freePart, rest] = r.stdout.split('---\n') as [string, string];
    const lines = freePart.replace(/\n$/, '').split('\n');
    assert.match(lines[0] as string, /^ +total +used +free$/);
    const mem = (lines[1] as string).split(/\s+/);
    const arenas = lines.slice(3).map((l) => l.split(/\s+/).map(Number));
    assert.equal(Number(lines[2]), arenas.length, 'free -v: one line per arena');
    assert.equal(Number(mem[1]), arenas.reduce((n, a) => n + (a[1] as number), 0), 'total = the arenas memstat lists');
    assert.equal(Number(mem[2]), arenas.reduce((n, a) => n + (a[2] as number), 0), 'used = their used bytes');
    assert.equal(Number(mem[3]), Number(mem[1]) - Number(mem[2]));
    const [dmesgLine, now, since, plain, pretty] = rest.trim().split('\n') as string[];
    const lastLogS = Number(/^\[ *([0-9.]+)\]/.exec(dmesgLine as string)?.[1]);
    const bootS = Date.parse((since as string).replace(' ', 'T') + 'Z') / 1000;
    assert.ok(bootS >= Math.floor(startedS) - 1, `booted (${since}) after the test started`);
    assert.ok(bootS <= Number(now) - Math.floor(lastLogS) + 1, `booted (${since}) before dmesg's last line (${lastLogS} s after boot, now ${now})`);
    assert.match(plain as string, /^ \d\d:\d\d:\d\d up \d+ min, {2}\d+ processes$/);
    assert.match(pretty as string, /^up \d+ minutes?$/);
    assert.match(r.stdout, /bad 2\n/);
    assert.equal(noLeaks(r), undefined);
  });
}
