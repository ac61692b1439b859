// Two bugs a new user hit around /proc, each with its regression test by name, on
// every preset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sh, noLeaks, PRESETS } from './harness.js';

// What GNU ls shows for its own /proc/self/fd: 0, 1, 2 and the directory it is reading.
const gnu = spawnSync('ls', ['-l', '/proc/self/fd'], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
const links = (out: string): [string, string][] => out.split('\n').filter((l) => / -> /.test(l)).map((l) => [l.split(' -> ')[0]!.split(' ').pop()!, l.split(' -> ')[1]!]);
// The standard three and the directory being read (the host's ls may inherit more from the test runner).
const names = (out: string): string[] => links(out).filter(([n, t]) => Number(n) < 3 || /^\/proc\/\d+\/fd$/.test(t)).map(([n]) => n);
const targetOf3 = (out: string): string | undefined => out.split('\n').find((l) => / 3 -> /.test(l))?.split(' -> ')[1];

for (const preset of PRESETS) {
  test(`ls closes a directory before looking at its entries, so ls /proc/self/fd reports its own fd 3 as missing (${preset})`, async () => {
    assert.equal(gnu.status, 0, gnu.stderr);
    const r = await sh(preset, 'ls -l /proc/self/fd; echo rc=$?');
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /cannot access/);
    assert.match(r.stdout, /^rc=0$/m);
    assert.deepEqual(names(r.stdout), names(gnu.stdout), `GNU ls lists ${names(gnu.stdout).join(' ')}`);
    // Both show fd 3 as the directory being listed, /proc/PID/fd.
    assert.match(targetOf3(gnu.stdout) ?? '', /^\/proc\/\d+\/fd$/);
    assert.match(targetOf3(r.stdout) ?? '', /^\/proc\/\d+\/fd$/);
    assert.equal(noLeaks(r), undefined);
  });

  test(`/proc/mounts cannot show ro for a read-only share (${preset})`, async () => {
    const ro = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-ro-'));
    const rw = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-rw-'));
    try {
      const r = await sh(preset, 'cat /proc/mounts; echo x > /ro/f; echo ro-write=$?; echo x > /rw/f; echo rw-write=$?',
        { mounts: [{ host: ro, guest: '/ro', readOnly: true }, { host: rw, guest: '/rw', readOnly: false }] });
      assert.equal(r.status, 0, r.stderr);
      const line = (target: string): string[] | undefined => r.stdout.split('\n').map((l) => l.split(' ')).find((f) => f[1] === target);
      // The option shown is what the share does: writes fail on the ro one only.
      assert.equal(line('/ro')?.[3], 'ro');
      assert.match(r.stdout, /^ro-write=1$/m);
      assert.equal(fs.existsSync(path.join(ro, 'f')), false);
      assert.equal(line('/rw')?.[3], 'rw');
      assert.match(r.stdout, /^rw-write=0$/m);
      assert.equal(fs.readFileSync(path.join(rw, 'f'), 'utf8'), 'x\n');
      assert.equal(line('/proc')?.[3], 'ro');
      assert.equal(line('/')?.[3], 'rw');
      assert.equal(noLeaks(r), undefined);
    } finally {
      for (const d of [ro, rw]) fs.rmSync(d, { recursive: true, force: true });
    }
  });
}
