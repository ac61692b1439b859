import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SERVICES, checkReply, grants } from './services.js';
import { Errno, KernelError } from './errno.js';

test('docs/services.md lists every method of every service (generated from the list)', () => {
  const doc = readFileSync(new URL('../../../docs/services.md', import.meta.url), 'utf8');
  for (const s of Object.values(SERVICES)) {
    assert.match(doc, new RegExp(`^## ${s.name}$`, 'm'));
    for (const d of s.methods) assert.match(doc, new RegExp(`\\| ${d.nr} \\| \`${d.name}\` \\|`), `${s.name}.${d.name}`);
  }
});

test('grants: a name grants its whole service, name.method one method, and log needs nothing', () => {
  assert.equal(grants(['blk'], 'blk', 'read'), true);
  assert.equal(grants(['kernel.processTable'], 'kernel', 'processTable'), true);
  assert.equal(grants(['kernel.processTable'], 'kernel', 'terminate'), false);
  assert.equal(grants(['kernel.processTable'], 'kernel'), true, 'the edge exists');
  assert.equal(grants([], 'pm', 'getpid'), false);
  assert.equal(grants([], 'kernel', 'log'), true);
});

// The one reply check (checkReply): what a faulty server may answer the kernel core.
const BAD = { corrupted: 0xbad };
const errnoOfReply = (service: string, method: string, reply: unknown, args: unknown[]): number | undefined => {
  try { checkReply(SERVICES[service]!.byName.get(method)!, service, reply, args); return undefined; } catch (e) { return e instanceof KernelError ? e.errno : -1; }
};

test('every method of pm, console, vfs and blk refuses a malformed reply with EIO', () => {
  for (const service of ['pm', 'console', 'vfs', 'blk']) {
    for (const d of SERVICES[service]!.methods) assert.equal(errnoOfReply(service, d.name, BAD, [1, new Uint8Array(4), 1]), Errno.EIO, `${service}.${d.name}`);
  }
});

test('replies in range pass; out-of-range ones (the checks beyond the shapes) fail with EIO', () => {
  const good: Record<string, [unknown, unknown[]]> = {
    fork: [{ pid: 7, pgid: 1, sid: 1 }, [1, 0, 'x']], exit: [1, [7, 0, 0]], wait: [{ pid: 7, code: 0, signal: 0 }, [1, -1, false]], kill: [[2, 3], [1, 2, 15]],
    getpid: [7, [7]], getppid: [0, [1]], setpgid: [null, [1, 0, 0]], getpgid: [7, [1, 7]], count: [3, []], setsid: [7, [7]], getsid: [0, [1, 1]],
  };
  for (const [method, [reply, args]] of Object.entries(good)) assert.equal(errnoOfReply('pm', method, reply, args), undefined, `pm.${method}`);
  const bad: Record<string, unknown> = { fork: { pid: 7, pgid: 0, sid: 1 }, exit: -1, wait: { pid: -7, code: 0, signal: 0 }, kill: [2, 0], getpid: 0, getppid: -1, setpgid: 0, getpgid: 2 ** 0.5, count: -3, setsid: 0, getsid: NaN };
  for (const [method, reply] of Object.entries(bad)) assert.equal(errnoOfReply('pm', method, reply, [1, 1, 1]), Errno.EIO, `pm.${method} answering ${JSON.stringify(reply)}`);
  assert.equal(errnoOfReply('console', 'read', new Uint8Array(10), [1, 4]), Errno.EIO, 'a console read longer than asked');
  assert.equal(errnoOfReply('console', 'write', 9, [1, new Uint8Array(4)]), Errno.EIO, 'a console write of more than was given');
  assert.equal(errnoOfReply('console', 'write', 4, [1, new Uint8Array(4)]), undefined);
  assert.equal(errnoOfReply('vfs', 'write', { written: 5, end: 5 }, [1, 0, new Uint8Array(4)]), Errno.EIO, 'a vfs write of more than was given');
  assert.equal(errnoOfReply('vfs', 'getdents', [{ name: 'a', ino: 1, type: 1 }, { name: 'b', ino: 2, type: 1 }], [1, 0, 1]), Errno.EIO, 'more entries than asked');
  assert.equal(errnoOfReply('vfs', 'resolveDir', 'tmp', [1, 'tmp', undefined]), Errno.EIO, 'a relative canonical path');
  assert.equal(errnoOfReply('vfs', 'open', { handle: -1, kind: 'file', mode: 0, rdev: 0 }, ['/', '/x', 0, 0, undefined]), Errno.EIO, 'a negative handle');
  assert.equal(errnoOfReply('vfs', 'open', { handle: 3, kind: 'pipe', mode: 0, rdev: 0 }, ['/', '/x', 0, 0, undefined]), Errno.EIO, 'an unknown kind');
  assert.equal(errnoOfReply('blk', 'read', new Uint8Array(100), [0, 1]), Errno.EIO, 'a short sector read');
  assert.equal(errnoOfReply('blk', 'read', new Uint8Array(1024), [0, 2]), undefined, 'two whole sectors');
});
