// df: space on each mounted filesystem (1K blocks; -h human-readable sizes), or on
// the filesystems holding the given paths.
import { statfs, sysinfo, SysInfo, getcwd } from '../libc/index.js';
import type { MountRecord } from '../../abi/sysinfo.js';
import { run, complain, reasonOf, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { humanSize, alignColumns } from '../util/format.js';

function absolute(p: string): string {
  if (p.startsWith('/')) return p;
  const cwd = getcwd();
  return cwd.endsWith('/') ? cwd + p : `${cwd}/${p}`;
}

function mountFor(path: string, mounts: readonly MountRecord[]): MountRecord | undefined {
  let best: MountRecord | undefined;
  for (const m of mounts) {
    const t = m.target === '/' ? '/' : m.target.replace(/\/+$/, '');
    const under = t === '/' || path === t || path.startsWith(t + '/');
    if (under && (best === undefined || t.length > best.target.length)) best = m;
  }
  return best;
}

export function main(argv: string[]): number {
  return run('df', () => {
    const args = parseArgs(argv.slice(1), { flags: 'hkTa', long: { 'human-readable': 'h', 'print-type': 'T', all: 'a' } });
    const human = args.flags.has('h');
    const showType = args.flags.has('T');
    const mounts = sysinfo(SysInfo.MOUNTS) as unknown as MountRecord[];
    let targets: MountRecord[] = mounts;
    let status = 0;
    if (args.operands.length > 0) {
      targets = [];
      for (const p of args.operands) {
        const m = mountFor(absolute(p), mounts);
        if (m === undefined) { complain('df', `${p}: no filesystem found`); status = 1; } else targets.push(m);
      }
    }
    const header = ['Filesystem', ...(showType ? ['Type'] : []), human ? 'Size' : '1K-blocks', 'Used', human ? 'Avail' : 'Available', 'Use%', 'Mounted on'];
    const rows: string[][] = [header];
    for (const m of targets) {
      try {
        const s = statfs(m.target);
        const size = s.blocks * s.blockSize;
        const free = s.freeBlocks * s.blockSize;
        const used = size - free;
        const fmt = (bytes: number): string => (human ? humanSize(bytes) : String(Math.ceil(bytes / 1024)));
        const pct = size === 0 ? '-' : `${Math.ceil((used / size) * 100)}%`;
        rows.push([m.source, ...(showType ? [m.fstype] : []), fmt(size), fmt(used), fmt(free), pct, m.target]);
      } catch (e) {
        complain('df', `${m.target}: ${reasonOf(e)}`);
        status = 1;
      }
    }
    const left = new Set([0, ...(showType ? [1] : []), header.length - 1]);
    for (const l of alignColumns(rows, left)) stdout.line(l.trimEnd());
    return status;
  });
}
