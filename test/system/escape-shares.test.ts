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
import { sh, noLeaks, PRESETS } from './harness.js';

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

for (const preset of PRESETS) {
  test(`escape-shares: host shares and WASI preopens hold on ${preset}`, async () => {
    const share = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-esc-share-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-esc-outside-'));
    const canary = path.join(outside, 'secret');
    fs.writeFileSync(canary, 'canary: not for guests\n');
    // An old time, so that any change by the attack shows in the fingerprint.
    fs.utimesSync(canary, 1_500_000_000, 1_500_000_000);
    // Symlinks made on the host side that point out of the share.
    fs.symlinkSync(outside, path.join(share, 'hostlink'));
    fs.symlinkSync(canary, path.join(share, 'hostfile'));
    const before = treeFingerprint(outside);
    // Reading the canary for its hash moved its atime: put it back (lstat comes first in a fingerprint).
    fs.utimesSync(canary, 1_500_000_000, 1_500_000_000);
    const rel = path.relative('/', outside);
    try {
      const r = await sh(preset, [
        // Bugs 1: a swapped name (reads, appends, ftruncate) and utimensat NOFOLLOW.
        `env KERNELKIT_WASI_PREOPENS=share=/host /usr/lib/wasi-tests/escape.wasm share share ${canary}; echo share=$?`,
        // Bug 2: a directory fd under a preopen, renamed away and replaced by a link to '/'.
        'mkdir /tmp/box; echo guest secret > /tmp/secret',
        'env KERNELKIT_WASI_PREOPENS=box=/tmp/box /usr/lib/wasi-tests/escape.wasm preopen box tmp/secret; echo preopen=$?',
        'cat /tmp/secret; cat /planted; echo planted=$?; cat /tmp/box/moved/planted',
        // Host-made links resolve in the guest's namespace, where the outside does not exist.
        'cat /host/hostfile; echo hostfile=$?', 'cat /host/hostlink/secret; echo hostlink=$?',
        'echo x > /host/hostlink/new; echo hostnew=$?', 'touch /host/hostfile; echo touch=$?',
        // '..' climbs out of the share into the guest's own tree, never the host's.
        `cat /host/../${rel}/secret; echo climb=$?`, `cat /host/../../../../../../../${rel}/secret; echo climb2=$?`,
        // Guest-made links, absolute and relative, pointing at the host path.
        `ln -s ${canary} /host/glink; cat /host/glink; echo glink=$?`,
        `ln -s ../../../../../../../${rel} /host/rlink; cat /host/rlink/secret; echo rlink=$?; echo y > /host/rlink/new; echo rnew=$?`,
      ].join('; '), { mounts: [{ host: share, guest: '/host', readOnly: false }] });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^ok escape-share\nshare=0$/m, r.stdout + r.stderr);
      assert.match(r.stdout, /^ok escape\npreopen=0$/m, r.stdout + r.stderr);
      assert.match(r.stdout, /^guest secret$/m, 'the guest-side canary is intact');
      assert.match(r.stdout, /^planted=1$/m, 'nothing was created at /planted');
      assert.match(r.stdout, /^planted$/m, 'the O_CREAT through the directory fd landed in the moved directory');
      for (const k of ['hostfile', 'hostlink', 'hostnew', 'climb', 'climb2', 'glink', 'rlink', 'rnew']) assert.match(r.stdout, new RegExp(`^${k}=1$`, 'm'), k);
      assert.doesNotMatch(r.stdout, /canary: not for guests/);
      // touch through a host-made link: the guest namespace has no such target; it
      // creates nothing outside (checked below) whatever it answers.
      assert.match(r.stdout, /^touch=\d+$/m);
      // The outside is exactly as it was: content, size, times, links, no new names.
      assert.deepEqual(treeFingerprint(outside), before);
      // What the attack did stayed in the share: f is the guest's symlink, l2 has the link's own times.
      assert.equal(fs.readlinkSync(path.join(share, 'f')), canary);
      assert.equal(fs.lstatSync(path.join(share, 'l2')).mtimeMs, 1_000_000_000_000);
      assert.equal(noLeaks(r), undefined);
      // Every host descriptor the share used is closed again.
      assert.equal(fdsUnder(share), 0);
    } finally {
      for (const d of [share, outside]) fs.rmSync(d, { recursive: true, force: true });
    }
  });
}
