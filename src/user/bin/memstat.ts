// memstat: the memory arenas and the regions in them, with a checksum of each
// region's bytes, so a person (or a test) can see whose memory a fault touched.
//
//   memstat        one line per region: ARENA OWNER TAG OFFSET LENGTH CHECKSUM
//   memstat -s     one line per arena: ARENA SIZE USED REGIONS
//   memstat -f COMPONENT TYPE
//                  snapshots every region, arms the fault, pokes the component with
//                  one request, snapshots again and prints each region that changed
//                  ("changed ARENA OWNER TAG OFFSET"), then "N regions changed, M outside
//                  COMPONENT" — all in one process, so nothing else writes in between
//   memstat -d BEFORE AFTER
//                  compares two saved listings: prints each region whose bytes
//                  changed as "changed ARENA OWNER TAG", then "N regions changed"

import * as libc from '../libc/index.js';
import type { MemArenaRecord, MountRecord } from '../../abi/sysinfo.js';
import { preflight } from '../util/args.js';

function diff(before: string, after: string): number {
  const key = (line: string): [string, string] => {
    const f = line.split(' ');
    return [f.slice(0, 5).join(' '), f[5] ?? ''];
  };
  const old = new Map(before.split('\n').filter((l) => l.length > 0).map(key));
  let changed = 0;
  for (const line of after.split('\n').filter((l) => l.length > 0)) {
    const [k, sum] = key(line);
    const was = old.get(k);
    if (was !== undefined && was !== sum) {
      const [arena, owner, tag] = k.split(' ');
      libc.print(`changed ${arena} ${owner} ${tag}\n`);
      changed++;
    }
  }
  libc.print(`${changed} regions changed\n`);
  return 0;
}

type Snapshot = Map<string, number>;

function snapshot(): Snapshot {
  const arenas = libc.sysinfo(libc.SysInfo.MEMSTAT) as unknown as MemArenaRecord[];
  const out: Snapshot = new Map();
  for (const a of arenas) for (const r of a.regions) out.set(`${a.arena} ${r.owner} ${r.tag.replace(/\s+/g, '_') || '-'} ${r.offset}`, r.checksum);
  return out;
}

/** One request to `component`, through the ordinary syscall path. */
function poke(component: string): void {
  switch (component) {
    case 'blk': { const fd = libc.open('/dev/blk0'); try { libc.pread(fd, 512, 0); } finally { libc.close(fd); } return; }
    case 'console': libc.write(2, ''); return;
    case 'vfs': libc.stat('/'); return;
    // The root's attributes: a call into ext2 when the root is an ext2 disk.
    case 'ext2': libc.stat('/'); return;
    case 'pm': libc.getppid(); return;
    // The root of a disk mounted with its own driver: a call into that driver.
    case 'diskfs': {
      const at = (libc.sysinfo(libc.SysInfo.MOUNTS) as unknown as MountRecord[]).find((m) => m.fstype === 'diskfs');
      if (at === undefined) throw new Error('no disk is mounted with its own driver');
      libc.stat(at.target);
      return;
    }
    default: libc.ipcping(0);
  }
}

function watchFault(component: string, type: string): number {
  const before = snapshot();
  libc.fault(component, type);
  try { poke(component); } catch (e) { libc.print(`request failed: ${e instanceof Error ? e.message : String(e)}\n`); }
  const after = snapshot();
  let changed = 0, outside = 0;
  for (const [key, sum] of after) {
    const was = before.get(key);
    if (was === undefined || was === sum) continue;
    changed++;
    if (key.split(' ')[1] !== component) outside++;
    libc.print(`changed ${key}\n`);
  }
  libc.print(`${changed} regions changed, ${outside} outside ${component}\n`);
  return 0;
}

export function main(argv: string[]): number {
  const early = preflight('memstat', argv.slice(1, 2), ['-f', '-d', '-s']);
  if (early !== null) return early;
  if (argv[1] === '-f') {
    if (argv.length !== 4) { libc.eprint('usage: memstat -f COMPONENT TYPE\n'); return 2; }
    return watchFault(argv[2]!, argv[3]!);
  }
  if (argv[1] === '-d') {
    if (argv.length !== 4) { libc.eprint('usage: memstat -d BEFORE AFTER\n'); return 2; }
    try {
      return diff(libc.textDecode(libc.readFile(argv[2]!)), libc.textDecode(libc.readFile(argv[3]!)));
    } catch (e) {
      libc.eprint(`memstat: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
  }
  const arenas = libc.sysinfo(libc.SysInfo.MEMSTAT) as unknown as MemArenaRecord[];
  if (argv[1] === '-s') {
    libc.print('ARENA      SIZE        USED        REGIONS\n');
    for (const a of arenas) {
      const used = a.regions.reduce((n, r) => n + r.length, 0);
      libc.print(`${a.arena.padEnd(10)} ${String(a.size).padEnd(11)} ${String(used).padEnd(11)} ${a.regions.length}\n`);
    }
    return 0;
  }
  for (const a of arenas) {
    for (const r of a.regions) {
      libc.print(`${a.arena} ${r.owner} ${r.tag.replace(/\s+/g, '_') || '-'} ${r.offset} ${r.length} ${r.checksum.toString(16).padStart(8, '0')}\n`);
    }
  }
  return 0;
}
