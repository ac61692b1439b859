// kbench: times the system from inside a process with performance.now() and prints
// one JSON line per workload. The lab (src/lab/) boots a machine per preset and
// transport, runs kbench in it and collects these lines; a person can run it too.
//
//   kbench [-s SCALE] [-d DIR] [-S MAX] WORKLOAD...
//
// Workloads (each op is timed on its own; median and p99 are over the ops):
//   null      SYS.null: the bare trap, answered by the kernel core
//   getpid    answered by pm (a message to the pm server under microkernel)
//   ipc       ipcping(0): process -> kernel -> echo component -> kernel -> process
//             (kbench loads echo with insmod if it is not loaded)
//   ipc-kernel  ipcping(0) and the null syscall timed alternately; the difference of
//             the medians is the kernel <-> echo leg alone (derived; no p99: null)
//   spawn     spawn /bin/true and wait for it
//   pipe      cat FILE | wc -c with FILE of 4 MiB in DIR: MB/s through the pipe, with
//             the spawns; extra.data_MBps without them (cat FILE into a pipe kbench
//             reads, timed from its first byte to end of file)
//   smallfile create (open O_CREAT, write 100 bytes, close), stat, unlink; extra has the
//             median of each of the five syscalls (open_median_ns ... unlink_median_ns)
//   fileread  pread of 512 bytes of an open 64 KiB file (the file call's round trip)
//   seqio     write 4 MiB in 64 KiB writes + fsync, then read it back: MB/s
//   blkread   pread of one 512-byte sector of /dev/blk0 (the block driver's round trip
//             to the device, no filesystem or cache between), sectors in turn
//   blkseq    read the first 4 MiB of /dev/blk0 in 64 KiB preads: MB/s through the driver
//   script    sh -c of a mixed script (mkdir, echo, cat|wc, ls, grep, cp, mv, rm)
//   server    component -> component round trips timed inside a component: insmod
//             echo and ipcbench (src/services/ipcbench), read its timings from dmesg
//
// SCALE (default 1) multiplies the iteration counts; each workload keeps a floor of
// samples however small SCALE is (enough for a p99 where a sample is cheap). DIR
// defaults to /tmp. With -S MAX each line also carries up to MAX of its samples (ns),
// evenly spaced across the series, for the lab's bootstrap.
// Output: {"workload", "n", "median_ns", "p99_ns", "mean_ns", "throughput"?, "unit"?, "samples"?}.

import * as libc from '../libc/index.js';
import { preflight } from '../util/args.js';
import { netWorkload } from './_kbench-net.js';

interface Result {
  workload: string;
  n: number;
  median_ns: number;
  p99_ns: number;
  mean_ns: number;
  throughput?: number;
  unit?: string;
  extra?: Record<string, number>;
  /** Every sample (ns); main() prints at most -S MAX of them. */
  raw?: number[];
}

const now = (): number => performance.now();

function summarize(workload: string, samplesNs: number[]): Result {
  const s = [...samplesNs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { workload, n: s.length, median_ns: Math.round(at(0.5)), p99_ns: Math.round(at(0.99)), mean_ns: Math.round(mean), raw: samplesNs };
}

/** At most `max` of `xs`, evenly spaced across the series. */
function decimate(xs: number[], max: number): number[] {
  if (xs.length <= max) return xs.map(Math.round);
  return Array.from({ length: max }, (_, i) => Math.round(xs[Math.floor((i * xs.length) / max)]!));
}

/** Times `n` calls of `op` one by one, after `warm` untimed calls. */
function timeOps(n: number, warm: number, op: () => void): number[] {
  for (let i = 0; i < warm; i++) op();
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t0 = now();
    op();
    out[i] = (now() - t0) * 1e6;
  }
  return out;
}

function waitFor(pid: number): number {
  const w = libc.wait(pid);
  return w === null ? -1 : w.code;
}

function runAndWait(path: string, argv: string[], fds: [number, number][] = [[0, 0], [1, 1], [2, 2]]): number {
  return waitFor(libc.spawn(path, { argv, fds, env: { PATH: '/bin' } }));
}

function ensureEcho(): void {
  try { libc.insmod('echo'); } catch (e) {
    if (!(e instanceof libc.SysError && e.errno === libc.Errno.EEXIST)) throw e;
  }
}

const MiB = 1 << 20;

function fillFile(path: string, bytes: number): void {
  const block = new Uint8Array(64 << 10);
  for (let i = 0; i < block.length; i++) block[i] = (i % 61) + 65;
  const fd = libc.open(path, libc.O.WRONLY | libc.O.CREAT | libc.O.TRUNC, 0o644);
  try { for (let done = 0; done < bytes; done += block.length) libc.write(fd, block.subarray(0, Math.min(block.length, bytes - done))); } finally { libc.close(fd); }
}

/** The script workload (the lab runs the same text in the host's sh for its native column). */
export const SCRIPT = [
  'mkdir -p DIR/kb-s', 'cd DIR/kb-s', 'echo hello world > a', 'cat a | wc -c > b', 'ls -l > /dev/null',
  'grep hello a > /dev/null', 'cp a c', 'mv c d', 'seq 1 50 | wc -l > /dev/null', 'rm a b d', 'cd /', 'rmdir DIR/kb-s',
].join('; ');

function workload(name: string, scale: number, dir: string): Result {
  const n = (base: number, floor = 1): number => Math.max(floor, Math.round(base * scale));
  // The slowest workloads (a second or more per op on a busy host) skip their untimed
  // first op at small scales, where a run has only a few ops.
  const slowWarm = scale >= 0.5 ? 1 : 0;
  switch (name) {
    case 'null': return summarize(name, timeOps(n(20000, 2000), 2000, () => { libc.nullSyscall(); }));
    case 'getpid': return summarize(name, timeOps(n(10000, 1000), 2000, () => { libc.getpid(); }));
    case 'ipc': ensureEcho(); return summarize(name, timeOps(n(10000, 1000), 1000, () => { libc.ipcping(0); }));
    case 'ipc-kernel': {
      // Interleaved op by op, so both series see the same conditions on the host.
      ensureEcho();
      const bare: number[] = [], ping: number[] = [];
      for (let i = 0; i < 1000; i++) { libc.nullSyscall(); libc.ipcping(0); }
      for (let i = 0; i < n(6000, 1000); i++) {
        let t0 = now();
        libc.nullSyscall();
        bare.push((now() - t0) * 1e6);
        t0 = now();
        libc.ipcping(0);
        ping.push((now() - t0) * 1e6);
      }
      const b = summarize('null', bare), p = summarize('ipc', ping);
      return {
        workload: name, n: p.n, median_ns: p.median_ns - b.median_ns, p99_ns: NaN, mean_ns: p.mean_ns - b.mean_ns,
        extra: { ipcping_median_ns: p.median_ns, ipcping_p99_ns: p.p99_ns, null_median_ns: b.median_ns, null_p99_ns: b.p99_ns },
        raw: ping.map((x, i) => x - bare[i]!),
      };
    }
    case 'spawn': {
      return summarize(name, timeOps(n(40, 10), 3, () => {
        const code = runAndWait('/bin/true', ['true']);
        if (code !== 0) throw new Error(`true exited ${code}`);
      }));
    }
    case 'pipe': {
      const file = `${dir}/kb-pipe`;
      const bytes = 4 * MiB;
      fillFile(file, bytes);
      const devnull = libc.open('/dev/null', libc.O.WRONLY);
      const samples = timeOps(n(6, 3), slowWarm, () => {
        const [r, w] = libc.pipe();
        const cat = libc.spawn('/bin/cat', { argv: ['cat', file], fds: [[0, 0], [1, w], [2, 2]] });
        const wc = libc.spawn('/bin/wc', { argv: ['wc', '-c'], fds: [[0, r], [1, devnull], [2, 2]] });
        libc.close(r); libc.close(w);
        if (waitFor(cat) !== 0 || waitFor(wc) !== 0) throw new Error('cat | wc failed');
      });
      // The data part alone: cat FILE into a pipe that kbench reads itself, timed from
      // the first byte to end of file (cat's start-up before, its exit after).
      const data: number[] = [];
      for (let i = 0; i < n(6) + 1; i++) {
        const [r, w] = libc.pipe();
        const cat = libc.spawn('/bin/cat', { argv: ['cat', file], fds: [[0, 0], [1, w], [2, 2]] });
        libc.close(w);
        let got = libc.readView(r).length;
        const t0 = now();
        for (let b = libc.readView(r); b.length > 0; b = libc.readView(r)) got += b.length;
        const ns = (now() - t0) * 1e6;
        libc.close(r);
        if (waitFor(cat) !== 0 || got !== bytes) throw new Error(`cat into the pipe failed (${got} bytes)`);
        if (i > 0) data.push(ns);
      }
      libc.close(devnull);
      libc.unlink(file);
      const res = summarize(name, samples);
      const d = summarize('pipe-data', data);
      return {
        ...res, throughput: round2(bytes / MiB / (res.median_ns / 1e9)), unit: 'MB/s',
        extra: { data_median_ns: d.median_ns, data_MBps: round2(bytes / MiB / (d.median_ns / 1e9)) },
      };
    }
    case 'smallfile': {
      // Each syscall is timed too, so extra says which of the five costs what (medians, ns).
      const data = new Uint8Array(100).fill(120);
      const steps = ['open', 'write', 'close', 'stat', 'unlink'];
      const per: number[][] = steps.map(() => []);
      const warm = 20;
      let i = 0;
      const total = timeOps(n(400, 150), warm, () => {
        const path = `${dir}/kb-f${i++ % 16}`;
        const t0 = now();
        const fd = libc.open(path, libc.O.WRONLY | libc.O.CREAT | libc.O.TRUNC, 0o644);
        const t1 = now();
        libc.write(fd, data);
        const t2 = now();
        libc.close(fd);
        const t3 = now();
        libc.stat(path);
        const t4 = now();
        libc.unlink(path);
        const t5 = now();
        per[0]!.push((t1 - t0) * 1e6); per[1]!.push((t2 - t1) * 1e6); per[2]!.push((t3 - t2) * 1e6); per[3]!.push((t4 - t3) * 1e6); per[4]!.push((t5 - t4) * 1e6);
      });
      const extra: Record<string, number> = {};
      // The warm-up's calls are not kept.
      steps.forEach((s, k) => { extra[`${s}_median_ns`] = Math.round(summarize(s, per[k]!.slice(warm)).median_ns); });
      return { ...summarize(name, total), extra };
    }
    case 'fileread': {
      // One small read of an open file, a cached block: the hot path of a file call.
      const file = `${dir}/kb-fr`;
      fillFile(file, 64 << 10);
      const fd = libc.open(file, libc.O.RDONLY);
      try {
        return summarize(name, timeOps(n(10000, 1000), 1000, () => { libc.pread(fd, 512, 4096); }));
      } finally { libc.close(fd); libc.unlink(file); }
    }
    case 'blkread': {
      const fd = libc.open('/dev/blk0', libc.O.RDONLY);
      let sector = 0;
      try {
        return summarize(name, timeOps(n(4000, 500), 200, () => { libc.pread(fd, 512, (sector++ % 4096) * 512); }));
      } finally { libc.close(fd); }
    }
    case 'blkseq': {
      const bytes = 4 * MiB;
      const fd = libc.open('/dev/blk0', libc.O.RDONLY);
      try {
        const res = summarize(name, timeOps(n(8, 3), 1, () => {
          let got = 0;
          for (let at = 0; at < bytes; at += 65536) got += libc.pread(fd, 65536, at).length;
          if (got !== bytes) throw new Error(`read ${got} of ${bytes} bytes of /dev/blk0`);
        }));
        return { ...res, throughput: round2(bytes / MiB / (res.median_ns / 1e9)), unit: 'MB/s' };
      } finally { libc.close(fd); }
    }
    case 'seqio': {
      const file = `${dir}/kb-seq`;
      const bytes = 4 * MiB;
      const block = new Uint8Array(64 << 10).fill(7);
      const writes: number[] = [], reads: number[] = [];
      const samples = timeOps(n(6, 3), slowWarm, () => {
        const t0 = now();
        const fd = libc.open(file, libc.O.WRONLY | libc.O.CREAT | libc.O.TRUNC, 0o644);
        for (let done = 0; done < bytes; done += block.length) libc.write(fd, block);
        libc.fsync(fd);
        libc.close(fd);
        const t1 = now();
        const rfd = libc.open(file, libc.O.RDONLY);
        let got = 0;
        for (let b = libc.read(rfd, 65536); b.length > 0; b = libc.read(rfd, 65536)) got += b.length;
        libc.close(rfd);
        if (got !== bytes) throw new Error(`read back ${got} of ${bytes} bytes`);
        writes.push(t1 - t0); reads.push(now() - t1);
      });
      libc.unlink(file);
      const res = summarize(name, samples);
      const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
      return {
        ...res, throughput: round2((2 * bytes) / MiB / (res.median_ns / 1e9)), unit: 'MB/s',
        extra: { write_MBps: round2(bytes / MiB / (med(writes) / 1e3)), read_MBps: round2(bytes / MiB / (med(reads) / 1e3)) },
      };
    }
    case 'script': {
      const script = SCRIPT.replaceAll('DIR', dir);
      return summarize(name, timeOps(n(8, 2), slowWarm, () => {
        const code = runAndWait('/bin/sh', ['sh', '-c', script]);
        if (code !== 0) throw new Error(`script exited ${code}`);
      }));
    }
    case 'server': {
      // ipcbench's init does the timing inside the component and logs it (its header).
      ensureEcho();
      try { libc.rmmod('ipcbench'); } catch (e) { if (!(e instanceof libc.SysError && e.errno === libc.Errno.ENOENT)) throw e; }
      libc.insmod('ipcbench');
      const log = libc.sysinfo(libc.SysInfo.DMESG) as unknown as { line: string }[];
      const line = [...log].reverse().find((r) => r.line.includes('ipcbench {') || r.line.includes('ipcbench: no timings'));
      libc.rmmod('ipcbench');
      if (line === undefined || !line.line.includes('ipcbench {')) throw new Error(line?.line ?? 'ipcbench logged no timings');
      const got = JSON.parse(line.line.slice(line.line.indexOf('{'))) as { samples_ns: number[] };
      return summarize(name, got.samples_ns);
    }
    default:
      throw new UsageError(`unknown workload '${name}'`);
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

class UsageError extends Error {}

// ---- the fault-campaign workload ------------------------------------------------------
//
//   kbench faults SEED FIRST_OP SCHEDULE [disk | diskfs | net TCPPORT UDPPORT CHUNK]
//   kbench verify SEED [DIR]    (after a campaign on a filesystem: checks DIR, default /kb-data)
//
// SCHEDULE is "GAP:COMPONENT:TYPE,..." : run GAP operations, arm the fault, carry on.
// Several cells may share the boot: their schedules are joined by ';'. Each cell ends
// with the same settle pass (operations until one is fully good, then every reference
// and system file re-read), its D lines and DONE; before the next cell kbench reads a
// line from stdin, which the host types once it has checked every acknowledged block
// on the durable image, so what is found lost there counts for the cell that ended.
// Fault numbers (F k, R k) count from 0 in each cell.
// "GAP:kbench:stall" (tests only) stops answering there for good: a stuck boot.
// Each operation touches every component: pm (getppid), console (an empty write to
// stderr), vfs (a 1 KiB file in /tmp written, read back and compared, and one of 16
// reference files re-read and compared: wild writes into vfs memory show up here), and
// every file of /bin and /etc/motd checksummed at start, one re-read per op), and
// blk (1 KiB at offset 1 KiB x op on /dev/blk0 with pwrite, fsync, pread and compare;
// with 'disk', an ext2 root, the 1 KiB goes to the file /kb-data/dOP instead: written,
// fsync'd, read back, compared; blk is then reached through ext2; with 'diskfs', the
// same in /disk/kb-data, on a disk mounted through the driver it carries). With 'net' an
// operation moves data over sockets instead (through the NIC to the campaign's echo
// servers, and over loopback): _kbench-net.ts, which adds the lines T and L.
// Lines on stdout, read by src/lab/faults.ts:
//   F k        fault k armed          A i   op i's block write is fsync'd and verified
//   E i where  a request failed       C i where  a read-back differed (corruption caught)
//   O i ok|failed   op i finished     R k ms   first good op ended ms after fault k was armed
//   V i path   a /tmp file vanished (ramfs lost with a vfs restart; made again)
//   D path     a system file still differs from its checksum at the end (the damage
//              was not repaired: the final pass waits up to REPAIR_WAIT_MS for the
//              supervisor's self-check to restart a damaged server first)
//   DONE       the cell ended (then, if another cell follows, a line is read from stdin)

export function payload(seed: number, op: number, bytes = 1024): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = (seed ^ Math.imul(op + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < bytes; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; out[i] = x & 0xff; }
  return out;
}

// NOTE: a program runs in a SES compartment, where every global name (`Math` too) is
// looked up through the compartment's scope proxy: `Math.imul` inside the loop made
// checksumming the system's files (5.6 MB) 50x slower than this (1.66 s against 29 ms
// at load 15), the largest part of the workload's start and of each cell's last pass.
const imul = Math.imul;

function checksum(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = imul(h ^ b[i]!, 16777619);
  return h >>> 0;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** How long the last pass waits for damaged system files to be repaired (ms): the self-check covers a server's memory in a few seconds. */
const REPAIR_WAIT_MS = 10000;

const parseSchedule = (text: string): { gap: number; component: string; type: string }[] =>
  text.split(',').filter((x) => x.length > 0).map((x) => { const [g, c, t] = x.split(':'); return { gap: Number(g), component: c!, type: t! }; });

const say = (line: string): void => {
  for (let attempt = 0; attempt < 3; attempt++) { try { libc.print(line + '\n'); return; } catch { /* console restarting: try again */ } }
};

/** The fault workload over sockets (_kbench-net.ts): the same schedule, recovery and lines. */
function netFaultCampaign(seed: number, first: number, scheduleText: string, tcpPort: number, udpPort: number, chunk: number): number {
  const w = netWorkload(tcpPort, udpPort, chunk, (i, bytes) => payload(seed, i, bytes), say);
  let op = first;
  const runOp = (): boolean => {
    const i = op++;
    const ok = w.op(i);
    say(`O ${i} ${ok ? 'ok' : 'failed'}`);
    return ok;
  };
  runSchedule(parseSchedule(scheduleText), say, runOp, () => op, (k) => say(`T ${k} ${w.established()}`));
  w.end();
  say('DONE');
  return 0;
}

/** Runs the schedule: `runOp` per operation, faults armed between, recovery timed; `arming(k)` just before fault k is armed. */
function runSchedule(schedule: { gap: number; component: string; type: string }[], say: (line: string) => void, runOp: () => boolean, nextOp: () => number, arming: (k: number) => void = () => {}): void {
  let pending: { k: number; at: number }[] = [];
  schedule.forEach((f, k) => {
    for (let g = 0; g < f.gap; g++) if (runOp()) { for (const p of pending) say(`R ${p.k} ${(now() - p.at).toFixed(3)}`); pending = []; }
    if (f.component === 'kbench' && f.type === 'stall') {
      // For tests of the campaign's stuck-boot handling: a request that never
      // completes, without a panic (a read of a pipe whose writer is this process).
      say(`F ${k}`);
      const [r] = libc.pipe();
      libc.read(r, 1);
    }
    arming(k);
    const at = now();
    let armedOk = true;
    try { libc.fault(f.component, f.type); } catch (e) { armedOk = false; say(`E ${nextOp()} fault ${e instanceof libc.SysError ? e.code : 'exception'}`); }
    say(`F ${k}${armedOk ? '' : ' not-armed'}`);
    pending.push({ k, at });
  });
  for (let tries = 0; pending.length > 0 && tries < 20; tries++) {
    if (runOp()) { for (const p of pending) say(`R ${p.k} ${(now() - p.at).toFixed(3)}`); pending = []; }
  }
}

function faultCampaign(argv: string[]): number {
  const seed = Number(argv[0]), first = Number(argv[1]);
  if (argv[3] === 'net') return netFaultCampaign(seed, first, argv[2] ?? '', Number(argv[4]), Number(argv[5]), Number(argv[6]));
  // With an ext2 root ('disk'), durable data is files in /kb-data; with a disk that
  // carries its driver at /disk ('diskfs'), files in /disk/kb-data; otherwise raw blocks.
  const dataDir = argv[3] === 'disk' ? '/kb-data' : argv[3] === 'diskfs' ? '/disk/kb-data' : undefined;
  const onDisk = dataDir !== undefined;
  if (onDisk) { try { libc.mkdir(dataDir); } catch (e) { if (!(e instanceof libc.SysError && e.errno === libc.Errno.EEXIST)) throw e; } }
  const cells = (argv[2] ?? '').split(';').map((cell) => cell.split(',').filter((x) => x.length > 0).map((x) => { const [g, c, t] = x.split(':'); return { gap: Number(g), component: c!, type: t! }; }));
  const attempt = <T>(op: number, where: string, fn: () => T): T | undefined => {
    try { return fn(); } catch (e) { say(`E ${op} ${where} ${e instanceof libc.SysError ? e.code : 'exception'}`); return undefined; }
  };
  // Reference files, re-read one per op.
  const refs: Uint8Array[] = [];
  for (let r = 0; r < 16; r++) { refs.push(payload(seed ^ 0x5eed, r, 4096)); libc.writeFile(`/tmp/kb-ref${r}`, refs[r]!); }
  // /etc/motd exists on the initramfs root only (an ext2 root overlays /bin, /dev, /tmp).
  const exists = (path: string): boolean => { try { libc.stat(path); return true; } catch { return false; } };
  const system = [...(exists('/etc/motd') ? ['/etc/motd'] : []), ...libc.readdir('/bin').filter((e) => e.name !== '.' && e.name !== '..').map((e) => `/bin/${e.name}`)]
    .map((path) => ({ path, sum: checksum(libc.readFile(path)), reported: false }));
  let blk: number | undefined;
  const blkFd = (): number => { if (blk === undefined) blk = libc.open('/dev/blk0', libc.O.RDWR); return blk; };
  // With pm as a target, a whole process life too (set per cell).
  let spawns = false;
  let pending: { k: number; at: number }[] = [];
  let op = first;
  const runOp = (): boolean => {
    const i = op++;
    let ok = true;
    const data = payload(seed, i);
    if (attempt(i, 'pm', () => libc.getppid()) === undefined) ok = false;
    // With pm as a target, a whole process life too: fork, exit and wait all go through pm.
    if (spawns && attempt(i, 'pm-spawn', () => { if (runAndWait('/bin/true', ['true']) !== 0) throw new Error('true failed'); return true; }) === undefined) ok = false;
    if (attempt(i, 'console', () => libc.write(2, '')) === undefined) ok = false;
    const file = `/tmp/kb-f${i % 8}`;
    const back = attempt(i, 'vfs-write', () => { libc.writeFile(file, data); return libc.readFile(file); });
    if (back === undefined) ok = false; else if (!same(back, data)) { say(`C ${i} file`); ok = false; }
    const r = i % 16;
    const ref = attempt(i, 'vfs-read', () => {
      try { return libc.readFile(`/tmp/kb-ref${r}`); } catch (e) {
        if (!(e instanceof libc.SysError && e.errno === libc.Errno.ENOENT)) throw e;
        // ramfs is volatile across a vfs restart: the file went with it.
        say(`V ${i} /tmp/kb-ref${r}`);
        libc.writeFile(`/tmp/kb-ref${r}`, refs[r]!);
        return refs[r]!;
      }
    });
    if (ref === undefined) ok = false;
    else if (!same(ref, refs[r]!)) { say(`C ${i} /tmp/kb-ref${r}`); ok = false; attempt(i, 'vfs-write', () => libc.writeFile(`/tmp/kb-ref${r}`, refs[r]!)); }
    // The system's own files, checksummed at start (a wild write into vfs memory lands here).
    const sys = system[i % system.length]!;
    const got = attempt(i, 'vfs-read', () => checksum(libc.readFile(sys.path)));
    if (got === undefined) ok = false;
    else if (got !== sys.sum && !sys.reported) { sys.reported = true; say(`C ${i} ${sys.path}`); ok = false; }
    const blockOk = onDisk ? attempt(i, 'disk-file', () => {
      const path = `${dataDir}/d${i}`;
      const fd = libc.open(path, libc.O.WRONLY | libc.O.CREAT | libc.O.TRUNC, 0o644);
      try { libc.write(fd, data); libc.fsync(fd); } finally { libc.close(fd); }
      return libc.readFile(path);
    }) : attempt(i, 'blk', () => {
      const fd = blkFd();
      libc.pwrite(fd, data, i * 1024);
      libc.fsync(fd);
      return libc.pread(fd, 1024, i * 1024);
    });
    if (blockOk === undefined) { ok = false; if (blk !== undefined) { try { libc.close(blk); } catch { /* stale */ } blk = undefined; } }
    else if (!same(blockOk, data)) { say(`C ${i} block`); ok = false; }
    else say(`A ${i}`);
    say(`O ${i} ${ok ? 'ok' : 'failed'}`);
    return ok;
  };
  const settle = (): void => {
    for (let tries = 0; pending.length > 0 && tries < 20; tries++) {
      if (runOp()) { for (const p of pending) say(`R ${p.k} ${(now() - p.at).toFixed(3)}`); pending = []; }
    }
    // Every reference file: a /tmp file lost or damaged by this cell's faults is found in this cell.
    refs.forEach((want, r) => {
      attempt(op, 'vfs-read', () => {
        let got: Uint8Array;
        try { got = libc.readFile(`/tmp/kb-ref${r}`); } catch (e) {
          if (!(e instanceof libc.SysError && e.errno === libc.Errno.ENOENT)) throw e;
          say(`V ${op} /tmp/kb-ref${r}`);
          libc.writeFile(`/tmp/kb-ref${r}`, want);
          return;
        }
        if (!same(got, want)) { say(`C ${op} /tmp/kb-ref${r}`); libc.writeFile(`/tmp/kb-ref${r}`, want); }
      });
    });
    // A last full pass over the system's files: corruption the per-op sampling missed.
    const damaged = (): typeof system => system.filter((sys) => {
      const got = attempt(op, 'vfs-read', () => checksum(libc.readFile(sys.path)));
      return got !== undefined && got !== sys.sum;
    });
    let left = damaged();
    for (const sys of left) if (!sys.reported) { sys.reported = true; say(`C ${op} ${sys.path}`); }
    // Damage the supervisor may still repair (a damaged server restarted): wait for it, boundedly.
    for (const until = now() + REPAIR_WAIT_MS; left.length > 0 && now() < until;) {
      libc.sleepMs(250);
      left = damaged();
    }
    for (const sys of left) say(`D ${sys.path}`);
    // A file still damaged is this cell's finding; the next cell reports only new damage.
    for (const sys of system) sys.reported = false;
    for (const sys of left) sys.reported = true;
    say('DONE');
  };
  for (const [cell, schedule] of cells.entries()) {
    if (cell > 0) {
      // The host checks the durable image and answers; until then no fault of this cell is armed.
      for (let line = ''; !line.includes('\n');) { const b = libc.read(0, 64); if (b.length === 0) return 0; line += new TextDecoder().decode(b); }
    }
    spawns = schedule.some((f) => f.component === 'pm');
    pending = [];
    schedule.forEach((f, k) => {
      for (let g = 0; g < f.gap; g++) if (runOp()) { for (const p of pending) say(`R ${p.k} ${(now() - p.at).toFixed(3)}`); pending = []; }
      if (f.component === 'kbench' && f.type === 'stall') {
        // For tests of the campaign's stuck-boot handling: a request that never
        // completes, without a panic (a read of a pipe whose writer is this process).
        say(`F ${k}`);
        const [r] = libc.pipe();
        libc.read(r, 1);
      }
      const at = now();
      const armed = attempt(op, 'fault', () => { libc.fault(f.component, f.type); return true; });
      say(`F ${k}${armed === undefined ? ' not-armed' : ''}`);
      pending.push({ k, at });
    });
    settle();
  }
  return 0;
}

/** kbench verify SEED [DIR]: every DIR/dN file (default /kb-data) against payload(SEED, N): "P N" good, "L N" wrong. */
function verifyDisk(argv: string[]): number {
  const seed = Number(argv[0]);
  const dir = argv[1] ?? '/kb-data';
  let entries: libc.DirEntry[] = [];
  try { entries = libc.readdir(dir); } catch (e) { libc.print(`X ${e instanceof Error ? e.message : String(e)}\n`); }
  for (const e of entries) {
    const m = /^d(\d+)$/.exec(e.name);
    if (m === null) continue;
    const i = Number(m[1]);
    let good = false;
    try { good = same(libc.readFile(`${dir}/${e.name}`), payload(seed, i)); } catch { /* unreadable: lost */ }
    libc.print(`${good ? 'P' : 'L'} ${i}\n`);
  }
  libc.print('DONE\n');
  return 0;
}

/**
 * kbench gadget MODULE SECRET: writes SECRET into the first block of /dev/blk0, loads
 * MODULE, and prints {"gadget", "insmod", "leaked"}: whether SECRET reached the
 * kernel log, or the module logged "MODULE: READ THE DISK" (what it read and
 * published). The lab's C13 probe.
 */
function gadgetProbe(argv: string[]): number {
  const [module = '', secret = ''] = argv;
  const block = new Uint8Array(1024);
  block.set(new TextEncoder().encode(`kernelkit-secret:${secret}\n`));
  const fd = libc.open('/dev/blk0', libc.O.RDWR);
  libc.pwrite(fd, block, 0);
  libc.fsync(fd);
  libc.close(fd);
  let insmod = 'ok';
  try { libc.insmod(module); } catch (e) { insmod = e instanceof libc.SysError ? e.code : String(e); }
  const log = libc.sysinfo(libc.SysInfo.DMESG) as unknown as { line: string }[];
  // The secret itself, or the module's own report of a successful read.
  const leaked = log.some((r) => r.line.includes(secret) || r.line.includes(`${module}: READ THE DISK`));
  libc.print(JSON.stringify({ gadget: module, insmod, leaked }) + '\n');
  return 0;
}

export function main(argv: string[]): number {
  const early = preflight('kbench', argv.slice(1, 2), ['-s', '-d', '-S']);
  if (early !== null) return early;
  if (argv[1] === 'faults') return faultCampaign(argv.slice(2));
  if (argv[1] === 'gadget') return gadgetProbe(argv.slice(2));
  if (argv[1] === 'verify') return verifyDisk(argv.slice(2));
  let scale = 1;
  let dir = '/tmp';
  let keep = 0;
  const names: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-s') { scale = Number(argv[++i]); if (!(scale > 0)) { libc.eprint('kbench: -s needs a positive number\n'); return 2; } }
    else if (a === '-d') { dir = argv[++i] ?? '/tmp'; }
    else if (a === '-S') { keep = Number(argv[++i]); if (!(Number.isInteger(keep) && keep >= 0)) { libc.eprint('kbench: -S needs a non-negative integer\n'); return 2; } }
    else names.push(a);
  }
  if (names.length === 0) { libc.eprint('usage: kbench [-s SCALE] [-d DIR] [-S MAX] null|getpid|ipc|ipc-kernel|spawn|pipe|smallfile|fileread|seqio|script|server ...\n'); return 2; }
  let status = 0;
  for (const name of names) {
    try {
      const { raw, ...result } = workload(name, scale, dir);
      libc.print(JSON.stringify(keep > 0 && raw !== undefined ? { ...result, samples: decimate(raw, keep) } : result) + '\n');
    } catch (e) {
      if (e instanceof UsageError) { libc.eprint(`kbench: ${e.message}\n`); return 2; }
      libc.print(JSON.stringify({ workload: name, error: e instanceof Error ? e.message : String(e) }) + '\n');
      status = 1;
    }
  }
  return status;
}
