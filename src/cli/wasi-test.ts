// The WASI conformance runner behind `kernelkit wasi-test [--preset NAME] DIR...`.
// It runs directories laid out as the public wasi-testsuite lays out its tests
// (doc/specification.md there): every NAME.wasm is a test case, NAME.json (optional,
// the legacy form) says how to run it and what to expect:
//   args: string[], env: {}, dirs: string[] (preopened under their own names),
//   root: string (a directory next to the test preopened as the guest's '/'),
//   exit_code (default 0), stdout / stderr (checked only when given),
//   stdin: string (a kernelkit extension: bytes fed to the guest's stdin).
// Stale NAME.cleanup files are removed first; `root` and `dirs` are copied to a
// scratch directory before each run because tests change them. How a test actually
// runs (which kernel, which preset) is the caller's `run` callback.

import { existsSync, readdirSync, readFileSync, rmSync, cpSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One test's specification, defaults filled in. */
export interface WasiTestSpec {
  args: string[];
  env: Record<string, string>;
  dirs: string[];
  root?: string;
  exit_code: number;
  stdout?: string;
  stderr?: string;
  stdin?: string;
}

/** Extra context for `run`: host copies of `dirs` to preopen under `guest`, and stdin. */
export interface WasiRunExtra {
  dirs: { guest: string; host: string }[];
  stdin?: string;
}

export interface WasiRunResult { code: number; stdout: string; stderr: string }

export interface WasiTestOptions {
  preset?: string;
  /** Runs one module: `rootDir` (a scratch copy) is the guest's '/', when the test has one. */
  run: (wasmPath: string, args: string[], env: Record<string, string>, rootDir?: string, extra?: WasiRunExtra) => Promise<WasiRunResult>;
  /** Where the report lines go (default: console.log). */
  print?: (line: string) => void;
}

/** Reads NAME.json beside a test (or the defaults); throws with the file name when malformed. */
export function readSpec(wasmPath: string): WasiTestSpec {
  const jsonPath = wasmPath.replace(/\.wasm$/, '.json');
  const spec: WasiTestSpec = { args: [], env: {}, dirs: [], exit_code: 0 };
  if (!existsSync(jsonPath)) return spec;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (e) {
    throw new Error(`${jsonPath}: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${jsonPath}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  const strings = (k: string): string[] => {
    const v = o[k];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`${jsonPath}: "${k}" must be an array of strings`);
    return v as string[];
  };
  const str = (k: string): string | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new Error(`${jsonPath}: "${k}" must be a string`);
    return v;
  };
  spec.args = strings('args');
  spec.dirs = strings('dirs');
  if (o.env !== undefined) {
    if (typeof o.env !== 'object' || o.env === null || Array.isArray(o.env) || !Object.values(o.env).every((x) => typeof x === 'string')) {
      throw new Error(`${jsonPath}: "env" must be an object of strings`);
    }
    spec.env = o.env as Record<string, string>;
  }
  if (o.exit_code !== undefined) {
    if (typeof o.exit_code !== 'number' || !Number.isInteger(o.exit_code)) throw new Error(`${jsonPath}: "exit_code" must be an integer`);
    spec.exit_code = o.exit_code;
  }
  spec.root = str('root');
  spec.stdout = str('stdout');
  spec.stderr = str('stderr');
  spec.stdin = str('stdin');
  return spec;
}

/** The test cases (.wasm files) of one directory, sorted. */
export function findTests(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.wasm') && statSync(path.join(dir, f)).isFile()).sort().map((f) => path.join(dir, f));
}

const show = (s: string): string => JSON.stringify(s.length > 200 ? s.slice(0, 200) + '...' : s);

/** Runs one test; returns undefined when it passed, else why it failed. */
async function runOne(wasmPath: string, opts: WasiTestOptions): Promise<string | undefined> {
  const dir = path.dirname(wasmPath);
  const spec = readSpec(wasmPath);
  const scratch = mkdtempSync(path.join(tmpdir(), 'kernelkit-wasi-test-'));
  try {
    let rootDir: string | undefined;
    if (spec.root !== undefined) {
      const from = path.join(dir, spec.root);
      if (!existsSync(from)) return `root directory ${from} does not exist`;
      rootDir = path.join(scratch, 'root');
      cpSync(from, rootDir, { recursive: true, verbatimSymlinks: true });
    }
    const dirs: WasiRunExtra['dirs'] = [];
    for (const d of spec.dirs) {
      const from = path.join(dir, d);
      if (!existsSync(from)) return `preopened directory ${from} does not exist`;
      const host = path.join(scratch, 'dirs', d);
      cpSync(from, host, { recursive: true, verbatimSymlinks: true });
      dirs.push({ guest: d, host });
    }
    const extra: WasiRunExtra = spec.stdin !== undefined ? { dirs, stdin: spec.stdin } : { dirs };
    const r = await opts.run(wasmPath, spec.args, spec.env, rootDir, extra);
    const why: string[] = [];
    if (r.code !== spec.exit_code) why.push(`exit code ${r.code}, expected ${spec.exit_code}`);
    if (spec.stdout !== undefined && r.stdout !== spec.stdout) why.push(`stdout ${show(r.stdout)}, expected ${show(spec.stdout)}`);
    if (spec.stderr !== undefined && r.stderr !== spec.stderr) why.push(`stderr ${show(r.stderr)}, expected ${show(spec.stderr)}`);
    if (why.length > 0 && spec.stderr === undefined && r.stderr !== '') why.push(`stderr was ${show(r.stderr)}`);
    return why.length > 0 ? why.join('; ') : undefined;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Runs every test in `dirs`; prints one line per test and `N passed, N failed`.
 * Returns the exit status for the command: 0 when every test passed, else 1.
 */
export async function runWasiTests(dirs: string[], opts: WasiTestOptions): Promise<number> {
  const print = opts.print ?? ((line: string) => console.log(line));
  let passed = 0;
  let failed = 0;
  const suffix = opts.preset !== undefined ? ` [${opts.preset}]` : '';
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      print(`FAIL ${dir}: not a directory`);
      failed++;
      continue;
    }
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.cleanup'))) rmSync(path.join(dir, f), { recursive: true, force: true });
    const tests = findTests(dir);
    if (tests.length === 0) {
      print(`FAIL ${dir}: no .wasm test cases`);
      failed++;
    }
    for (const t of tests) {
      const name = path.relative(process.cwd(), t) || t;
      let why: string | undefined;
      try {
        why = await runOne(t, opts);
      } catch (e) {
        why = e instanceof Error ? e.message : String(e);
      }
      if (why === undefined) { passed++; print(`PASS ${name}${suffix}`); }
      else { failed++; print(`FAIL ${name}${suffix}: ${why}`); }
    }
  }
  print(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
