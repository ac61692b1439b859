// Timestamps to the nanosecond through every filesystem, on every preset: times.wasm
// (test/c/times.c) sets times through path_filestat_set_times and
// fd_filestat_set_times and prints what stat gives back. The judges are the
// filesystems' own records: on ext2 debugfs reading the image after the run (256-byte
// inodes keep ns in i_*time_extra; 128-byte inodes keep whole seconds), on a host share
// the host's stat of the file (node:fs with bigint), on ramfs the values the program set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sh, noLeaks, PRESETS } from '../system/harness.js';

const PROG = '/usr/lib/wasi-tests/times.wasm';
const cTests = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../build/c-tests');

/** The "WHAT ATIME MTIME" lines times.wasm prints, times as ns bigints. */
function parse(out: string, marker: string): Map<string, [bigint, bigint]> {
  const block = out.split(`@@${marker}\n`)[1]?.split('@@')[0] ?? '';
  const m = new Map<string, [bigint, bigint]>();
  for (const [, what, as, ans, ms, mns] of block.matchAll(/^(\w+) (\d+)\.(\d{9}) (\d+)\.(\d{9})$/gm)) {
    m.set(what!, [BigInt(as!) * 1_000_000_000n + BigInt(ans!), BigInt(ms!) * 1_000_000_000n + BigInt(mns!)]);
  }
  assert.match(block, /^ok times$/m, `times.wasm (${marker}) ran to its end:\n${out}`);
  return m;
}

const s = (sec: number, ns: number): bigint => BigInt(sec) * 1_000_000_000n + BigInt(ns);
// What test/c/times.c asks for, line by line (its inputs, not its outputs).
const ASKED: Record<string, [bigint | undefined, bigint | undefined]> = {
  path: [s(1700000000, 123456789), s(1800000000, 987654321)],
  fd: [s(1600000001, 1), s(4102444800, 999999999)],
  omit: [s(1600000001, 1), s(1234567890, 5)],
  link: [s(1500000000, 111111111), s(1500000001, 222222222)],
};

/** debugfs's atime/mtime of `file` in `image`: "atime: 0xSECONDS:EXTRA" (EXTRA = ns << 2 | epoch bits). */
function debugfsTimes(image: string, file: string): [bigint, bigint] {
  const r = spawnSync('debugfs', ['-R', `stat ${file}`, image], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const one = (name: string): bigint => {
    const m = new RegExp(`\\b${name}: 0x([0-9a-f]+)(?::([0-9a-f]+))?`).exec(r.stdout);
    assert.ok(m !== null, `debugfs shows ${name} of ${file}:\n${r.stdout}`);
    const low = BigInt.asIntN(32, BigInt(`0x${m[1]}`));
    const extra = m[2] === undefined ? 0n : BigInt(`0x${m[2]}`);
    return (low + (extra & 3n) * (1n << 32n)) * 1_000_000_000n + (extra >> 2n);
  };
  return [one('atime'), one('mtime')];
}

for (const preset of PRESETS) {
  test(`ns timestamps on ramfs and a host share round-trip as the host records them (${preset})`, async () => {
    const share = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-times-'));
    try {
      const before = BigInt(Date.now()) * 1_000_000n;
      const r = await sh(preset, `echo @@ram; ${PROG} /tmp/t; echo @@host; ${PROG} /host/t; echo @@; stat -c '%x|%y' /host/t`,
        { mounts: [{ host: share, guest: '/host', readOnly: false }] });
      const after = BigInt(Date.now()) * 1_000_000n;
      assert.equal(r.status, 0, r.stderr);
      const ram = parse(r.stdout, 'ram');
      for (const [what, [a, m]] of Object.entries(ASKED)) assert.deepEqual(ram.get(what), [a, m], `ramfs ${what}`);
      const [nowA, nowM] = ram.get('now')!;
      assert.ok(nowA >= before && nowA <= after, `ATIM_NOW is the time of the call (${nowA} in [${before}, ${after}])`);
      assert.equal(nowM, ASKED.omit![1], 'ATIM_NOW alone leaves mtime');
      assert.deepEqual(ram.get('target'), ram.get('now'), 'AT_SYMLINK_NOFOLLOW left the target alone');
      // The share: what the guest read is what the host has, to the nanosecond.
      const host = parse(r.stdout, 'host');
      const t = fs.statSync(path.join(share, 't'), { bigint: true });
      assert.deepEqual(host.get('target'), [t.atimeNs, t.mtimeNs]);
      // kernelkit's stat(1) and GNU stat print the same times of the file, to the nanosecond.
      const gnu = spawnSync('stat', ['-c', '%x|%y', path.join(share, 't')], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
      assert.equal(gnu.status, 0, gnu.stderr);
      assert.match(r.stdout, new RegExp(`^${gnu.stdout.trim().replace(/[.+|]/g, '\\$&')}$`, 'm'));
      // The host keeps what Node's fs.utimes can set: the time truncated to the microsecond.
      // (The link's own atime is not compared with the host's afterwards: following the
      // link reads it, and the host's relatime then moves that atime forward.)
      const us = (x: bigint | undefined): bigint => (x! / 1000n) * 1000n;
      assert.deepEqual(host.get('link'), ASKED.link!.map(us));
      for (const what of ['path', 'fd', 'omit']) assert.deepEqual(host.get(what), ASKED[what]!.map(us), `host ${what}`);
      assert.equal(noLeaks(r), undefined);
    } finally {
      fs.rmSync(share, { recursive: true, force: true });
    }
  });

  test(`ns timestamps on ext2 agree with debugfs, and e2fsck stays clean (${preset})`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-times-ext2-'));
    try {
      for (const inodeSize of [256, 128]) {
        const image = path.join(dir, `disk${inodeSize}.img`);
        const mk = spawnSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-b', '1024', '-I', String(inodeSize), image, '8M'], { encoding: 'utf8' });
        assert.equal(mk.status, 0, mk.stderr);
        // A blank disk has no /usr: the program comes from a read-only share of build/c-tests.
        const r = await sh(preset, 'echo @@disk; /w/times.wasm /t; echo @@', { disk: image, mounts: [{ host: cTests, guest: '/w', readOnly: true }] });
        assert.equal(r.status, 0, r.stderr);
        const got = parse(r.stdout, 'disk');
        assert.deepEqual(got.get('target'), debugfsTimes(image, '/t'), `inode size ${inodeSize}: /t`);
        assert.deepEqual(got.get('link'), debugfsTimes(image, '/t.link'), `inode size ${inodeSize}: /t.link`);
        // A 128-byte inode keeps whole seconds in a signed 32-bit field: 2100 is clamped to 2038, as Linux does.
        const keep = (x: bigint | undefined): bigint => {
          if (inodeSize === 256) return x!;
          const sec = x! / 1_000_000_000n;
          return (sec > 0x7fffffffn ? 0x7fffffffn : sec) * 1_000_000_000n;
        };
        for (const what of ['path', 'fd', 'omit', 'link']) assert.deepEqual(got.get(what), ASKED[what]!.map(keep), `inode size ${inodeSize}: ${what}`);
        const fsck = spawnSync('e2fsck', ['-fn', image], { encoding: 'utf8' });
        assert.equal(fsck.status, 0, `e2fsck: ${fsck.stdout}${fsck.stderr}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
