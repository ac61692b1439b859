// Host directories shared with --mount: read and write both ways, read-only shares,
// and no way out of the share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sh, noLeaks, PRESETS } from './harness.js';

for (const preset of PRESETS) {
  test(`hostfs on ${preset}`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-share-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-outside-'));
    fs.writeFileSync(path.join(outside, 'secret'), 'not for guests');
    fs.writeFileSync(path.join(dir, 'in.txt'), 'from the host\n');
    fs.symlinkSync(outside, path.join(dir, 'escape'));
    const big = Buffer.alloc(600_000, 7);
    fs.writeFileSync(path.join(dir, 'big.bin'), big);
    const ro = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-ro-'));
    fs.writeFileSync(path.join(ro, 'r.txt'), 'read only\n');
    try {
      const r = await sh(preset, [
        'cat /host/in.txt', 'echo made inside > /host/out.txt', 'mkdir /host/d', 'mv /host/out.txt /host/d/moved.txt',
        'wc -c < /host/big.bin', 'cp /host/big.bin /host/copy.bin',
        'cat /host/escape/secret; echo escape=$?', 'cat /ro/r.txt', 'echo x > /ro/new; echo ro=$?',
      ].join('; '), { mounts: [{ host: dir, guest: '/host', readOnly: false }, { host: ro, guest: '/ro', readOnly: true }] });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^from the host$/m);
      assert.equal(fs.readFileSync(path.join(dir, 'd/moved.txt'), 'utf8'), 'made inside\n');
      assert.match(r.stdout, /^600000$/m);
      assert.deepEqual(fs.readFileSync(path.join(dir, 'copy.bin')), big);
      assert.doesNotMatch(r.stdout, /not for guests/);
      assert.match(r.stdout, /^escape=1$/m);
      assert.match(r.stdout, /^read only$/m);
      assert.match(r.stdout, /^ro=1$/m);
      assert.match(r.stderr, /Read-only file system/);
      assert.equal(fs.existsSync(path.join(ro, 'new')), false);
      assert.equal(noLeaks(r), undefined);
    } finally {
      for (const d of [dir, outside, ro]) fs.rmSync(d, { recursive: true, force: true });
    }
  });
}
