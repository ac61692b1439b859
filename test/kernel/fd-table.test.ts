// The descriptor table of a dying process: a syscall still in flight at the death (an
// open waiting for vfs, an accept) must not install into it, or its file would be
// left open for ever (the kernel's leak report counts it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FdTable, OpenFile } from '../../src/kernel/fs/file.js';
import { Errno, KernelError } from '../../src/abi/errno.js';
import { O } from '../../src/abi/fs.js';

const file = (): OpenFile => new OpenFile('pipe', O.RDONLY, 'pipe:[r]', {});
const errno = (f: () => unknown): number | undefined => { try { f(); return undefined; } catch (e) { return e instanceof KernelError ? e.errno : -1; } };

test('a shut descriptor table refuses new descriptors (EBADF) and still lets the exit path remove the old ones', () => {
  const t = new FdTable(16);
  assert.equal(t.install(file()), 0);
  assert.equal(t.install(file()), 1);
  t.shut();
  assert.equal(errno(() => t.install(file())), Errno.EBADF, 'install after shut');
  assert.equal(errno(() => t.replace(5, file())), Errno.EBADF, 'replace (dup2) after shut');
  assert.deepEqual(t.list().map(([fd]) => fd), [0, 1], 'nothing was added');
  for (const [fd] of t.list()) t.remove(fd);
  assert.equal(t.count, 0);
});
