// `kernelkit bench ext --only fs --quick --json`: diskfs (chainfs through the driver its
// disk carries) beside ext2 and ramfs, every row filled (shape only; never timing): the
// disk filesystems' mounts and crash recoveries were measured, which needs each mount
// to succeed and each crashed driver or server to come back with the file intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');

test('bench ext --only fs reports create+fsync, 1 MiB read, mount and recovery for diskfs beside ext2 (and ramfs where it applies)', () => {
  const r = spawnSync(process.execPath, [bin, 'bench', 'ext', '--only', 'fs', '--quick', '--json'], { encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { rows: { part: string; runtime: string; median_ns: number; ratio: number; note: string }[] };
  assert.ok(out.rows.every((x) => x.part === 'fs'), 'only the fs rows');
  const runtimes = ['ext2 (TypeScript, user domain)', 'diskfs: chainfs (C/Wasm, sandbox)', 'ramfs (in vfs)'];
  const what = [/^create \+ write 1 KiB/, /^1 MiB read back/, /^mount\(2\)/, /until a file reads back whole/, /dmesg "restarting" to "restarted"/];
  for (const [k, note] of what.entries()) {
    // ramfs has no device to mount and no server of its own to crash.
    for (const runtime of k < 2 ? runtimes : runtimes.slice(0, 2)) {
      const row = out.rows.find((x) => x.runtime === runtime && note.test(x.note));
      assert.ok(row !== undefined, `${note} for ${runtime}: ${JSON.stringify(out.rows.map((x) => `${x.runtime}: ${x.note}`))}`);
      assert.ok(Number.isFinite(row.median_ns) && row.median_ns > 0 && Number.isFinite(row.ratio) && row.ratio > 0, `${note} for ${runtime}: ${JSON.stringify(row)}`);
    }
  }
  // Ratios are to ext2 in the same run.
  for (const x of out.rows.filter((row) => row.runtime === runtimes[0])) assert.equal(x.ratio, 1, x.note);
});
