// The native column: the lab's workloads on the host OS itself, "Linux on this
// machine" beside every preset. nbench (native/nbench.c) and a program that only
// returns 0 (native/true.c) are compiled at lab time with the host's C compiler into
// build/native/, then run like kbench runs inside kernelkit; they print the same JSON
// lines. Where no compiler is found the column says so instead of failing the lab.
//
// Where the files go: smallfile and script in a fresh directory in /dev/shm (tmpfs,
// memory, as kernelkit's /tmp is ramfs); seqio in build/native (the disk, so fsync is
// real; kernelkit's seqio fsyncs into ramfs).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, spawn } from 'node:child_process';
import { packageRoot } from '../hosts/node/machine.js';
import type { KbenchLine } from './boot.js';

/** The script workload's text; the same as kbench's (a test compares them). */
export const SCRIPT = [
  'mkdir -p DIR/kb-s', 'cd DIR/kb-s', 'echo hello world > a', 'cat a | wc -c > b', 'ls -l > /dev/null',
  'grep hello a > /dev/null', 'cp a c', 'mv c d', 'seq 1 50 | wc -l > /dev/null', 'rm a b d', 'cd /', 'rmdir DIR/kb-s',
].join('; ');

export interface NativeBuild { ok: true; compiler: string; nbench: string; trueProgram: string }
export interface NativeMissing { ok: false; reason: string }

const COMPILERS = ['cc', 'clang', 'gcc'];

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const p = path.join(dir, name);
    try { fs.accessSync(p, fs.constants.X_OK); if (fs.statSync(p).isFile()) return p; } catch { /* not here */ }
  }
  return undefined;
}

let built: NativeBuild | NativeMissing | undefined;

/** Compiles nbench and true once per process; `compilers` for tests. */
export function buildNative(compilers: readonly string[] = COMPILERS, outDir = path.join(packageRoot, 'build/native')): NativeBuild | NativeMissing {
  if (built !== undefined && compilers === COMPILERS) return built;
  const compiler = compilers.map(onPath).find((c) => c !== undefined);
  let result: NativeBuild | NativeMissing;
  if (compiler === undefined) result = { ok: false, reason: `not measured: no C compiler (looked for ${compilers.join(', ')} on PATH)` };
  else {
    fs.mkdirSync(outDir, { recursive: true });
    const src = path.join(packageRoot, 'src/lab/native');
    const nbench = path.join(outDir, 'nbench'), trueProgram = path.join(outDir, 'true');
    // Built under a private name and renamed into place: another lab may be running the old binary.
    const failed = [[path.join(src, 'nbench.c'), nbench, '-lm'], [path.join(src, 'true.c'), trueProgram]]
      .map(([from, to, ...libs]) => {
        const tmp = `${to!}.${process.pid}.tmp`;
        const r = spawnSync(compiler, ['-O2', '-o', tmp, from!, ...libs], { encoding: 'utf8' });
        if (r.status === 0) fs.renameSync(tmp, to!); else fs.rmSync(tmp, { force: true });
        return r;
      })
      .find((r) => r.status !== 0);
    result = failed === undefined ? { ok: true, compiler: `${path.basename(compiler)} (${firstLine(spawnSync(compiler, ['--version'], { encoding: 'utf8' }).stdout)})`, nbench, trueProgram }
      : { ok: false, reason: `not measured: ${path.basename(compiler)} failed: ${firstLine(failed.stderr ?? String(failed.error))}` };
  }
  if (compilers === COMPILERS) built = result;
  return result;
}

const firstLine = (s: string | undefined): string => (s ?? '').trim().split('\n')[0] ?? '';

/** Runs nbench with `workloads` (lab names) and returns its lines; errors per workload in `error`. */
export async function runNative(b: NativeBuild, workloads: string[], scale: number, keep: number): Promise<KbenchLine[]> {
  const shmRoot = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const memDir = fs.mkdtempSync(path.join(shmRoot, 'kernelkit-native-'));
  const diskDir = fs.mkdtempSync(path.join(path.dirname(b.nbench), 'io-'));
  const common = ['-s', String(scale), '-S', String(keep), '-t', b.trueProgram, '-c', SCRIPT.replaceAll('DIR', memDir)];
  try {
    const mem = workloads.filter((w) => w !== 'seqio');
    const lines: KbenchLine[] = [];
    if (mem.length > 0) lines.push(...await run(b.nbench, [...common, '-d', memDir, ...mem]));
    if (workloads.includes('seqio')) lines.push(...await run(b.nbench, [...common, '-d', diskDir, 'seqio']));
    return workloads.map((w) => lines.find((l) => l.workload === w) ?? { workload: w, n: 0, median_ns: NaN, p99_ns: NaN, mean_ns: NaN, error: 'nbench printed nothing for it' });
  } finally {
    fs.rmSync(memDir, { recursive: true, force: true });
    fs.rmSync(diskDir, { recursive: true, force: true });
  }
}

function run(file: string, args: string[]): Promise<KbenchLine[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('close', () => resolve(Buffer.concat(out).toString('utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as KbenchLine)));
  });
}
