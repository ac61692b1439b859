// fsbench: the filesystem workloads of `kernelkit bench fs`, timed from inside a
// process with performance.now(); one JSON line per workload.
//
//   fsbench [-m FSTYPE:DEVICE] [-r COMPONENT:N] DIR [SMALL_FILES] [LARGE_MIB] [CACHED_MIB]
//
//   mount         (-m) mount(2) of DEVICE on DIR as FSTYPE, timed, before the rest
//
//   create-fsync  SMALL_FILES files of 1 KiB: open(O_CREAT), write, fsync, close
//   stat          stat of each of those files
//   seq-write     one file of LARGE_MIB MiB in 64 KiB writes, then fsync (MB/s)
//   seq-read      read it back in 64 KiB reads (MB/s)
//   cached-read   a CACHED_MIB (default 2) MiB file (smaller than the buffer cache) read
//                 once to warm the cache, then 8 more times in 64 KiB reads (MB/s of
//                 the 8); CACHED_MIB 0 leaves it out (a small filesystem)
//   restart       (-r) N times: `fault COMPONENT crash`, then the time until a file in
//                 DIR reads back whole again (median, ms): recovery as a process sees it
//
// The files are removed at the end. src/lab/bench-fs.ts does the same work with
// Node's fs on the host as the reference.

import * as libc from '../libc/index.js';
import { O } from '../libc/index.js';
import { preflight } from '../util/args.js';

export function main(argv: string[]): number {
  const early = preflight('fsbench', argv.slice(1, 2), ['-m', '-r']);
  if (early !== null) return early;
  const args = argv.slice(1);
  let mountSpec: string | undefined, restartSpec: string | undefined;
  while (args[0] === '-m' || args[0] === '-r') {
    const flag = args.shift()!;
    if (flag === '-m') mountSpec = args.shift(); else restartSpec = args.shift();
  }
  const dir = args[0];
  const small = Number(args[1] ?? 200);
  const largeMiB = Number(args[2] ?? 16);
  const cachedMiB = Number(args[3] ?? 2);
  const [fstype, device] = (mountSpec ?? '').split(':');
  const [restartComponent, restartText] = (restartSpec ?? '').split(':');
  const restarts = Number(restartText ?? 0);
  if (dir === undefined || !Number.isInteger(small) || small < 1 || !(largeMiB > 0) || !(cachedMiB >= 0)
    || (mountSpec !== undefined && (fstype === '' || device === undefined || device === ''))
    || (restartSpec !== undefined && (restartComponent === '' || !Number.isInteger(restarts) || restarts < 1))) {
    libc.eprint('usage: fsbench [-m FSTYPE:DEVICE] [-r COMPONENT:N] DIR [SMALL_FILES] [LARGE_MIB] [CACHED_MIB]\n');
    return 2;
  }
  const out = (o: Record<string, number | string>): void => libc.print(JSON.stringify(o) + '\n');
  if (mountSpec !== undefined) {
    try { libc.mkdir(dir); } catch (e) { if (!(e instanceof libc.SysError && e.errno === libc.Errno.EEXIST)) throw e; }
    const began = performance.now();
    libc.mount(device!, dir, fstype!);
    out({ workload: 'mount', fstype: fstype!, total_ms: performance.now() - began });
  }
  const payload = new Uint8Array(1024).fill(0x6b);
  const name = (i: number): string => `${dir}/f${i}`;

  let t = performance.now();
  for (let i = 0; i < small; i++) {
    const fd = libc.open(name(i), O.WRONLY | O.CREAT | O.TRUNC, 0o644);
    libc.write(fd, payload);
    libc.fsync(fd);
    libc.close(fd);
  }
  let ms = performance.now() - t;
  out({ workload: 'create-fsync', n: small, total_ms: ms, per_op_us: (ms * 1000) / small });

  t = performance.now();
  for (let i = 0; i < small; i++) if (libc.stat(name(i)).size !== payload.length) throw new Error(`${name(i)}: wrong size`);
  ms = performance.now() - t;
  out({ workload: 'stat', n: small, total_ms: ms, per_op_us: (ms * 1000) / small });

  const chunk = new Uint8Array(65536);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
  const big = `${dir}/large`;
  const total = Math.round(largeMiB * 1048576);
  t = performance.now();
  const fd = libc.open(big, O.WRONLY | O.CREAT | O.TRUNC, 0o644);
  for (let done = 0; done < total; done += chunk.length) libc.write(fd, chunk.subarray(0, Math.min(chunk.length, total - done)));
  libc.fsync(fd);
  libc.close(fd);
  ms = performance.now() - t;
  out({ workload: 'seq-write', bytes: total, total_ms: ms, mb_per_s: total / 1e6 / (ms / 1000) });

  t = performance.now();
  const rfd = libc.open(big, O.RDONLY);
  let read = 0;
  for (;;) { const b = libc.read(rfd, 65536); if (b.length === 0) break; read += b.length; }
  libc.close(rfd);
  ms = performance.now() - t;
  if (read !== total) throw new Error(`read back ${read} of ${total} bytes`);
  out({ workload: 'seq-read', bytes: total, total_ms: ms, mb_per_s: total / 1e6 / (ms / 1000) });

  if (restartSpec !== undefined) restartTimes(dir, restartComponent!, restarts, out);
  for (let i = 0; i < small; i++) libc.unlink(name(i));
  libc.unlink(big);
  if (cachedMiB === 0) return 0;
  const warm = `${dir}/cached`;
  const warmBytes = Math.round(cachedMiB * 1048576);
  const wfd = libc.open(warm, O.WRONLY | O.CREAT | O.TRUNC, 0o644);
  for (let done = 0; done < warmBytes; done += chunk.length) libc.write(wfd, chunk);
  libc.close(wfd);
  const readAll = (): number => {
    const f = libc.open(warm, O.RDONLY);
    let n = 0;
    for (;;) { const b = libc.read(f, 65536); if (b.length === 0) break; n += b.length; }
    libc.close(f);
    return n;
  };
  readAll();
  t = performance.now();
  let cached = 0;
  for (let r = 0; r < 8; r++) cached += readAll();
  ms = performance.now() - t;
  if (cached !== 8 * warmBytes) throw new Error(`cached read got ${cached} of ${8 * warmBytes} bytes`);
  out({ workload: 'cached-read', bytes: cached, total_ms: ms, mb_per_s: cached / 1e6 / (ms / 1000) });

  libc.unlink(warm);
  return 0;
}

/** Bound on one recovery (ms): a component that does not come back is an error, not a figure. */
const RESTART_LIMIT_MS = 30000;

/** `restarts` times: crash `component`, then time until DIR/f0 reads back whole. */
function restartTimes(dir: string, component: string, restarts: number, out: (o: Record<string, number | string>) => void): void {
  const file = `${dir}/f0`;
  const want = libc.readFile(file);
  const times: number[] = [];
  for (let r = 0; r < restarts; r++) {
    const began = performance.now();
    libc.fault(component, 'crash');
    for (;;) {
      let got: Uint8Array | undefined;
      try { got = libc.readFile(file); } catch { /* still restarting */ }
      if (got !== undefined && got.length === want.length && got.every((v, i) => v === want[i])) break;
      if (performance.now() - began > RESTART_LIMIT_MS) throw new Error(`${component} did not come back within ${RESTART_LIMIT_MS} ms`);
      libc.sleepMs(1);
    }
    times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  out({ workload: 'restart', component, n: restarts, median_ms: times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2 });
}
