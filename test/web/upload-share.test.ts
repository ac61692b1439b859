// The upload share as the guest's hostfs driver sees it: requests by node and plain
// name only, the share's bound held against the guest's writes as against uploads,
// and a directory that cannot move beneath itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, isKernelError } from '../../src/abi/errno.js';
import type { Stat } from '../../src/abi/fs.js';
import { UploadShare, badName } from '../../src/hosts/browser/upload-share.js';

const errno = (f: () => unknown): number => {
  try { f(); } catch (e) { if (isKernelError(e)) return e.errno; throw e; }
  return 0;
};

test('names: only one plain component is a name', () => {
  for (const bad of ['', '.', '..', 'a/b', '../../etc/passwd', 'a\0b', 'x'.repeat(256)]) assert.notEqual(badName(bad), undefined, JSON.stringify(bad));
  for (const good of ['notes.txt', '.hidden', '...', 'ünï cödé', 'x'.repeat(255)]) assert.equal(badName(good), undefined, good);
  const s = new UploadShare(1024);
  assert.throws(() => s.add('../x', new Uint8Array(1)), /a name with a '\/'/);
  const root = (s.backend('attach', 0, {}) as Stat).ino;
  for (const name of ['..', '.', 'a/b', 'a\0b']) assert.equal(errno(() => s.backend('lookup', 0, { node: root, name })), Errno.EINVAL, name);
  assert.equal(errno(() => s.backend('lookup', 0, { node: 9999, name: 'x' })), Errno.ESTALE);
  assert.equal(errno(() => s.backend('attach', 1, {})), Errno.ENODEV);
});

test('the bound holds for uploads and for the guest\'s writes alike; what was written reads back', () => {
  const s = new UploadShare(4096);
  assert.match(s.refusal('big', 4097) ?? '', /too large \(4097 bytes/);
  s.add('a', new Uint8Array(3000).fill(1));
  assert.match(s.refusal('b', 1097) ?? '', /too large/);
  assert.equal(s.refusal('a', 4096), undefined, 'replacing a file frees its bytes');
  const root = (s.backend('attach', 0, {}) as Stat).ino;
  const b = (s.backend('create', 0, { node: root, name: 'b', mode: 0o644 }) as Stat).ino;
  assert.equal(s.backend('write', 0, { node: b, offset: 0, data: new Uint8Array(1000).fill(2) }), 1000);
  assert.equal(errno(() => s.backend('write', 0, { node: b, offset: 1000, data: new Uint8Array(97) })), Errno.ENOSPC);
  assert.equal(errno(() => s.backend('write', 0, { node: b, offset: 2 ** 40, data: new Uint8Array(1) })), Errno.ENOSPC);
  assert.equal(errno(() => s.backend('truncate', 0, { node: b, size: -1 })), Errno.EINVAL);
  assert.deepEqual(s.backend('read', 0, { node: b, offset: 998, length: 10 }), new Uint8Array([2, 2]));
  assert.equal(s.bytes, 4000);
  s.backend('unlink', 0, { node: root, name: 'a' });
  assert.equal(s.bytes, 1000);
  assert.deepEqual(s.names(), ['b']);
});

test('directories: no move beneath itself, rmdir only when empty, rename over a file replaces it', () => {
  const s = new UploadShare(1 << 20);
  const root = (s.backend('attach', 0, {}) as Stat).ino;
  const d = (s.backend('mkdir', 0, { node: root, name: 'd', mode: 0o755 }) as Stat).ino;
  const e = (s.backend('mkdir', 0, { node: d, name: 'e', mode: 0o755 }) as Stat).ino;
  assert.equal(errno(() => s.backend('rename', 0, { node: root, name: 'd', to: e, toName: 'd' })), Errno.EINVAL);
  assert.equal(errno(() => s.backend('rmdir', 0, { node: root, name: 'd' })), Errno.ENOTEMPTY);
  s.add('x', new Uint8Array(10));
  s.add('y', new Uint8Array(20));
  s.backend('rename', 0, { node: root, name: 'x', to: root, toName: 'y' });
  assert.deepEqual(s.names(), ['d', 'y']);
  assert.equal(s.bytes, 10);
  assert.equal(errno(() => s.backend('symlink', 0, { node: root, name: 'l', target: '/etc/passwd' })), Errno.ENOTSUP);
});

test('the number of files is bounded too: the guest gets ENOSPC, an upload is refused', () => {
  const s = new UploadShare(1 << 20, 4);
  const root = (s.backend('attach', 0, {}) as Stat).ino;
  s.backend('mkdir', 0, { node: root, name: 'a', mode: 0o755 });
  s.backend('create', 0, { node: root, name: 'b', mode: 0o644 });
  s.add('c', new Uint8Array(1));
  assert.equal(errno(() => s.backend('create', 0, { node: root, name: 'd', mode: 0o644 })), Errno.ENOSPC);
  assert.match(s.refusal('e', 1) ?? '', /at most 4 files/);
  assert.equal(s.refusal('c', 2), undefined, 'replacing a file needs no new one');
  s.backend('unlink', 0, { node: root, name: 'b' });
  s.backend('create', 0, { node: root, name: 'd', mode: 0o644 });
});
