// fsbench: the filesystem workloads of `kernelkit bench fs`, timed from inside a
// process with performance.now(); one JSON line per workload.
//
//   fsbench DIR [SMALL_FILES] [LARGE_MIB]
//
//   create-fsync  SMALL_FILES files of 1 KiB: open(O_CREAT), write, fsync, close
//   stat          stat of each of those files
//   seq-write     one file of LARGE_MIB MiB in 64 KiB writes, then fsync (MB/s)
//   seq-read      read it back in 64 KiB reads (MB/s)
//   cached-read   a 2 MiB file (smaller than the buffer cache) read once to warm the
//                 cache, then 8 more times in 64 KiB reads (MB/s of the 8)
//
// The files are removed at the end. src/lab/bench-fs.ts does the same work with
// Node's fs on the host as the reference.

import * as libc from '../libc/index.js';
import { O } from '../libc/index.js';
import { preflight } from '../util/args.js';

export function main(argv: string[]): number {
  const early = preflight('fsbench', argv.slice(1, 2), []);
  if (early !== null) return early;
  const dir = argv[1];
  const small = Number(argv[2] ?? 200);
  const largeMiB = Number(argv[3] ?? 16);
  if (dir === undefined || !Number.isInteger(small) || small < 1 || !(largeMiB > 0)) {
    libc.eprint('usage: fsbench DIR [SMALL_FILES] [LARGE_MIB]\n');
    return 2;
  }
  const out = (o: Record<string, number | string>): void => libc.print(JSON.stringify(o) + '\n');
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

  const warm = `${dir}/cached`;
  const warmBytes = 2 * 1048576;
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

  for (let i = 0; i < small; i++) libc.unlink(name(i));
  libc.unlink(big);
  libc.unlink(warm);
  return 0;
}
