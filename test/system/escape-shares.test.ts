// Escapes from host shares and WASI preopens, tried as an attacker would, on every
// preset. Canary files outside the share (in a tmp dir of the test's own) are
// fingerprinted before the run and compared after it; the attacker is
// test/c/escape.c (built to /usr/lib/wasi-tests/escape.wasm) plus shell commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { sh, noLeaks, PRESETS, type RunResult } from './harness.js';
import type { MachineOptions } from '../../src/hosts/node/machine.js';

// Everything about a host file that an escape could change.
function fingerprint(p: string): string {
  const st = fs.lstatSync(p, { bigint: true });
  const data = st.isFile() ? createHash('sha256').update(fs.readFileSync(p)).digest('hex') : '';
  return `${st.mode} ${st.size} ${st.mtimeNs} ${st.atimeNs} ${st.nlink} ${data}`;
}

function treeFingerprint(dir: string): string[] {
  return fs.readdirSync(dir).sort().map((n) => `${n}: ${fingerprint(path.join(dir, n))}`);
}

// Host descriptors of this process open on something under `dir` (the share's nodes).
function fdsUnder(dir: string): number {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try { if (fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++; } catch { /* closed meanwhile */ }
  }
  return n;
}

interface Canary { share: string; outside: string; canary: string; rel: string; before: string[] }

// A share, and outside it a canary directory fingerprinted before the attack.
function setUp(): Canary {
  const share = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-esc-share-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-esc-outside-'));
  const canary = path.join(outside, 'secret');
  fs.writeFileSync(canary, 'canary: not for guests\n');
  // An old time, so that any change by the attack shows in the fingerprint.
  fs.utimesSync(canary, 1_500_000_000, 1_500_000_000);
  const before = treeFingerprint(outside);
  // Reading the canary for its hash moved its atime: put it back (lstat comes first in a fingerprint).
  fs.utimesSync(canary, 1_500_000_000, 1_500_000_000);
  return { share, outside, canary, rel: path.relative('/', outside), before };
}

// The outside is exactly as it was (content, size, times, links, no new names), the
// guest never printed the canary, nothing leaked, every host descriptor is closed.
function checkOutside(c: Canary, r: RunResult): void {
  assert.doesNotMatch(r.stdout, /canary: not for guests/);
  assert.deepEqual(treeFingerprint(c.outside), c.before);
  assert.equal(noLeaks(r), undefined);
  assert.equal(fdsUnder(c.share), 0, 'host descriptors of the share are all closed');
}

const tearDown = (c: Canary): void => { for (const d of [c.share, c.outside]) fs.rmSync(d, { recursive: true, force: true }); };
const mounts = (c: Canary): Partial<MachineOptions> => ({ mounts: [{ host: c.share, guest: '/host', readOnly: false }] });

for (const preset of PRESETS) {
  test(`share-swapped-name-reaches-outside-file: reads, appends, ftruncate and utimensat NOFOLLOW stay in the share (${preset})`, async () => {
    const c = setUp();
    try {
      const r = await sh(preset, `env KERNELKIT_WASI_PREOPENS=share=/host /usr/lib/wasi-tests/escape.wasm share share ${c.canary}; echo share=$?`, mounts(c));
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^ok escape-share\nshare=0$/m, r.stdout + r.stderr);
      // What the attack did stayed in the share: f is the guest's symlink (one that climbs
      // to the canary: a link to an absolute path cannot be made, as under wasmtime), l2
      // has the link's own times.
      assert.equal(path.resolve(c.share, fs.readlinkSync(path.join(c.share, 'f'))), c.canary);
      assert.equal(fs.lstatSync(path.join(c.share, 'l2')).mtimeMs, 1_000_000_000_000);
      checkOutside(c, r);
    } finally {
      tearDown(c);
    }
  });

  test(`wasi-dirfd-renamed-and-replaced-by-symlink-escapes-preopen (${preset})`, async () => {
    const c = setUp();
    try {
      const r = await sh(preset, [
        'mkdir /tmp/box; echo guest secret > /tmp/secret',
        'env KERNELKIT_WASI_PREOPENS=box=/tmp/box /usr/lib/wasi-tests/escape.wasm preopen box tmp/secret; echo preopen=$?',
        'cat /tmp/secret; cat /planted; echo planted=$?; cat /tmp/box/moved/planted',
      ].join('; '), mounts(c));
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^ok escape\npreopen=0$/m, r.stdout + r.stderr);
      assert.match(r.stdout, /^guest secret$/m, 'the guest-side canary is intact');
      assert.match(r.stdout, /^planted=1$/m, 'nothing was created at /planted');
      assert.match(r.stdout, /^planted$/m, 'the O_CREAT through the directory fd landed in the moved directory');
      checkOutside(c, r);
    } finally {
      tearDown(c);
    }
  });

  test(`share-host-links-and-dotdot-resolve-in-the-guest-namespace (${preset})`, async () => {
    const c = setUp();
    // Symlinks made on the host side that point out of the share.
    fs.symlinkSync(c.outside, path.join(c.share, 'hostlink'));
    fs.symlinkSync(c.canary, path.join(c.share, 'hostfile'));
    try {
      const r = await sh(preset, [
        'cat /host/hostfile; echo hostfile=$?', 'cat /host/hostlink/secret; echo hostlink=$?',
        'echo x > /host/hostlink/new; echo hostnew=$?',
        // '..' climbs out of the share into the guest's own tree, never the host's.
        `cat /host/../${c.rel}/secret; echo climb=$?`, `cat /host/../../../../../../../${c.rel}/secret; echo climb2=$?`,
        // Guest-made links, absolute and relative, pointing at the host path.
        `ln -s ${c.canary} /host/glink; cat /host/glink; echo glink=$?; echo z >> /host/glink; echo gappend=$?`,
        `ln -s ../../../../../../../${c.rel} /host/rlink; cat /host/rlink/secret; echo rlink=$?; echo y > /host/rlink/new; echo rnew=$?`,
        'touch /host/hostfile; echo touch=$?',
      ].join('; '), mounts(c));
      assert.equal(r.status, 0, r.stderr);
      for (const k of ['hostfile', 'hostlink', 'hostnew', 'climb', 'climb2', 'glink', 'gappend', 'rlink', 'rnew', 'touch']) assert.match(r.stdout, new RegExp(`^${k}=1$`, 'm'), k);
      checkOutside(c, r);
    } finally {
      tearDown(c);
    }
  });

  test(`share-host-descriptors-bounded: evicted nodes are looked up again (${preset})`, async () => {
    const c = setUp();
    try {
      const names = Array.from({ length: 40 }, (_, i) => `f${i}`).join(' ');
      const r = await sh(preset, [
        `mkdir /host/many; for n in ${names}; do echo $n > /host/many/$n; done`,
        'cat /host/many/f* | wc -l', 'mv /host/many /host/moved; cat /host/moved/f39', 'rm -r /host/moved; echo rm=$?',
      ].join('; '), { ...mounts(c), params: { hostfsOpenNodes: 8 } });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^40\nf39\nrm=0$/m, r.stdout + r.stderr);
      assert.deepEqual(fs.readdirSync(c.share), []);
      checkOutside(c, r);
    } finally {
      tearDown(c);
    }
  });
}
