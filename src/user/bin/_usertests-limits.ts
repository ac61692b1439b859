// The cases of usertests (bin/usertests.ts) for resource limits and argument checks of
// process and file-offset calls; each is named after the bug it pins.

import * as libc from '../libc/index.js';
import { Errno, SysError, RLIMIT, RLIM_INFINITY, Signal, SEEK, O } from '../libc/index.js';
import { SYS } from '../../abi/syscalls.js';
import { TESTS, check, expectErrno } from './_usertests-cases.js';


const raw = (nr: number, ...args: number[]): number => libc.syscall(nr, ...args);

TESTS['lseek-to-2^63-1-returns-a-negative-offset'] = () => {
  const fd = libc.open('/tmp', O.RDONLY);
  try {
    const f = libc.open(`/tmp/ut-${libc.getpid()}-seek`, O.RDWR | O.CREAT, 0o644);
    try {
      expectErrno(Errno.EINVAL, () => libc.lseek(f, 2 ** 63 - 1, SEEK.SET), 'lseek to 2^63-1 (not exact in a float64)');
      expectErrno(Errno.EINVAL, () => libc.lseek(f, 2 ** 53, SEEK.SET), 'lseek to 2^53');
      check(libc.lseek(f, Number.MAX_SAFE_INTEGER, SEEK.SET) === Number.MAX_SAFE_INTEGER, 'lseek to 2^53-1, the largest offset, is exact');
      expectErrno(Errno.EINVAL, () => libc.lseek(f, 1, SEEK.CUR), 'lseek past the largest offset');
      check(libc.lseek(f, 0, SEEK.CUR) === Number.MAX_SAFE_INTEGER, 'a refused lseek leaves the offset');
      expectErrno(Errno.EINVAL, () => libc.lseek(f, -1, SEEK.SET), 'negative offset');
      expectErrno(Errno.EINVAL, () => libc.lseek(f, 0.5, SEEK.SET), 'fractional offset');
      expectErrno(Errno.EINVAL, () => libc.pread(f, 1, 2 ** 63), 'pread at 2^63');
      check(libc.lseek(f, 5, SEEK.SET) === 5 && libc.lseek(f, -2, SEEK.CUR) === 3, 'ordinary seeks still work');
    } finally {
      libc.close(f);
      libc.unlink(`/tmp/ut-${libc.getpid()}-seek`);
    }
  } finally {
    libc.close(fd);
  }
};

TESTS['setpgid-does-not-validate-its-arguments'] = () => {
  expectErrno(Errno.ESRCH, () => libc.setpgid(30000, 0), 'an unknown pid');
  expectErrno(Errno.ESRCH, () => libc.setpgid(1, 0), 'a process that is not a child');
  expectErrno(Errno.ESRCH, () => libc.setpgid(-5, 0), 'a negative pid');
  expectErrno(Errno.EINVAL, () => libc.setpgid(0, -1), 'a negative pgid');
  expectErrno(Errno.EINVAL, () => libc.setpgid(0, 2 ** 60), 'a pgid no float64 holds exactly');
  expectErrno(Errno.EINVAL, () => libc.setpgid(0, NaN), 'NaN');
  expectErrno(Errno.EPERM, () => libc.setpgid(0, 30000), 'a group that does not exist');
  const before = libc.getpgid(0);
  const pid = libc.spawn('/bin/usertests', { argv: ['usertests', '--sleep'] });
  try {
    libc.setpgid(pid, 0);
    check(libc.getpgid(pid) === pid, 'a child can lead a new group');
    libc.setpgid(pid, before);
    check(libc.getpgid(pid) === before, 'and join an existing one');
  } finally {
    libc.kill(pid, Signal.SIGKILL);
    libc.wait(pid);
  }
  expectErrno(Errno.ESRCH, () => libc.setpgid(pid, 0), 'a reaped child');
  check(libc.getpgid(0) === before, 'the caller is where it was');
};

TESTS['rlimit-rules'] = () => {
  const n = libc.getrlimit(RLIMIT.NOFILE);
  check(n.soft > 0 && n.soft <= n.hard, `NOFILE ${n.soft}/${n.hard}`);
  check(libc.getrlimit(RLIMIT.AS).soft === 1 << 30, 'RLIMIT_AS defaults to 1 GiB');
  check(libc.getrlimit(RLIMIT.CPU).soft === RLIM_INFINITY, 'RLIMIT_CPU defaults to unlimited');
  expectErrno(Errno.EINVAL, () => libc.getrlimit(4242), 'an unknown resource');
  expectErrno(Errno.EINVAL, () => libc.setrlimit(RLIMIT.AS, 2, 1), 'soft above hard');
  expectErrno(Errno.EINVAL, () => libc.setrlimit(RLIMIT.AS, -1, 1), 'a negative limit');
  expectErrno(Errno.EINVAL, () => libc.setrlimit(RLIMIT.AS, 0.5, 1), 'a fractional limit');
  expectErrno(Errno.EPERM, () => libc.setrlimit(RLIMIT.NOFILE, 10, 1e6), 'NOFILE above the descriptor table');
  check(raw(SYS.getrlimit, RLIMIT.AS, 1e12) === -Errno.EFAULT, 'a bad pointer is EFAULT');
  // Lowered limits are inherited by children.
  libc.setrlimit(RLIMIT.AS, 64 << 20, 1 << 30);
  const [r, w] = libc.pipe();
  const pid = libc.spawn('/bin/sh', { argv: ['sh', '-c', 'ulimit -v; ulimit -Hv'], fds: [[0, 0], [1, w], [2, 2]] });
  libc.close(w);
  const text = new TextDecoder().decode(libc.readAll(r));
  libc.close(r);
  libc.wait(pid);
  libc.setrlimit(RLIMIT.AS, 1 << 30, 1 << 30);
  check(text === '65536\n1048576\n', `the child sees the parent's limits, got ${JSON.stringify(text)}`);
};

TESTS['rlimit-nofile-gives-emfile'] = () => {
  const before = libc.getrlimit(RLIMIT.NOFILE);
  libc.setrlimit(RLIMIT.NOFILE, 8, before.hard);
  const opened: number[] = [];
  try {
    for (;;) {
      try { opened.push(libc.open('/dev/null', O.RDONLY)); } catch (e) {
        if (e instanceof SysError && e.errno === Errno.EMFILE) break;
        throw e;
      }
      check(opened.length < 16, 'open keeps succeeding past RLIMIT_NOFILE');
    }
    check(Math.max(...opened) === 7, `the last descriptor is 7, got ${Math.max(...opened)}`);
    expectErrno(Errno.EMFILE, () => libc.dup(0), 'dup');
    expectErrno(Errno.EMFILE, () => libc.pipe(), 'pipe');
    expectErrno(Errno.EBADF, () => libc.dup2(0, 8), 'dup2 onto a descriptor at the limit');
  } finally {
    for (const fd of opened) libc.close(fd);
    libc.setrlimit(RLIMIT.NOFILE, before.soft, before.hard);
  }
  const fd = libc.open('/dev/null', O.RDONLY);
  libc.close(fd);
};

TESTS['rlimit-cpu-sends-sigxcpu-then-sigkill'] = () => {
  // A child that spins in its own code, never calling the kernel: soft limit 1 s.
  const soft = libc.spawn('/bin/usertests', { argv: ['usertests', '--cpu-hog', '1', '1'] });
  const a = libc.wait(soft)!;
  check(a.signal === Signal.SIGXCPU, `the soft limit sends SIGXCPU, got signal ${a.signal} code ${a.code}`);
  // One that ignores SIGXCPU runs on to the hard limit, 2 s, and is killed.
  const hard = libc.spawn('/bin/usertests', { argv: ['usertests', '--cpu-hog', '1', '2', 'ignore'] });
  const b = libc.wait(hard)!;
  check(b.signal === Signal.SIGKILL, `the hard limit sends SIGKILL, got signal ${b.signal} code ${b.code}`);
  // Time blocked in the kernel is not CPU time: a sleeper under a 1 s limit sleeps 1.5 s.
  const [r, w] = libc.pipe();
  const sleeper = libc.spawn('/bin/sh', { argv: ['sh', '-c', 'ulimit -t 1; /bin/sleep 1.5 && echo slept'], fds: [[0, 0], [1, w], [2, 2]] });
  libc.close(w);
  const text = new TextDecoder().decode(libc.readAll(r));
  libc.close(r);
  const c = libc.wait(sleeper)!;
  check(c.signal === 0 && text === 'slept\n', `a sleeping process is not charged, got ${JSON.stringify(text)} signal ${c.signal}`);
};

TESTS['rlimit-as-bounds-the-javascript-heap'] = () => {
  const before = libc.getrlimit(RLIMIT.AS);
  libc.setrlimit(RLIMIT.AS, 64 << 20, before.hard);
  const [rd, w] = libc.pipe();
  let pid: number;
  try {
    pid = libc.spawn('/bin/usertests', { argv: ['usertests', '--heap-hog'], fds: [[0, 0], [1, 1], [2, w]] });
  } finally {
    libc.close(w);
    libc.setrlimit(RLIMIT.AS, before.soft, before.hard);
  }
  const said = new TextDecoder().decode(libc.readAll(rd));
  libc.close(rd);
  const r = libc.wait(pid)!;
  check(r.signal === Signal.SIGKILL, `a program over its heap limit is killed, got signal ${r.signal} code ${r.code}`);
  check(said === 'usertests: killed: JavaScript heap over its RLIMIT_AS of 64 MiB\n', `and told why on its stderr, got ${JSON.stringify(said)}`);
};

/** usertests --heap-hog: allocates JavaScript objects until the host stops it. */
export function heapHog(): number {
  const keep: number[][] = [];
  for (let i = 0; i < 1e9; i++) keep.push(new Array<number>(1 << 16).fill(i));
  return keep.length > 0 ? 1 : 0;
}

/** usertests --cpu-hog SOFT HARD [ignore]: sets RLIMIT_CPU and spins. */
export function cpuHog(args: string[]): number {
  if (args[2] === 'ignore') libc.sigaction(Signal.SIGXCPU, libc.SigDisposition.IGNORE);
  libc.setrlimit(RLIMIT.CPU, Number(args[0]), Number(args[1]));
  let x = 0;
  for (;;) x = (x * 1103515245 + 12345) >>> 0;
}
