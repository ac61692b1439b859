// The measurements behind C8 and C9 (judged in ext-claims.ts), made by booting machines.
//
// C8: `kernelkit bench ext`'s driver part (bench-ext.ts): the block driver alone, in
// booted systems with blk in each domain, and its recovery after a crash.
//
// C9: the hostile eBPF set (test/bpf/c/hostile/, compiled here by the host's clang)
// loaded with bpftool on every preset, each load's status and verifier message, and
// whether the kernel runs on; then the same bugs as kernel-domain modules on
// monolithic (`insmod extbug-NAME`, services/extbug/), each in a fresh machine: did it
// panic, hang (the machine's watchdog), overwrite other components' memory (memstat
// before and after), read devices not granted to it or publish kernel addresses.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTBUG_BUGS } from '../abi/services.js';
import { bootAndRun } from './boot.js';
import { benchExt } from './bench-ext.js';
import type { C8Input, C9Probe, BpfRefusal, ModuleRun, ModuleOutcome } from './ext-claims.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** C8's figures: bench ext's driver rows (quick: fewer reads and crashes). */
export async function measureC8(quick: boolean, onProgress?: (what: string) => void): Promise<C8Input> {
  try {
    const r = await benchExt({ presets: [], runs: quick ? 1 : 3, quick, parts: 'driver', ...(onProgress === undefined ? {} : { onProgress }) });
    return { tested: true, rows: r.rows };
  } catch (e) {
    return { tested: false, reason: `not tested: bench ext failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
}

const section = (text: string, name: string): string => text.split(`== ${name}\n`)[1]?.split('\n== ')[0] ?? '';

/** The hostile eBPF set on each preset, then the modules on monolithic. */
export async function probeC9(presets: string[], onProgress?: (what: string) => void): Promise<C9Probe> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-c9-'));
  fs.chmodSync(dir, 0o755);
  try {
    try {
      for (const bug of EXTBUG_BUGS) execFileSync('clang', ['-target', 'bpf', '-O2', '-g', '-c', path.join(root, 'test/bpf/c/hostile', `${bug}.c`), '-o', path.join(dir, `${bug}.o`)], { stdio: 'pipe' });
    } catch (e) {
      return { tested: false, reason: `not tested: the hostile eBPF set needs clang with the bpf target: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
    }
    const ebpf: BpfRefusal[] = [];
    const alive: Record<string, boolean> = {};
    for (const preset of presets) {
      onProgress?.(`C9: hostile eBPF on ${preset}`);
      // The pointer leak is a leak only for an ordinary user: root's programs may hold pointers.
      const script = [...EXTBUG_BUGS.flatMap((b) => [`echo "== ${b}"`, b === 'pointer-leak' ? `su user -c 'bpftool prog load /obj/${b}.o'` : `bpftool prog load /obj/${b}.o`, 'echo status=$?']),
        'echo "== after"', 'bpftool prog list | wc -l', 'echo alive'].join('\n');
      const r = await bootAndRun({ preset, argv: ['/bin/sh', '-c', script], watchdogMs: 20000, mounts: [{ host: dir, guest: '/obj', readOnly: true }] });
      alive[preset] = r.status === 0 && /^0\nalive$/m.test(section(r.stdout, 'after'));
      for (const bug of EXTBUG_BUGS) {
        const out = section(r.stdout, bug);
        const status = /status=(\d+)/.exec(out)?.[1];
        const lines = out.split('\n').filter((l) => l !== '' && !l.startsWith('status=') && !/^processed \d+ insns/.test(l));
        ebpf.push({ preset, bug, refused: status !== undefined && status !== '0', message: status === undefined ? 'no answer (the machine stopped)' : lines[lines.length - 1] ?? '' });
      }
    }
    const modules: ModuleRun[] = [];
    for (const bug of EXTBUG_BUGS) {
      onProgress?.(`C9: insmod extbug-${bug} on monolithic`);
      const script = `before=$(memstat); insmod extbug-${bug}; echo status=$?; after=$(memstat); echo "$before" > /tmp/b; echo "$after" > /tmp/a; echo "== diff"; memstat -d /tmp/b /tmp/a; echo "== dmesg"; dmesg | grep 'extbug-'`;
      const r = await bootAndRun({ preset: 'monolithic', argv: ['/bin/sh', '-c', script], watchdogMs: 5000 });
      modules.push({ bug, ...classify(r.status, r.stdout, r.stderr, bug) });
    }
    return { tested: true, ebpf, alive, modules };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What a module's bug did to its machine, from what the machine printed. */
export function classify(status: number, stdout: string, stderr: string, bug: string): { outcome: ModuleOutcome; detail: string } {
  const panic = /kernel panic: (.*)/.exec(stderr + stdout);
  if (panic !== null) return { outcome: /watchdog|stopped responding/.test(panic[1]!) ? 'hang' : 'panic', detail: panic[1]!.slice(0, 160) };
  const others = section(stdout, 'diff').split('\n').filter((l) => l.startsWith('changed ') && !l.split(' ')[2]?.startsWith('extbug-'));
  if (others.length > 0) return { outcome: 'corrupted', detail: `${others.length} regions of other components changed (${[...new Set(others.map((l) => l.split(' ').slice(2, 4).join(' ')))].slice(0, 4).join(', ')})` };
  const dmesg = section(stdout, 'dmesg');
  const reached = /reached (\d+) devices not granted/.exec(dmesg);
  if (reached !== null && Number(reached[1]) > 0) return { outcome: 'reached', detail: `read the registers of ${reached[1]} devices not granted to it` };
  if (new RegExp(`extbug-${bug}: its map value at 0x[0-9a-f]+; \\w`).test(dmesg) && / at 0x/.test(dmesg.split('; ')[1] ?? '')) return { outcome: 'leaked', detail: 'published the kernel addresses of other components\' memory in dmesg' };
  return { outcome: 'none', detail: status === 0 ? 'no harm seen' : `machine status ${status}` };
}
