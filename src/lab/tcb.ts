// The trusted computing base per preset: lines of code that run in the kernel domain,
// computed from the preset's placement and the source files — the kernel core, the
// libraries it is built from (lib, abi), the host's kernel-thread glue, and every
// component the preset places in the kernel domain — next to the total of the same
// system (every component wherever it runs). Lines = non-blank, non-comment lines of
// the .ts sources, test files excluded.

import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../hosts/node/machine.js';
import { loadPreset } from '../hosts/presets.js';
import { placedDomain } from '../abi/component.js';

export interface TcbRow { preset: string; kernel_loc: number; total_loc: number; kernel_components: string[]; user_components: string[] }

/** Where each component's sources are (services/<dir>; vfs carries ramfs, which is not a component yet). */
const COMPONENT_DIRS: Record<string, string[]> = {
  console: ['src/services/console'],
  blk: ['src/services/blk'],
  ext2: ['src/services/ext2'],
  vfs: ['src/services/vfs', 'src/services/ramfs'],
  pm: ['src/services/pm'],
  echo: ['src/services/echo'],
};
const CORE = ['src/kernel', 'src/lib', 'src/abi', 'src/hosts/node/kernel-worker.ts', 'src/hosts/node/threads.ts', 'src/hosts/components.ts'];

function files(rel: string): string[] {
  const abs = path.join(packageRoot, rel);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return [abs];
  return fs.readdirSync(abs, { recursive: true }).map((f) => path.join(abs, String(f)))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !/test-fixtures/.test(f) && fs.statSync(f).isFile());
}

/** Non-blank lines that are not only a comment. */
export function countLoc(source: string): number {
  let n = 0, inBlock = false;
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (inBlock) { if (line.includes('*/')) { inBlock = false; if (line.slice(line.indexOf('*/') + 2).trim().length > 0) n++; } continue; }
    if (line.length === 0 || line.startsWith('//')) continue;
    if (line.startsWith('/*')) { if (!line.includes('*/')) inBlock = true; else if (line.slice(line.indexOf('*/') + 2).trim().length > 0) n++; continue; }
    n++;
  }
  return n;
}

const locCache = new Map<string, number>();
function loc(rels: string[]): number {
  let n = 0;
  for (const rel of rels) for (const f of files(rel)) {
    let c = locCache.get(f);
    if (c === undefined) { c = countLoc(fs.readFileSync(f, 'utf8')); locCache.set(f, c); }
    n += c;
  }
  return n;
}

export function countTcb(presets: string[]): TcbRow[] {
  return presets.map((name) => {
    const p = loadPreset(name);
    const comps = Object.keys(COMPONENT_DIRS).filter((c) => c !== 'echo');
    // The kernel's own rule (abi/component.ts), so the count follows the placement.
    const domainOf = (c: string): string => placedDomain(name, p.placement as Record<string, string>, c);
    const kernelComps = comps.filter((c) => domainOf(c) === 'kernel');
    const userComps = comps.filter((c) => domainOf(c) !== 'kernel');
    const kernel = loc([...CORE, ...kernelComps.flatMap((c) => COMPONENT_DIRS[c]!)]);
    const total = loc([...CORE, ...comps.flatMap((c) => COMPONENT_DIRS[c]!), 'src/hosts/node/server-worker.ts']);
    return { preset: name, kernel_loc: kernel, total_loc: total, kernel_components: kernelComps, user_components: userComps };
  });
}
