// `kernelkit boot --user NAME`: the interactive machine's shell is NAME's login shell
// (`su -l NAME`): its programs run with NAME's ids, in NAME's home, refused what root
// may do; an unknown name ends the boot with su's error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');

test('kernelkit boot --user NAME starts NAME\'s login shell in their home, with their ids', () => {
  const input = 'id -un\nid -u\npwd\necho x > /root/f; echo write=$?\nexit 3\n';
  const r = spawnSync(process.execPath, [bin, 'boot', '--user', 'user'], { input, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /\/home\/user\$ user\n/, 'id -un: a program started by the shell runs as the user');
  assert.match(r.stdout, /\$ 1000\n/, 'id -u');
  assert.match(r.stdout, /\$ \/home\/user\n/, 'the shell starts in the home directory');
  assert.match(r.stdout, /\$ write=1\n/, "root's home is not the user's to write");
  assert.match(r.stderr, /\/root\/f: Permission denied/);
});

test('kernelkit boot --user with an unknown name says so and fails', () => {
  const r = spawnSync(process.execPath, [bin, 'boot', '--user', 'nosuch'], { input: 'echo reached\n', encoding: 'utf8', timeout: 120_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /su: user nosuch does not exist/);
  assert.doesNotMatch(r.stdout, /reached/, 'no shell ran the input');
});
