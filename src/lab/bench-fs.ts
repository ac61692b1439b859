// `kernelkit bench fs`: filesystem work per preset on an ext2 disk image (made fresh
// by our mkfs for each run), timed inside the OS by /bin/fsbench, beside the same
// work done by Node's fs on the host's own filesystem in the same run.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMachine } from '../hosts/node/machine.js';
import { loadPreset, placementFor } from '../hosts/presets.js';
import { makeExt2Image } from '../hosts/node/image.js';

export interface FsBenchRow { runtime: string; workload: string; per_op_us?: number; mb_per_s?: number; total_ms: number }

function host(dir: string, small: number, largeMiB: number): FsBenchRow[] {
  const rows: FsBenchRow[] = [];
  const payload = Buffer.alloc(1024, 0x6b);
  let t = performance.now();
  for (let i = 0; i < small; i++) {
    const fd = fs.openSync(path.join(dir, `f${i}`), 'w', 0o644);
    fs.writeSync(fd, payload);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  let ms = performance.now() - t;
  rows.push({ runtime: 'host', workload: 'create-fsync', per_op_us: (ms * 1000) / small, total_ms: ms });
  t = performance.now();
  for (let i = 0; i < small; i++) if (fs.statSync(path.join(dir, `f${i}`)).size !== 1024) throw new Error('wrong size');
  ms = performance.now() - t;
  rows.push({ runtime: 'host', workload: 'stat', per_op_us: (ms * 1000) / small, total_ms: ms });
  const chunk = Buffer.alloc(65536);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
  const total = Math.round(largeMiB * 1048576);
  const big = path.join(dir, 'large');
  t = performance.now();
  const fd = fs.openSync(big, 'w');
  for (let done = 0; done < total; done += chunk.length) fs.writeSync(fd, chunk, 0, Math.min(chunk.length, total - done));
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  ms = performance.now() - t;
  rows.push({ runtime: 'host', workload: 'seq-write', mb_per_s: total / 1e6 / (ms / 1000), total_ms: ms });
  t = performance.now();
  const rfd = fs.openSync(big, 'r');
  const buf = Buffer.alloc(65536);
  let read = 0;
  for (;;) { const n = fs.readSync(rfd, buf, 0, buf.length, null); if (n === 0) break; read += n; }
  fs.closeSync(rfd);
  ms = performance.now() - t;
  if (read !== total) throw new Error('short read');
  rows.push({ runtime: 'host', workload: 'seq-read', mb_per_s: total / 1e6 / (ms / 1000), total_ms: ms });
  // cached-read: as fsbench, a 2 MiB file read once to warm the page cache, then 8 times.
  const warm = path.join(dir, 'cached');
  fs.writeFileSync(warm, Buffer.alloc(2 * 1048576, 0x5a));
  const readWarm = (): number => {
    const f = fs.openSync(warm, 'r');
    let n = 0;
    for (;;) { const k = fs.readSync(f, buf, 0, buf.length, null); if (k === 0) break; n += k; }
    fs.closeSync(f);
    return n;
  };
  readWarm();
  t = performance.now();
  let cached = 0;
  for (let r = 0; r < 8; r++) cached += readWarm();
  ms = performance.now() - t;
  rows.push({ runtime: 'host', workload: 'cached-read', mb_per_s: cached / 1e6 / (ms / 1000), total_ms: ms });
  return rows;
}

export async function benchFs(o: { presets: string[]; small: number; largeMiB: number; onProgress?: (w: string) => void }): Promise<{ machine: { cpu: string; cores: number; node: string; loadavg_1m: number }; rows: FsBenchRow[] }> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-benchfs-'));
  try {
    o.onProgress?.('host (Node fs)');
    const hostDir = path.join(scratch, 'host');
    fs.mkdirSync(hostDir);
    const rows = host(hostDir, o.small, o.largeMiB);
    for (const name of o.presets) {
      o.onProgress?.(name);
      const image = path.join(scratch, `${name}.img`);
      await makeExt2Image(image, Math.max(64, Math.ceil(o.largeMiB * 2 + o.small * 0.01 + 16)) * 1048576);
      const p = loadPreset(name);
      let out = '';
      let err = '';
      const code = await runMachine({
        preset: p.name, placement: placementFor(p), ipc: p.ipc, disk: image, stdin: 'none',
        init: ['/bin/sh', '-c', `mkdir /bench && fsbench /bench ${o.small} ${o.largeMiB}`],
        stdout: (b) => { out += Buffer.from(b).toString('utf8'); }, stderr: (b) => { err += Buffer.from(b).toString('utf8'); },
      });
      if (code !== 0) throw new Error(`fsbench on ${name} failed (status ${code}): ${err}`);
      for (const line of out.split('\n').filter((l) => l.startsWith('{'))) {
        const r = JSON.parse(line) as { workload: string; per_op_us?: number; mb_per_s?: number; total_ms: number };
        rows.push({ runtime: name, workload: r.workload, per_op_us: r.per_op_us, mb_per_s: r.mb_per_s, total_ms: r.total_ms });
      }
    }
    const cpus = os.cpus();
    return { machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, loadavg_1m: Math.round(os.loadavg()[0]! * 100) / 100 }, rows };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
