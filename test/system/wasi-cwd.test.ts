// A WASI program started by the shell in a directory other than '/' (docs/wasi.md,
// "The working directory"): relative names are the cwd's, absolute names the root's,
// on every preset. /home/tmp exists, so a guess by the first path component would
// send /tmp/abs.db to /home/tmp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh, noLeaks, PRESETS } from './harness.js';

for (const preset of PRESETS) {
  test(`sqlite3 run in /home: relative names in /home, absolute ones from / (${preset})`, async () => {
    const r = await sh(preset, [
      'mkdir -p /home/tmp /home/sub; cd /home',
      'sqlite3 rel.db "create table x(a); insert into x values (1); select * from x;"',
      'sqlite3 /tmp/abs.db "create table y(a); insert into y values (2); select * from y;"',
      'cd sub; sqlite3 ../rel.db "select a + 10 from x;"; cd /',
      'ls /home/rel.db /tmp/abs.db; ls /home/tmp | wc -l; ls /home/sub | wc -l',
    ].join('; '));
    assert.equal(r.stdout, '1\n2\n11\n/home/rel.db\n/tmp/abs.db\n0\n0\n', r.stdout + r.stderr);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(noLeaks(r), undefined);
  });
}
