// The cases of usertests (bin/usertests.ts) for /proc (the proc component,
// services/procfs/). Each file is parsed back and compared with the kernel's own view
// of the same thing, read the other way (sysinfo, the table ps and lsmod used to read,
// and the plain syscalls); then /proc is attacked: writes of every kind, made-up and
// malformed pids, descriptors that do not exist, a process that exits while its
// directory is open, another user's descriptors.

import * as libc from '../libc/index.js';
import { Errno, O, SysInfo } from '../libc/index.js';
import type { ModRecord, MountRecord, MemArenaRecord, PsRecord } from '../../abi/sysinfo.js';
import { TESTS, check, expectErrno } from './_usertests-cases.js';
import { procEntry, procModules, procArenas, procPids, procText, statFields, statusFields } from '../util/procfs.js';

const STATE: Record<string, string> = { running: 'R', blocked: 'S', stopped: 'T', zombie: 'Z' };

TESTS['procfs-self'] = () => {
  const pid = libc.getpid();
  check(libc.readlink('/proc/self') === String(pid), `/proc/self names ${pid}`);
  const status = statusFields(procText('/proc/self/status'));
  check(status.get('Pid') === String(pid) && status.get('PPid') === String(libc.getppid()), `status Pid/PPid: ${status.get('Pid')}/${status.get('PPid')}`);
  check((status.get('Uid') ?? '').startsWith(`${libc.getuid()}\t${libc.geteuid()}\t`), `status Uid: ${status.get('Uid')}`);
  check((status.get('Gid') ?? '').startsWith(`${libc.getgid()}\t${libc.getegid()}\t`), `status Gid: ${status.get('Gid')}`);
  check(status.get('Name') === 'usertests', `status Name: ${status.get('Name')}`);
  const stat = statFields(procText('/proc/self/stat'));
  check(stat.length === 24, `stat has Linux's first 24 fields, got ${stat.length}`);
  // Running, or (in the kernel domain) seen from inside its own read: sleeping.
  check(stat[0] === String(pid) && stat[1] === 'usertests' && (stat[2] === 'R' || stat[2] === 'S'), `stat pid (comm) state: ${stat.slice(0, 3).join(' ')}`);
  check(stat[3] === String(libc.getppid()) && stat[4] === String(libc.getpgid()) && stat[5] === String(libc.getsid()), `stat ppid pgrp session: ${stat.slice(3, 6).join(' ')}`);
  const cmdline = procText('/proc/self/cmdline');
  check(cmdline === 'usertests\0--one\0procfs-self\0', `cmdline: ${JSON.stringify(cmdline)}`);
  check(libc.readlink('/proc/self/cwd') === libc.getcwd(), '/proc/self/cwd is the cwd');
  // /proc/self from a relative walk, and through '..'.
  libc.chdir('/proc');
  try {
    check(statFields(procText('self/stat'))[0] === String(pid), 'self/stat from /proc');
    check(libc.readlink('/proc/self/cwd') === '/proc', 'cwd follows chdir');
  } finally {
    libc.chdir('/');
  }
  check(statFields(procText('/proc/self/../self/./stat'))[0] === String(pid), "'..' and '.' inside /proc");
};

TESTS['procfs-ps-matches-the-kernel'] = () => {
  // The kernel's table (sysinfo PS) and /proc read in turn; this process is the only one
  // that runs meanwhile, so every other process must agree field for field.
  const me = libc.getpid();
  const kernel = (libc.sysinfo(SysInfo.PS) as unknown as PsRecord[]);
  const pids = procPids();
  check(pids.join(',') === kernel.map((p) => p.pid).sort((a, b) => a - b).join(','), `pids: /proc ${pids.join(',')} vs kernel ${kernel.map((p) => p.pid).join(',')}`);
  for (const k of kernel) {
    const p = procEntry(k.pid);
    check(p !== undefined, `/proc/${k.pid} exists`);
    check(p.ppid === k.ppid && p.pgid === k.pgid, `pid ${k.pid}: ppid/pgid ${p.ppid}/${p.pgid} vs ${k.ppid}/${k.pgid}`);
    if (k.pid === me) continue;
    check(p.state === STATE[k.state], `pid ${k.pid}: state ${p.state} vs ${k.state}`);
    if (k.state !== 'zombie') check(p.command === k.name, `pid ${k.pid}: command ${JSON.stringify(p.command)} vs ${JSON.stringify(k.name)}`);
    check(p.cwd === k.cwd, `pid ${k.pid}: cwd ${p.cwd} vs ${k.cwd}`);
    check(p.syscalls === k.syscalls, `pid ${k.pid}: syscalls ${p.syscalls} vs ${k.syscalls}`);
  }
};

TESTS['procfs-modules-mounts-arenas-match-the-kernel'] = () => {
  const mods = libc.sysinfo(SysInfo.LSMOD) as unknown as ModRecord[];
  const fromProc = procModules();
  check(JSON.stringify(fromProc) === JSON.stringify(mods.map((m) => ({ name: m.name, domain: m.domain, state: m.state, restarts: m.restarts, description: m.description }))),
    `/proc/modules vs lsmod's table:\n${JSON.stringify(fromProc)}\n${JSON.stringify(mods)}`);
  check(fromProc.some((m) => m.name === 'proc'), 'proc is a component');
  const mounts = libc.sysinfo(SysInfo.MOUNTS) as unknown as MountRecord[];
  const lines = procText('/proc/mounts').trimEnd().split('\n').map((l) => l.split(' '));
  check(lines.length === mounts.length, `/proc/mounts: ${lines.length} lines vs ${mounts.length} mounts`);
  mounts.forEach((m, i) => {
    const l = lines[i]!;
    check(l[0] === m.source && l[1] === m.target && l[2] === m.fstype && l[3] === m.options && l[4] === '0' && l[5] === '0', `/proc/mounts line ${i}: ${l.join(' ')} vs ${m.source} ${m.target} ${m.fstype} ${m.options}`);
  });
  check(mounts.some((m) => m.target === '/proc' && m.fstype === 'proc'), '/proc is mounted');
  const arenas = libc.sysinfo(SysInfo.MEMSTAT) as unknown as MemArenaRecord[];
  const procArenaList = procArenas();
  check(procArenaList.map((a) => `${a.arena}:${a.size}`).join(' ') === arenas.map((a) => `${a.arena}:${a.size}`).join(' '), `/proc/arenas vs memstat: ${JSON.stringify(procArenaList)}`);
  const meminfo = statusFields(procText('/proc/meminfo'));
  const total = arenas.reduce((n, a) => n + a.size, 0);
  check(meminfo.get('MemTotal') === `${Math.floor(total / 1024)} kB`, `MemTotal ${meminfo.get('MemTotal')} vs ${total} bytes`);
  const release = libc.uname();
  check(procText('/proc/version').startsWith(`kernelkit version ${release.release} (preset ${release.preset}`), `/proc/version: ${procText('/proc/version')}`);
  const up = Number(procText('/proc/uptime').split(' ')[0]);
  const boot = libc.clockGettime(libc.CLOCK.BOOTTIME) / 1e9;
  check(up > 0 && Math.abs(boot - up) < 5, `/proc/uptime ${up} vs CLOCK_BOOTTIME ${boot}`);
};

TESTS['procfs-fds'] = () => {
  const path = `/tmp/ut-${libc.getpid()}-fd`;
  const f = libc.open(path, O.WRONLY | O.CREAT | O.TRUNC, 0o600);
  const [r, w] = libc.pipe();
  try {
    check(libc.readlink(`/proc/self/fd/${f}`) === path, `fd ${f} -> ${libc.readlink(`/proc/self/fd/${f}`)}`);
    const pr = libc.readlink(`/proc/self/fd/${r}`), pw = libc.readlink(`/proc/self/fd/${w}`);
    check(/^pipe:\[\d+\]$/.test(pr) && pr === pw, `both ends of a pipe name it: ${pr} ${pw}`);
    const listed = libc.readdir('/proc/self/fd').map((e) => e.name).filter((n) => n !== '.' && n !== '..').map(Number).sort((a, b) => a - b);
    const open: number[] = [];
    for (let fd = 0; fd < 64; fd++) { try { libc.fstat(fd); open.push(fd); } catch { /* not open */ } }
    // The listing's own directory descriptor was open while it was read.
    check(open.every((fd) => listed.includes(fd)) && listed.length === open.length + 1, `/proc/self/fd lists ${listed.join(',')}; open: ${open.join(',')}`);
    expectErrno(Errno.ENOENT, () => libc.readlink('/proc/self/fd/63'), 'a descriptor that is not open');
    expectErrno(Errno.ENOENT, () => libc.readlink('/proc/self/fd/007'), 'a descriptor with leading zeros');
    expectErrno(Errno.ENOENT, () => libc.readlink('/proc/self/fd/99999999999999999999'), 'a descriptor past any number');
  } finally {
    libc.close(f); libc.close(r); libc.close(w);
    libc.unlink(path);
  }
  expectErrno(Errno.ENOENT, () => libc.readlink(`/proc/self/fd/${f}`), 'a descriptor after close');
};

TESTS['procfs-refuses-writes'] = () => {
  const RO = Errno.EROFS;
  expectErrno(RO, () => libc.open('/proc/self/status', O.WRONLY), 'open a /proc file for writing');
  expectErrno(RO, () => libc.open('/proc/self/status', O.RDWR), 'open a /proc file read-write');
  expectErrno(RO, () => libc.open('/proc/new', O.WRONLY | O.CREAT, 0o644), 'create a file in /proc');
  expectErrno(RO, () => libc.open('/proc/self/new', O.WRONLY | O.CREAT, 0o644), 'create a file in /proc/PID');
  expectErrno(RO, () => libc.mkdir('/proc/d'), 'mkdir in /proc');
  expectErrno(RO, () => libc.unlink('/proc/meminfo'), 'unlink in /proc');
  expectErrno(RO, () => libc.rmdir(`/proc/${libc.getpid()}/fd`), 'rmdir in /proc');
  expectErrno(RO, () => libc.rename('/proc/meminfo', '/proc/m2'), 'rename in /proc');
  expectErrno(RO, () => libc.symlink('/etc/passwd', '/proc/x'), 'symlink into /proc');
  expectErrno(RO, () => libc.chmod('/proc/meminfo', 0o666), 'chmod in /proc');
  expectErrno(RO, () => libc.truncate('/proc/self/status', 0), 'truncate in /proc');
  expectErrno(RO, () => libc.link('/proc/meminfo', '/proc/m3'), 'link in /proc');
  // A rename out of /proc crosses filesystems before it could write anything.
  expectErrno(Errno.EXDEV, () => libc.rename('/proc/meminfo', '/tmp/m'), 'rename out of /proc');
  const fd = libc.open('/proc/self/status', O.RDONLY);
  try {
    expectErrno(Errno.EBADF, () => libc.write(fd, 'x'), 'write to a /proc file open for reading');
  } finally { libc.close(fd); }
};

TESTS['procfs-bad-names'] = () => {
  for (const name of ['0', '00', '01', '1x', '-1', '+1', ' 1', '99999999', '4194305', '99999999999999999999', '1e3', '0x1', 'self2', 'Self']) {
    expectErrno(Errno.ENOENT, () => libc.stat(`/proc/${name}`), `/proc/${name}`);
  }
  expectErrno(Errno.ENOENT, () => libc.stat('/proc/self/nothing'), 'a file a process does not have');
  expectErrno(Errno.ENOTDIR, () => libc.stat('/proc/self/status/x'), 'a path through a /proc file');
  expectErrno(Errno.ENOTDIR, () => libc.stat('/proc/meminfo/x'), 'a path through /proc/meminfo');
  // '..' from deep in /proc leaves it the ordinary way, and nowhere else.
  check(procText('/proc/self/fd/../../../etc/passwd') === new TextDecoder().decode(libc.readFile('/etc/passwd')), "'..' out of /proc reaches /etc as any path does");
  check(libc.readdir('/proc/self/..').some((e) => e.name === 'meminfo'), "/proc/self/.. is /proc");
};

TESTS['procfs-exited-process'] = () => {
  const child = libc.spawn('/bin/usertests', { argv: ['usertests', '--sleep'] });
  const dir = libc.openat(libc.AT.FDCWD, `/proc/${child}`, O.RDONLY | O.DIRECTORY);
  const status = libc.open(`/proc/${child}/status`, O.RDONLY);
  try {
    check(statusFields(new TextDecoder().decode(libc.read(status, 4096))).get('Pid') === String(child), 'the child\'s status before it exits');
    libc.kill(child, libc.Signal.SIGKILL);
    // Until it is reaped it is a zombie, as in Linux: state Z, no command line.
    let stat = '';
    for (let i = 0; i < 200; i++) {
      stat = procText(`/proc/${child}/stat`);
      if (statFields(stat)[2] === 'Z') break;
      libc.sleepMs(10);
    }
    check(statFields(stat)[2] === 'Z', `a killed, unreaped child is a zombie: ${stat}`);
    check(procText(`/proc/${child}/cmdline`) === '', 'a zombie has no command line');
    const st = libc.wait(child)!;
    check(st.signal === libc.Signal.SIGKILL, 'reaped');
    expectErrno(Errno.ESRCH, () => libc.pread(status, 4096, 0), 'read of an open /proc file whose process has gone');
    expectErrno(Errno.ENOENT, () => libc.openat(dir, 'status', O.RDONLY), 'open in the open directory of a gone process');
    expectErrno(Errno.ENOENT, () => libc.getdents(dir), 'list the open directory of a gone process');
    expectErrno(Errno.ENOENT, () => libc.stat(`/proc/${child}`), 'the gone process\'s directory');
    check(!procPids().includes(child), '/proc no longer lists it');
  } finally {
    libc.close(status);
    libc.close(dir);
  }
};

TESTS['procfs-another-users-fds'] = () => {
  // An ordinary user reads root's status but not its descriptors or its cwd (Linux's
  // 0500 fd/ and ptrace check); its own are its to read.
  const me = libc.getpid();
  const script = `cat /proc/${me}/status >/dev/null && echo status-ok; ls /proc/${me}/fd; echo "ls $?"; readlink /proc/${me}/cwd; echo "readlink $?"; readlink /proc/self/fd/0 >/dev/null && ls -d /proc/self/fd/0 >/dev/null && echo own-ok`;
  const [r, w] = libc.pipe();
  const pid = libc.spawn('/bin/sh', { argv: ['sh', '-c', script], fds: [[0, 0], [1, w], [2, w]], user: { uid: 1000, gid: 1000, groups: [] } });
  libc.close(w);
  const out = new TextDecoder().decode(libc.readAll(r));
  libc.close(r);
  libc.wait(pid);
  check(out.includes('status-ok'), `another user reads /proc/PID/status: ${out}`);
  check(/Permission denied/.test(out) && out.includes('ls 2') === false && /ls [12]\n/.test(out), `another user's fd/ is refused: ${out}`);
  check(/readlink 1\n/.test(out), `another user's cwd link is refused: ${out}`);
  check(out.includes('own-ok'), `a user lists its own descriptors: ${out}`);
};
