// C8 and C9's verdict rules on made-up measurements: each verdict reachable, and the
// boundaries where they change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeC8, judgeC9, C8_NEAR_KERNEL, type ExtRow, type C9Probe, type ModuleRun } from './ext-claims.js';

const row = (runtime: string, ns: number, runs_ns?: number[][]): ExtRow => ({ part: 'system', runtime, median_ns: ns, ratio: 0, note: 'pread of one sector of /dev/blk0 (kbench blkread), monolithic', ...(runs_ns === undefined ? {} : { runs_ns }) });
// Three runs of 50 samples around `ns`, spread +-`spread` (a fraction), the same shape in every run.
const runs = (ns: number, spread = 0.05): number[][] => [0, 1, 2].map((r) => Array.from({ length: 50 }, (_, i) => ns * (1 + spread * (((i * 7 + r * 3) % 21) - 10) / 10)));
const c8 = (kernel: number, sandbox: number, user: number, spread = 0.05) => judgeC8({ tested: true, rows: [
  row('TypeScript, kernel domain', kernel, runs(kernel, spread)), row('C/WebAssembly, sandbox', sandbox, runs(sandbox, spread)), row('TypeScript, user domain', user, runs(user, spread)),
] });

test('C8: decided from 95% intervals: held near the kernel domain and below a user-domain server, not held at or above the server, inconclusive when an interval straddles', () => {
  assert.equal(c8(1000, 1000, 4000).verdict, 'held');
  assert.equal(c8(1000, 1100, 4000).verdict, 'held');
  // Well past the kernel-domain bound but below the server: fast, not near the kernel.
  assert.equal(c8(1000, 2000, 4000).verdict, 'inconclusive');
  assert.match(c8(1000, 2000, 4000).reason, /not within 1\.25x of the kernel domain/);
  // A ratio whose interval straddles 1.25x cannot decide.
  const straddle = c8(1000, 1000 * C8_NEAR_KERNEL, 4000, 0.3);
  assert.equal(straddle.verdict, 'inconclusive');
  assert.match(straddle.reason, /straddles/);
  assert.equal(c8(1000, 4400, 4000).verdict, 'not held');
  assert.equal(c8(1000, 5000, 4000).verdict, 'not held');
  // A user-domain server faster than the kernel domain: the sandbox cannot beat it by being near the kernel.
  assert.equal(c8(1000, 1200, 1000).verdict, 'not held');
  assert.match(c8(1000, 1040, 4100).measured, /sandbox 1\.0 µs \(1\.04x\)/);
  assert.match(c8(1000, 1040, 4100).measured, /sandbox \/ kernel 1\.\d+x \[95% CI [\d.]+–[\d.]+x\]/);
  // One run's medians without samples: no interval, no decision.
  const noSamples = judgeC8({ tested: true, rows: [row('TypeScript, kernel domain', 1000), row('C/WebAssembly, sandbox', 1000), row('TypeScript, user domain', 4000)] });
  assert.equal(noSamples.verdict, 'inconclusive');
  assert.match(noSamples.reason, /no interval/);
  assert.equal(judgeC8({ tested: false, reason: 'no clang' }).verdict, 'not tested');
  assert.equal(judgeC8({ tested: true, rows: [row('TypeScript, kernel domain', 1)] }).verdict, 'not tested');
});

const refused = (presets: string[], bugs: string[], loaded: string[] = []): C9Probe & { tested: true } => ({
  tested: true,
  ebpf: presets.flatMap((preset) => bugs.map((bug) => ({ preset, bug, refused: !loaded.includes(`${bug}@${preset}`), message: 'R0 invalid mem access' }))),
  alive: Object.fromEntries(presets.map((p) => [p, true])),
  modules: [],
});
const mods = (...outcomes: ModuleRun['outcome'][]): ModuleRun[] => outcomes.map((outcome, i) => ({ bug: `bug${i}`, outcome, detail: '' }));

test('C9: held when every hostile load is refused, every kernel lives and the modules did harm; otherwise not held or inconclusive', () => {
  const presets = ['monolithic', 'microkernel', 'hybrid'], bugs = ['oob-map', 'null-map'];
  assert.equal(judgeC9({ ...refused(presets, bugs), modules: mods('panic', 'leaked') }).verdict, 'held');
  assert.equal(judgeC9({ ...refused(presets, bugs), modules: mods('corrupted') }).verdict, 'held');
  assert.equal(judgeC9({ ...refused(presets, bugs), modules: mods('hang') }).verdict, 'held');
  // One program through on one preset is enough to refute the claim.
  const through = judgeC9({ ...refused(presets, bugs, ['null-map@hybrid']), modules: mods('panic') });
  assert.equal(through.verdict, 'not held');
  assert.match(through.reason, /null-map on hybrid/);
  const dead = refused(presets, bugs);
  dead.alive.microkernel = false;
  assert.equal(judgeC9({ ...dead, modules: mods('panic') }).verdict, 'not held');
  // Harmless as modules too: nothing shown.
  assert.equal(judgeC9({ ...refused(presets, bugs), modules: mods('leaked', 'reached', 'none') }).verdict, 'inconclusive');
  assert.equal(judgeC9({ tested: false, reason: 'no clang' }).verdict, 'not tested');
  assert.match(judgeC9({ ...refused(presets, bugs), modules: mods('panic') }).measured, /6 of 6 hostile loads refused/);
});
