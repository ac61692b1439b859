// The cases of usertests (bin/usertests.ts): each throws to fail.

import * as libc from '../libc/index.js';
import { O, Errno, SysError, F } from '../libc/index.js';
import { SYS } from '../../abi/syscalls.js';
import { USER_MEMORY_BYTES } from '../../abi/trap.js';
import { scratch } from '../libc/trap.js';

export const TESTS: Record<string, () => void> = {};

export function expectErrno(errno: number, fn: () => unknown, what: string): void {
  try { fn(); } catch (e) {
    if (e instanceof SysError && e.errno === errno) return;
    throw new Error(`${what}: expected ${libc.errnoName(errno)}, got ${e instanceof SysError ? e.code : String(e)}`);
  }
  throw new Error(`${what}: expected ${libc.errnoName(errno)}, but it succeeded`);
}

export function check(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(what);
}

TESTS.nullcall = () => { check(libc.nullSyscall() === 0, 'null syscall returns 0'); };

TESTS.getpid = () => {
  const pid = libc.getpid();
  check(pid > 1 && libc.getpid() === pid, 'getpid is stable and not init');
  check(libc.getppid() > 0, 'has a parent');
};

const enc = new TextEncoder();
const dec = new TextDecoder();
const tmp = (name: string): string => `/tmp/ut-${libc.getpid()}-${name}`;

TESTS.files = () => {
  const path = tmp('f');
  const fd = libc.open(path, O.RDWR | O.CREAT | O.EXCL, 0o644);
  check(libc.write(fd, 'hello, kernel') === 13, 'write returns the count');
  check(libc.lseek(fd, 0, 0) === 0, 'lseek to 0');
  check(dec.decode(libc.read(fd, 100)) === 'hello, kernel', 'read back what was written');
  check(libc.read(fd, 100).length === 0, 'end of file reads empty');
  check(libc.pwrite(fd, enc.encode('K'), 7) === 1, 'pwrite');
  check(dec.decode(libc.pread(fd, 6, 7)) === 'Kernel', 'pread sees the pwrite');
  check(libc.fstat(fd).size === 13, 'fstat size');
  libc.ftruncate(fd, 5);
  check(libc.stat(path).size === 5, 'ftruncate shrinks');
  libc.close(fd);
  expectErrno(Errno.EEXIST, () => libc.open(path, O.WRONLY | O.CREAT | O.EXCL), 'O_EXCL on an existing file');
  const a = libc.open(path, O.WRONLY | O.APPEND);
  libc.write(a, '!!');
  libc.close(a);
  check(dec.decode(libc.readFile(path)) === 'hello!!', 'O_APPEND writes at the end');
  libc.unlink(path);
  expectErrno(Errno.ENOENT, () => libc.stat(path), 'stat after unlink');
};

TESTS.bigfile = () => {
  const path = tmp('big');
  const data = new Uint8Array(300 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 9)) & 0xff;
  libc.writeFile(path, data);
  const back = libc.readFile(path);
  check(back.length === data.length, `size ${back.length}`);
  for (let i = 0; i < data.length; i++) if (back[i] !== data[i]) throw new Error(`byte ${i} differs`);
  libc.unlink(path);
};

TESTS.unlinkopen = () => {
  const path = tmp('uo');
  libc.writeFile(path, 'still here');
  const fd = libc.open(path);
  libc.unlink(path);
  check(dec.decode(libc.read(fd, 100)) === 'still here', 'an unlinked open file stays readable');
  libc.close(fd);
};

// What a descriptor grants, whichever path serves the call (the kernel's, or the direct
// path to vfs's server under microkernel): its rights, its shared offset, and nothing
// after close.
TESTS.fdrights = () => {
  const path = tmp('fr');
  libc.writeFile(path, 'abcdef');
  const ro = libc.open(path, O.RDONLY);
  const wo = libc.open(path, O.WRONLY);
  expectErrno(Errno.EBADF, () => libc.write(ro, 'x'), 'write on a read-only descriptor');
  expectErrno(Errno.EBADF, () => libc.pwrite(ro, enc.encode('x'), 0), 'pwrite on a read-only descriptor');
  expectErrno(Errno.EBADF, () => libc.read(wo, 4), 'read on a write-only descriptor');
  expectErrno(Errno.EBADF, () => libc.pread(wo, 4, 0), 'pread on a write-only descriptor');
  // A pointer outside the process's memory is EFAULT, not a write anywhere.
  expectErrno(Errno.EFAULT, () => { const r = libc.syscall(SYS.read, ro, USER_MEMORY_BYTES - 2, 8); if (r < 0) throw new SysError(-r, 'read'); }, 'read into a range past user memory');
  expectErrno(Errno.EFAULT, () => { const r = libc.syscall(SYS.fstat, ro, -8); if (r < 0) throw new SysError(-r, 'fstat'); }, 'fstat into a negative pointer');
  // Descriptors share their open file's offset: a dup, and a child's inherited copy.
  const d = libc.dup(ro);
  check(dec.decode(libc.read(ro, 2)) === 'ab', 'first read');
  check(dec.decode(libc.read(d, 2)) === 'cd', 'the dup reads on at the shared offset');
  libc.close(ro);
  expectErrno(Errno.EBADF, () => libc.read(ro, 2), 'read after close');
  expectErrno(Errno.EBADF, () => libc.fstat(ro), 'fstat after close');
  expectErrno(Errno.EBADF, () => libc.lseek(ro, 0, 0), 'lseek after close');
  check(dec.decode(libc.read(d, 10)) === 'ef', 'the dup lives on after the original closes');
  check(libc.lseek(d, -2, 2) === 4, 'lseek from the end');
  expectErrno(Errno.EINVAL, () => libc.lseek(d, -10, 1), 'lseek before the start');
  expectErrno(Errno.EINVAL, () => libc.lseek(d, 0, 7), 'lseek with a bad whence');
  check(dec.decode(libc.pread(d, 3, 1)) === 'bcd', 'pread at an offset');
  check(dec.decode(libc.read(d, 10)) === 'ef', 'pread leaves the offset');
  // A descriptor replaced by dup2 names the new file at once.
  const other = tmp('fr2');
  libc.writeFile(other, 'XYZ');
  const o = libc.open(other);
  libc.dup2(o, d);
  check(dec.decode(libc.read(d, 10)) === 'XYZ', 'dup2 over a descriptor: reads the new file');
  libc.close(o);
  libc.close(d);
  // A descriptor above the direct path's range works the same.
  const hi = libc.dup2(wo, 100);
  check(libc.write(hi, 'AB') === 2, 'write through descriptor 100');
  libc.close(hi);
  // A child writes through its inherited copy; the parent's writes follow on.
  libc.lseek(wo, 0, 2);
  check(libc.write(wo, '1') === 1, 'parent writes');
  const pid = libc.spawn('/bin/echo', { argv: ['echo', '2'], fds: [[1, wo], [2, 2]], env: { PATH: '/bin' } });
  check(libc.wait(pid)?.code === 0, 'the child ran');
  check(libc.write(wo, '3') === 1, 'parent writes after the child');
  // O_APPEND set with fcntl: every write lands at the end.
  libc.fcntl(wo, F.SETFL, O.APPEND);
  libc.lseek(wo, 0, 0);
  libc.write(wo, '4');
  check(dec.decode(libc.readFile(path)) === 'ABcdef12\n34', `the file holds every write in order, got ${JSON.stringify(dec.decode(libc.readFile(path)))}`);
  libc.close(wo);
  libc.unlink(path);
  libc.unlink(other);
};

TESTS.dirs = () => {
  const d = tmp('d');
  libc.mkdir(d);
  libc.mkdir(`${d}/sub`);
  libc.writeFile(`${d}/sub/x`, 'x');
  expectErrno(Errno.ENOTEMPTY, () => libc.rmdir(`${d}/sub`), 'rmdir of a non-empty dir');
  expectErrno(Errno.EEXIST, () => libc.mkdir(d), 'mkdir of an existing dir');
  expectErrno(Errno.ENOTDIR, () => libc.mkdir(`${d}/sub/x/y`), 'mkdir under a file');
  const names = libc.readdir(`${d}/sub`).map((e) => e.name).sort();
  check(names.join(',') === '.,..,x', `readdir lists . .. x, got ${names.join(',')}`);
  libc.chdir(`${d}/sub`);
  check(libc.getcwd() === `${d}/sub`, `getcwd after chdir: ${libc.getcwd()}`);
  libc.chdir('..');
  check(libc.getcwd() === d, 'chdir ..');
  libc.chdir('/');
  libc.rename(`${d}/sub/x`, `${d}/y`);
  check(dec.decode(libc.readFile(`${d}/y`)) === 'x', 'rename across directories');
  libc.unlink(`${d}/y`);
  libc.rmdir(`${d}/sub`);
  libc.rmdir(d);
};

TESTS.manyentries = () => {
  const d = tmp('many');
  libc.mkdir(d);
  for (let i = 0; i < 500; i++) libc.writeFile(`${d}/f${i}`, String(i));
  const names = libc.readdir(d).filter((e) => e.name.startsWith('f'));
  check(names.length === 500, `500 entries, got ${names.length}`);
  for (let i = 0; i < 500; i++) libc.unlink(`${d}/f${i}`);
  libc.rmdir(d);
};

TESTS.links = () => {
  const f = tmp('l');
  libc.writeFile(f, 'data');
  libc.link(f, `${f}.hard`);
  check(libc.stat(f).nlink === 2, 'link count 2');
  libc.symlink(f, `${f}.soft`);
  check(libc.readlink(`${f}.soft`) === f, 'readlink');
  check(dec.decode(libc.readFile(`${f}.soft`)) === 'data', 'read through a symlink');
  check((libc.lstat(`${f}.soft`).mode & 0o170000) === 0o120000, 'lstat sees the link');
  libc.unlink(f);
  check(dec.decode(libc.readFile(`${f}.hard`)) === 'data', 'hard link survives unlink');
  expectErrno(Errno.ENOENT, () => libc.readFile(`${f}.soft`), 'dangling symlink');
  libc.unlink(`${f}.hard`);
  libc.unlink(`${f}.soft`);
};

TESTS.pipes = () => {
  const [r, w] = libc.pipe();
  libc.write(w, 'through the pipe');
  check(dec.decode(libc.read(r, 100)) === 'through the pipe', 'pipe carries bytes');
  libc.close(w);
  check(libc.read(r, 100).length === 0, 'EOF after the last writer closes');
  libc.close(r);
  const [r2, w2] = libc.pipe();
  libc.close(r2);
  libc.signal(libc.Signal.SIGPIPE, 'ignore');
  expectErrno(Errno.EPIPE, () => libc.write(w2, 'x'), 'write with no reader');
  libc.signal(libc.Signal.SIGPIPE, 'default');
  libc.close(w2);
};

TESTS.pipechild = () => {
  // A child writes into a pipe the parent reads: fd inheritance through spawn.
  const [r, w] = libc.pipe();
  const pid = libc.spawn('/bin/usertests', { argv: ['usertests', '--child-echo'], fds: [[1, w], [2, 2]] });
  libc.close(w);
  const got = dec.decode(libc.readAll(r));
  libc.close(r);
  const st = libc.wait(pid)!;
  check(st.pid === pid && st.code === 7, `child exit status 7, got ${st.code}`);
  check(got === 'child says hi\n', `read from child: ${JSON.stringify(got)}`);
};

TESTS.exitstatus = () => {
  const pid = libc.spawn('/bin/usertests', { argv: ['usertests', '--exit', '42'] });
  const st = libc.wait(pid)!;
  check(st.code === 42 && st.signal === 0, `exit 42, got ${st.code}/${st.signal}`);
  expectErrno(Errno.ECHILD, () => libc.wait(-1), 'wait with no children');
};

// A spawn that fails leaves no child behind: pm registers the child while vfs reads its
// program, so a program that cannot run must be taken back out (wait finds nobody).
TESTS.spawnfail = () => {
  const d = tmp('spawnfail');
  libc.mkdir(d);
  libc.writeFile(`${d}/junk`, 'not a program');
  libc.chmod(`${d}/junk`, 0o755);
  libc.writeFile(`${d}/script`, '#!/nonexistent/interpreter\n');
  libc.chmod(`${d}/script`, 0o755);
  libc.writeFile(`${d}/noexec`, '#!/bin/sh\n');
  libc.chmod(`${d}/noexec`, 0o644);
  expectErrno(Errno.ENOENT, () => libc.spawn(`${d}/missing`), 'a missing program');
  expectErrno(Errno.ENOEXEC, () => libc.spawn(`${d}/junk`), 'a file that is no program');
  expectErrno(Errno.ENOENT, () => libc.spawn(`${d}/script`), 'a script whose interpreter is missing');
  expectErrno(Errno.EACCES, () => libc.spawn(`${d}/noexec`), 'a file without the execute bit');
  expectErrno(Errno.EISDIR, () => libc.spawn(d), 'a directory');
  expectErrno(Errno.EBADF, () => libc.spawn('/bin/true', { fds: [[0, 99]] }), 'a descriptor the caller does not have');
  // WNOHANG: a child left behind would never exit, and a blocking wait would never return.
  expectErrno(Errno.ECHILD, () => libc.wait(-1, libc.WNOHANG), 'wait after the failed spawns');
  // And the next one runs and is the only child.
  const pid = libc.spawn('/bin/usertests', { argv: ['usertests', '--exit', '3'] });
  const st = libc.wait(-1)!;
  check(st.pid === pid && st.code === 3, `the child after them: pid ${st.pid} status ${st.code}`);
  expectErrno(Errno.ECHILD, () => libc.wait(-1), 'wait after the last child');
  for (const f of ['junk', 'script', 'noexec']) libc.unlink(`${d}/${f}`);
  libc.rmdir(d);
};

TESTS.signals = () => {
  const pid = libc.spawn('/bin/usertests', { argv: ['usertests', '--sleep'] });
  libc.kill(pid, libc.Signal.SIGTERM);
  const st = libc.wait(pid)!;
  check(st.signal === libc.Signal.SIGTERM, `killed by SIGTERM, got signal ${st.signal}`);
  expectErrno(Errno.ESRCH, () => libc.kill(pid, 0), 'kill of a reaped pid');
  let got = 0;
  libc.signal(libc.Signal.SIGUSR1, () => { got++; });
  libc.kill(libc.getpid(), libc.Signal.SIGUSR1);
  libc.getpid(); // the handler runs on the way back from a syscall
  check(got === 1, `handler ran once, ran ${got}`);
  libc.signal(libc.Signal.SIGUSR1, 'default');
};

TESTS['wait-is-interrupted-by-a-handled-signal'] = () => {
  // A handled signal ends a blocking wait with EINTR (its handler runs on the way out);
  // the child is still there for the next wait.
  const sleeper = libc.spawn('/bin/usertests', { argv: ['usertests', '--sleep'] });
  let got = 0;
  libc.signal(libc.Signal.SIGUSR1, () => { got++; });
  // Signals keep coming until one finds the wait blocked (however loaded the host).
  const sender = libc.spawn('/bin/sh', { argv: ['sh', '-c', `while :; do /bin/sleep 0.1; kill -USR1 ${libc.getpid()}; done`] });
  try {
    expectErrno(Errno.EINTR, () => libc.wait(sleeper), 'wait for a sleeping child while a signal arrives');
    check(got >= 1, `the handler ran, ${got} times`);
  } finally {
    // Ignored while the sender is stopped: one more may be on its way.
    libc.signal(libc.Signal.SIGUSR1, 'ignore');
    libc.kill(sender, libc.Signal.SIGKILL);
    libc.wait(sender);
    libc.signal(libc.Signal.SIGUSR1, 'default');
    libc.kill(sleeper, libc.Signal.SIGKILL);
  }
  const st = libc.wait(sleeper)!;
  check(st.pid === sleeper && st.signal === libc.Signal.SIGKILL, `the sleeper is reaped after the EINTR, killed: ${st.signal}`);
};

TESTS.badargs = () => {
  expectErrno(Errno.EBADF, () => libc.close(999), 'close of a bad fd');
  expectErrno(Errno.EBADF, () => libc.read(-1, 10), 'read of a negative fd');
  const raw = (nr: number, ...args: number[]): void => { const r = libc.syscall(nr, ...args); if (r < 0) throw new SysError(-r, 'raw'); };
  expectErrno(Errno.EFAULT, () => raw(SYS.read, 0, 1 << 30, 10), 'read into a pointer past user memory');
  expectErrno(Errno.EFAULT, () => raw(SYS.write, 1, -5, 10), 'write from a negative pointer');
  expectErrno(Errno.EFAULT, () => raw(SYS.open, 0.5, 3, 0, 0), 'open with a fractional pointer');
  expectErrno(Errno.EFAULT, () => raw(SYS.netinfo, 1 << 30, 4096), 'netinfo into a pointer past user memory');
  expectErrno(Errno.ERANGE, () => raw(SYS.netinfo, scratch(16), 1), 'netinfo into a one-byte buffer');
  expectErrno(Errno.EFAULT, () => raw(SYS.sockets, -8, 4096), 'sockets into a negative pointer');
  expectErrno(Errno.ENOSYS, () => raw(9999), 'unknown syscall number');
  expectErrno(Errno.EINVAL, () => raw(SYS.lseek, 0, 0, 99), 'lseek with a bad whence');
  expectErrno(Errno.ENOENT, () => libc.open('/no/such/file'), 'open of a missing path');
  expectErrno(Errno.EINVAL, () => raw(SYS.spawn, 0, 4), 'spawn with a garbage request');
  check(libc.getpid() > 0, 'still alive after bad calls');
};

// ---- users and permissions (each case runs in its own process, so dropping root ends with it) ----

TESTS['setuid-posix-rules'] = () => {
  check(libc.getuid() === 0 && libc.geteuid() === 0, 'usertests runs as root');
  expectErrno(Errno.EINVAL, () => libc.setuid(-5), 'setuid of a negative id');
  expectErrno(Errno.EINVAL, () => libc.setuid(1.5), 'setuid of a fractional id');
  // Root keeps a way back only through the saved id: setresuid drops effective only.
  libc.setresuid(-1, 1000, -1);
  check(libc.getuid() === 0 && libc.geteuid() === 1000, 'setresuid changed only the effective uid');
  expectErrno(Errno.EPERM, () => libc.mount('none', '/mnt', 'ramfs'), 'mount with euid 1000');
  libc.setuid(0); // real and saved are 0: allowed for an ordinary effective uid
  check(libc.geteuid() === 0, 'back to root through the real/saved uid');
  libc.setgroups([100, 6]);
  check(libc.getgroups().join(',') === '100,6', `setgroups/getgroups: ${libc.getgroups().join(',')}`);
  libc.setgid(1000);
  check(libc.getgid() === 1000 && libc.getegid() === 1000, 'root setgid sets real and effective gid');
  libc.setuid(1000);
  check(libc.getuid() === 1000 && libc.geteuid() === 1000, 'root setuid sets every uid');
  expectErrno(Errno.EPERM, () => libc.setuid(0), 'setuid back to root after giving it up');
  expectErrno(Errno.EPERM, () => libc.setresuid(0, 0, 0), 'setresuid to root as an ordinary user');
  expectErrno(Errno.EPERM, () => libc.setgid(0), 'setgid to another group as an ordinary user');
  expectErrno(Errno.EPERM, () => libc.setgroups([0]), 'setgroups as an ordinary user');
  libc.setuid(1000); // to its own uid: allowed
};

TESTS['regression: setpgid-arguments-were-not-validated'] = () => {
  const self = libc.getpid();
  expectErrno(Errno.EINVAL, () => libc.setpgid(0, -1), 'negative process group');
  expectErrno(Errno.ESRCH, () => libc.setpgid(-3, 0), 'negative pid (no such process, as in Linux)');
  expectErrno(Errno.ESRCH, () => libc.setpgid(31999, 0), 'no such process');
  expectErrno(Errno.ESRCH, () => libc.setpgid(1, 0), 'a process that is not the caller or its child');
  expectErrno(Errno.EPERM, () => libc.setpgid(0, 31998), 'a group that does not exist in the session');
  libc.setpgid(0, 0);
  check(libc.getpgid() === self, 'setpgid(0, 0) makes the caller a group leader');
  check(libc.getsid() === libc.getsid(1), 'spawned processes share init\'s session');
  expectErrno(Errno.EPERM, () => libc.setsid(), 'setsid by a group leader');
};

TESTS.umask = () => {
  const old = libc.umask(0o077);
  check(old === 0o022, `default umask 022, got ${old.toString(8)}`);
  const f = tmp('um');
  libc.close(libc.open(f, O.WRONLY | O.CREAT | O.EXCL, 0o666));
  check((libc.stat(f).mode & 0o777) === 0o600, `umask 077 makes 666 into 600, got ${(libc.stat(f).mode & 0o777).toString(8)}`);
  libc.mkdir(f + 'd', 0o777);
  check((libc.stat(f + 'd').mode & 0o777) === 0o700, 'umask applies to mkdir');
  check(libc.umask(old) === 0o077, 'umask returns the previous mask');
  libc.unlink(f);
  libc.rmdir(f + 'd');
};

TESTS['chown-fchown-fchmod'] = () => {
  const f = tmp('own');
  const fd = libc.open(f, O.RDWR | O.CREAT | O.EXCL, 0o4755);
  check((libc.fstat(fd).mode & 0o7777) === 0o4755, 'created set-user-id (umask 022 keeps it)');
  libc.fchown(fd, 1000, 100);
  const st = libc.fstat(fd);
  check(st.uid === 1000 && st.gid === 100, `fchown: ${st.uid}:${st.gid}`);
  check((st.mode & 0o4000) === 0, 'a chown drops set-user-id');
  libc.fchmod(fd, 0o640);
  check((libc.fstat(fd).mode & 0o7777) === 0o640, 'fchmod');
  libc.chown(f, -1, 0);
  check(libc.stat(f).uid === 1000 && libc.stat(f).gid === 0, 'chown -1 leaves the owner');
  expectErrno(Errno.EINVAL, () => libc.chown(f, 70000, -1), 'uid out of range');
  libc.close(fd);
  libc.unlink(f);
};

// Regression: with a cwd near PATH_MAX every relative operation failed (the kernel
// re-walked the cwd's path string) and `rm -r` could not remove the tree.
TESTS['deep-cwd-relative-ops'] = () => {
  const top = tmp('deep');
  const level = 'd'.repeat(60);
  const depth = 80; // 61 bytes a level: the cwd's path is ~4900 bytes, past PATH_MAX
  libc.mkdir(top);
  libc.chdir(top);
  for (let i = 0; i < depth; i++) { libc.mkdir(level); libc.chdir(level); }
  expectErrno(Errno.ERANGE, () => libc.getcwd(), 'getcwd of a cwd longer than the buffer');
  const fd = libc.open('f', O.RDWR | O.CREAT | O.EXCL, 0o644);
  libc.write(fd, 'deep');
  libc.close(fd);
  check(libc.stat('f').size === 4, 'stat relative to a deep cwd');
  libc.mkdir('sub');
  libc.rename('f', 'sub/g');
  libc.symlink('sub/g', 'l');
  check(libc.readlink('l') === 'sub/g', 'readlink relative to a deep cwd');
  check(dec.decode(libc.readFile('l')) === 'deep', 'open through a relative symlink');
  libc.link('sub/g', 'h');
  check(libc.stat('h').nlink === 2, 'link relative to a deep cwd');
  const dir = libc.open('sub', O.RDONLY | O.DIRECTORY);
  check(libc.fstatat(dir, 'g').size === 4, 'fstatat relative to a deep directory fd');
  libc.close(dir);
  for (let i = 0; i < depth; i++) libc.chdir('..');
  check(libc.stat(level).mode !== 0, "climbing back with '..' reaches the top");
  libc.chdir('/');
  const pid = libc.spawn('/bin/rm', { argv: ['rm', '-r', top] });
  const st = libc.wait(pid)!;
  check(st.code === 0, `rm -r of a tree deeper than PATH_MAX exits 0 (got ${st.code})`);
  expectErrno(Errno.ENOENT, () => libc.stat(top), 'the tree is gone');
};
