// The clang compiler driver for clang/lld compiled to WASI (the npm package
// @yowasp/clang ships LLVM as one preview1 command module, a multi-call binary that
// picks its tool from argv[0]). WASI cannot start processes, so clang's own driver
// cannot run cc1 and wasm-ld; this one does what yowasp's runClang does: ask
// `clang -###` for the job list, then run each job (clang -cc1 ..., wasm-ld ...) as a
// fresh instance of the same compiled module, one after the other, in this process.
//
// Layout it expects in kernelkit's filesystem (see docs/wasi.md): the module at
// $KERNELKIT_LLVM (default /usr/bin/llvm.wasm) and the package's resource tree
// (headers, wasi-libc, compiler-rt) unpacked at /usr, where the driver looks for it.
// A kernelkit program (e.g. /bin/clang) exports `main` from here. It runs in the
// program sandbox, which has no WebAssembly: LLVM is compiled and run through the
// runtime's WASI capability (libc/trap.ts WasmCapability, user/wasi/capability.ts).

import { readFile, open, close, read, lseek, unlink, getpid, getcwd, eprint, O, SEEK } from '../libc/index.js';
import { wasmCapability, type WasmHandle, type WasmRunOptions } from '../libc/trap.js';
import { LISTEN_ENV } from '../../abi/wasi-listen.js';

export const DEFAULT_LLVM = '/usr/bin/llvm.wasm';

// Arguments for which clang itself only prints (no jobs to run).
const INFO_ONLY = ['-###', '--version', '-help', '--help', '--help-hidden', '-print-search-dirs', '-print-resource-dir', '-dumpversion'];

/**
 * Parses the output of `clang -###` into the jobs it lists, or undefined when the
 * output is not a plain job list (an error, or nothing to do).
 */
export function parseJobs(output: string): string[][] | undefined {
  const jobs: string[][] = [];
  let inJobs = false;
  for (const line of output.split('\n')) {
    if (!inJobs) {
      if (/^(clang version |Target:|Thread model:|InstalledDir:|Build config:|Selected )/.test(line)) continue;
      inJobs = true;
    }
    if (line === ' (in-process)') continue;
    if (line.startsWith(' "')) {
      const job = [...line.matchAll(/ (?:([^ "]+)|"((?:[^"\\$]|\\["\\$])*)")/g)].map((m) => m[1] ?? (m[2] ?? '').replace(/\\(["$\\])/g, '$1'));
      // A cc1 job lists the executable clang found for itself ("" when it found none,
      // "/bin/clang" inside kernelkit) and then the argv[0] to give it: "clang".
      if (job[0] === '' || (/^clang(\+\+)?$/.test(job[1] ?? '') && (job[2] ?? '').startsWith('-cc1'))) job.shift();
      jobs.push(job);
      continue;
    }
    if (line === '') break;
    return undefined;
  }
  return jobs.length > 0 ? jobs : undefined;
}

/** Temporary files the jobs pass between them (outputs under /tmp that a later job reads). */
export function temporaries(jobs: string[][]): string[] {
  const out: string[] = [];
  jobs.slice(0, -1).forEach((job) => {
    const i = job.indexOf('-o');
    const file = i >= 0 ? job[i + 1] : undefined;
    if (file !== undefined && file.startsWith('/tmp/') && jobs.some((later) => later !== job && later.includes(file))) out.push(file);
  });
  return out;
}

/**
 * LLVM's libc starts at '/' and cannot be told the process's cwd (docs/wasi.md), so
 * the driver tells clang instead: `-working-directory CWD`, which clang applies to its
 * inputs and passes on to cc1. wasm-ld has no such option; the one name of the link
 * job that is the user's to place, its `-o` output, is given to it against the cwd.
 * Other relative operands of a link step (object files, -L) resolve from '/'.
 */
export function inWorkingDirectory(args: string[], cwd: string): string[] {
  return cwd === '/' ? args : ['-working-directory', cwd, ...args];
}

/** The link job with a relative `-o` output made absolute against `cwd`. */
export function linkOutputIn(job: string[], cwd: string): string[] {
  if (job[0] !== 'wasm-ld') return job;
  const i = job.indexOf('-o');
  const out = i >= 0 ? job[i + 1] : undefined;
  if (out === undefined || out.startsWith('/') || cwd === '/') return job;
  return [...job.slice(0, i + 1), `${cwd}/${out}`, ...job.slice(i + 2)];
}

function readAllFrom(fd: number): string {
  lseek(fd, 0, SEEK.SET);
  const parts: Uint8Array[] = [];
  for (;;) {
    const b = read(fd, 65536);
    if (b.length === 0) break;
    parts.push(b);
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return new TextDecoder().decode(all);
}

/** `clang ARGS...` / `clang++ ARGS...`: compiles and links; returns the exit status. */
export async function main(argv: string[], env: Record<string, string>): Promise<number> {
  // A compiler serves nobody: --listen's listeners are not opened for its jobs (each
  // job would bind the port again, and fail while a server holds it).
  const { [LISTEN_ENV]: _listen, ...jobEnvironment } = env;
  env = jobEnvironment;
  const base = (argv[0] ?? 'clang').split('/').pop() ?? 'clang';
  const tool = base === 'clang++' ? 'clang++' : 'clang';
  const cwd = getcwd();
  const args = inWorkingDirectory(argv.slice(1), cwd);
  const llvmPath = env.KERNELKIT_LLVM ?? DEFAULT_LLVM;
  const wasm = wasmCapability();
  if (wasm === undefined) { eprint(`${tool}: this process cannot run WebAssembly modules\n`); return 127; }
  const runWasm = (m: WasmHandle, jobArgv: string[], jobEnv: Record<string, string>, o: WasmRunOptions): Promise<number> => wasm.run(m, jobArgv, jobEnv, o);
  let module: WasmHandle;
  try {
    module = await wasm.compile(readFile(llvmPath));
  } catch (e) {
    eprint(`${tool}: cannot load ${llvmPath}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 127;
  }
  const options: WasmRunOptions = {};
  if (argv.length <= 1 || args.some((a) => INFO_ONLY.includes(a))) return runWasm(module, [tool, ...args], env, options);

  // Ask for the job list, with stdout and stderr captured in a scratch file.
  const scratch = `/tmp/.clang-jobs-${getpid()}`;
  const fd = open(scratch, O.RDWR | O.CREAT | O.TRUNC, 0o600);
  let output: string;
  let status: number;
  try {
    status = await runWasm(module, [tool, '-###', ...args], env, { ...options, stdio: [0, fd, fd] });
    output = readAllFrom(fd);
  } finally {
    close(fd);
    try { unlink(scratch); } catch { /* already gone */ }
  }
  const jobs = status === 0 ? parseJobs(output) : undefined;
  if (jobs === undefined) {
    eprint(output);
    return status === 0 ? 1 : status;
  }
  if (args.includes('-v')) eprint(output);
  try {
    for (const job of jobs) {
      const code = await runWasm(module, linkOutputIn(job, cwd), env, options);
      if (code !== 0) return code;
    }
    return 0;
  } finally {
    // clang's own driver removes its temporaries; jobs run one by one cannot.
    for (const file of temporaries(jobs)) {
      try { unlink(file); } catch { /* never made, or already gone */ }
    }
  }
}
