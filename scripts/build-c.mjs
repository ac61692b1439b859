// Build C programs to WebAssembly/WASI with Debian's clang, lld and wasi-libc:
//   test/c/NAME.c       -> build/c-tests/NAME.wasm (+ NAME.json, NAME.dir/ copied beside
//                          it: the wasi-testsuite layout `kernelkit wasi-test` runs),
//                          and the same tree (plus NAME.stdin files) inside the image at
//                          /usr/lib/wasi-tests, so system tests can run them on every preset
//   SQLite shell        -> build/initramfs-extra/bin/sqlite3.wasm (scripts/build.mjs
//                          packs build/initramfs-extra into the initramfs)
//   src/user/c/NAME.c   -> build/initramfs-extra/bin/NAME.wasm: the system's own WASI
//                          programs in C (/bin/NAME; wasi-httpd serves --listen sockets)
// SQLite's amalgamation comes from the npm package `sqlite3` (deps/sqlite-autoconf-*.tar.gz).
// Every output is cached in build/c-cache.json by a hash of its inputs and flags, so
// a run with nothing changed only hashes files. Without clang on PATH the script
// prints why and exits 0 (nothing else is skipped: a missing wasi-libc is an error).
//
// With --clang it also stages clang/lld for use inside kernelkit (docs/wasi.md) from
// the npm package @yowasp/clang: build/clang-root/usr/bin/llvm.wasm and the resource
// tree (headers, wasi-libc, compiler-rt) under build/clang-root/usr, ready to be
// mounted or copied at /usr. It is not part of the default image (100 MiB).
//
// Usage: node scripts/build-c.mjs [--force] [--quiet] [--clang]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync, statSync, cpSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const force = process.argv.includes('--force');
const quiet = process.argv.includes('--quiet');
const log = (s) => { if (!quiet) console.error(`build-c: ${s}`); };

const which = spawnSync('sh', ['-c', 'command -v clang'], { encoding: 'utf8' });
if (which.status !== 0) {
  console.error('build-c: clang not found on PATH; skipping the C programs (install: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32)');
  process.exit(0);
}
const clangVersion = spawnSync('clang', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];

const EMULATED = ['SIGNAL', 'PROCESS_CLOCKS', 'MMAN', 'GETPID'];
const COMMON = [
  '--target=wasm32-wasi', '-O2', '-Wall', '-Wno-unused-function',
  ...EMULATED.map((e) => `-D_WASI_EMULATED_${e}`),
];
const LIBS = ['-lwasi-emulated-signal', '-lwasi-emulated-process-clocks', '-lwasi-emulated-mman', '-lwasi-emulated-getpid'];
const LINK = ['-Wl,--strip-debug', '-Wl,-z,stack-size=1048576'];

// What the 2022 wasi-libc lacks and SQLite's shell calls: small, honest stand-ins.
const WASI_STUBS = `// Written by scripts/build-c.mjs: functions wasi-libc (2022) lacks.
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

// realpath without symlink resolution: makes the path absolute against getcwd()
// (the cwd taken from PWD, below)
// and removes "." and ".." lexically.
char *realpath(const char *restrict path, char *restrict resolved) {
  char buf[PATH_MAX];
  if (path == NULL) { errno = EINVAL; return NULL; }
  if (path[0] == '/') { buf[0] = 0; }
  else if (getcwd(buf, sizeof buf) == NULL) return NULL;
  size_t n = strlen(buf);
  if (n + strlen(path) + 2 > sizeof buf) { errno = ENAMETOOLONG; return NULL; }
  buf[n] = '/';
  strcpy(buf + n + 1, path);
  char *out = resolved != NULL ? resolved : malloc(PATH_MAX);
  if (out == NULL) { errno = ENOMEM; return NULL; }
  size_t len = 0;
  for (char *p = buf; *p != 0;) {
    while (*p == '/') p++;
    char *end = p;
    while (*end != 0 && *end != '/') end++;
    size_t part = (size_t)(end - p);
    if (part == 0 || (part == 1 && p[0] == '.')) {
    } else if (part == 2 && p[0] == '.' && p[1] == '.') {
      while (len > 0 && out[len - 1] != '/') len--;
      if (len > 0) len--;
    } else {
      out[len++] = '/';
      memcpy(out + len, p, part);
      len += part;
    }
    p = end;
  }
  if (len == 0) out[len++] = '/';
  out[len] = 0;
  return out;
}

// WASI has no permission bits: accept and ignore.
int chmod(const char *path, mode_t mode) { (void)mode; struct stat st; return stat(path, &st); }
int fchmod(int fd, mode_t mode) { (void)mode; struct stat st; return fstat(fd, &st); }

// No processes to start: report that no shell is available, as system(NULL) == 0 means.
int system(const char *command) { if (command == NULL) return 0; errno = ENOSYS; return -1; }

// The working directory: wasi-libc starts every program at "/" and cannot be told
// another. kernelkit's WASI runtime passes the process's cwd in PWD (docs/wasi.md);
// taking it here makes relative paths relative to it, as on any Unix.
__attribute__((constructor)) static void kernelkit_initial_cwd(void) {
  const char *pwd = getenv("PWD");
  if (pwd != NULL && pwd[0] == '/') (void)chdir(pwd);
}
`;

const cacheFile = 'build/c-cache.json';
mkdirSync('build', { recursive: true });
const cache = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};

function hashOf(files, args) {
  const h = createHash('sha256');
  h.update(clangVersion);
  h.update(JSON.stringify(args));
  for (const f of files) { h.update(f); h.update(readFileSync(f)); }
  return h.digest('hex');
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(`${cmd} ${args.join(' ')}\n${err}`))));
  });
}

// Compiles `sources` into `out` unless the cache says the inputs are unchanged.
async function compile(name, sources, out, extraArgs, hashInputs = sources) {
  const args = [...COMMON, ...extraArgs, ...sources, ...LINK, ...LIBS, '-o', out];
  const key = hashOf(hashInputs, args);
  if (!force && cache[out] === key && existsSync(out)) return false;
  mkdirSync(path.dirname(out), { recursive: true });
  const started = Date.now();
  const warnings = await run('clang', args);
  if (warnings.trim() !== '' && !quiet) process.stderr.write(warnings);
  cache[out] = key;
  log(`${name} -> ${out} (${(statSync(out).size / 1024).toFixed(0)} KiB, ${Date.now() - started} ms)`);
  return true;
}

// A small pool: clang is single-threaded, so run one per CPU.
async function pool(jobs, width) {
  const results = [];
  let next = 0;
  const workers = Array.from({ length: Math.min(width, jobs.length) }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      results.push(await job());
    }
  });
  await Promise.all(workers);
  return results;
}

// Checks that wasi-libc is installed where Debian's clang finds it by default.
const probe = spawnSync('clang', ['--target=wasm32-wasi', '-print-file-name=libc.a'], { encoding: 'utf8' }).stdout.trim();
if (!existsSync(probe)) {
  console.error(`build-c: clang is installed but wasi-libc is not (clang looked for ${probe}); install: apt-get install lld wasi-libc libclang-rt-14-dev-wasm32`);
  process.exit(1);
}

const started = Date.now();
const jobs = [];

// ---- the project's C tests (wasi-testsuite layout) ----------------------------------
const testSrc = 'test/c';
const testOut = 'build/c-tests';
mkdirSync(testOut, { recursive: true });
const common = path.join(testSrc, 'common.h');
for (const f of readdirSync(testSrc).filter((f) => f.endsWith('.c')).sort()) {
  const name = f.slice(0, -2);
  const inputs = [path.join(testSrc, f), ...(existsSync(common) ? [common] : [])];
  jobs.push(() => compile(name, [path.join(testSrc, f)], path.join(testOut, `${name}.wasm`), [`-I${testSrc}`], inputs));
}
// A test whose source is gone must not linger as a stale .wasm.
for (const f of readdirSync(testOut).filter((f) => f.endsWith('.wasm') && !existsSync(path.join(testSrc, f.replace(/\.wasm$/, '.c'))))) {
  rmSync(path.join(testOut, f));
  rmSync(path.join(testOut, f.replace(/\.wasm$/, '.json')), { force: true });
}
// The .json specs and .dir trees sit beside the .wasm files, as the layout requires.
for (const f of readdirSync(testSrc)) {
  const p = path.join(testSrc, f);
  if (f.endsWith('.json')) cpSync(p, path.join(testOut, f));
  else if (f.endsWith('.dir') && statSync(p).isDirectory()) {
    rmSync(path.join(testOut, f), { recursive: true, force: true });
    cpSync(p, path.join(testOut, f), { recursive: true });
  }
}

// ---- the system's WASI programs in C ----------------------------------------------------
const programSrc = 'src/user/c';
for (const f of existsSync(programSrc) ? readdirSync(programSrc).filter((f) => f.endsWith('.c')).sort() : []) {
  const name = f.slice(0, -2);
  jobs.push(() => compile(name, [path.join(programSrc, f)], `build/initramfs-extra/bin/${name}.wasm`, []));
}

// ---- SQLite shell ---------------------------------------------------------------------
const depsDir = 'node_modules/sqlite3/deps';
const tarball = existsSync(depsDir) ? readdirSync(depsDir).find((f) => /^sqlite-autoconf-\d+\.tar\.gz$/.test(f)) : undefined;
if (tarball === undefined) {
  console.error('build-c: node_modules/sqlite3/deps/sqlite-autoconf-*.tar.gz not found (run npm install); not building sqlite3.wasm');
  process.exitCode = 1;
} else {
  const srcDir = path.join('build/sqlite-src', tarball.replace(/\.tar\.gz$/, ''));
  if (!existsSync(path.join(srcDir, 'shell.c'))) {
    mkdirSync('build/sqlite-src', { recursive: true });
    const r = spawnSync('tar', ['-xzf', path.join(depsDir, tarball), '-C', 'build/sqlite-src', `${tarball.replace(/\.tar\.gz$/, '')}/sqlite3.c`, `${tarball.replace(/\.tar\.gz$/, '')}/sqlite3.h`, `${tarball.replace(/\.tar\.gz$/, '')}/shell.c`], { stdio: 'inherit' });
    if (r.status !== 0) { console.error(`build-c: cannot extract ${tarball}`); process.exit(1); }
  }
  const stubs = 'build/c-stubs/wasi-stubs.c';
  mkdirSync(path.dirname(stubs), { recursive: true });
  if (!existsSync(stubs) || readFileSync(stubs, 'utf8') !== WASI_STUBS) writeFileSync(stubs, WASI_STUBS);
  const sqliteFlags = [
    `-I${srcDir}`, '-DSQLITE_OMIT_LOAD_EXTENSION', '-DSQLITE_THREADSAFE=0', '-DSQLITE_OMIT_WAL',
    '-DSQLITE_OMIT_SHARED_CACHE', '-DSQLITE_DEFAULT_MEMSTATUS=0', '-DSQLITE_NOHAVE_SYSTEM',
    '-Wno-unused-variable', '-Wno-unused-but-set-variable', '-Wno-unknown-warning-option', '-Wno-implicit-function-declaration',
  ];
  const sources = [path.join(srcDir, 'shell.c'), path.join(srcDir, 'sqlite3.c'), stubs];
  jobs.unshift(() => compile('sqlite3', sources, 'build/initramfs-extra/bin/sqlite3.wasm', sqliteFlags, [path.join(depsDir, tarball), stubs]));
}

// ---- clang/lld from @yowasp/clang (opt-in) ---------------------------------------------
if (process.argv.includes('--clang')) {
  const gen = 'node_modules/@yowasp/clang/gen';
  const wasm = path.join(gen, 'llvm.core.wasm');
  const tar = path.join(gen, 'llvm-resources.tar');
  if (!existsSync(wasm) || !existsSync(tar)) {
    console.error('build-c: --clang needs the npm package @yowasp/clang (gen/llvm.core.wasm, gen/llvm-resources.tar)');
    process.exit(1);
  }
  const stamp = 'build/clang-root/.stamp';
  const key = `${statSync(wasm).size}:${statSync(wasm).mtimeMs}:${statSync(tar).size}:${statSync(tar).mtimeMs}`;
  if (force || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== key) {
    rmSync('build/clang-root', { recursive: true, force: true });
    mkdirSync('build/clang-root/usr/bin', { recursive: true });
    const r = spawnSync('tar', ['-xf', tar, '-C', 'build/clang-root/usr'], { stdio: 'inherit' });
    if (r.status !== 0) { console.error(`build-c: cannot extract ${tar}`); process.exit(1); }
    cpSync(wasm, 'build/clang-root/usr/bin/llvm.wasm');
    writeFileSync(stamp, key);
    log('clang -> build/clang-root/usr (llvm.wasm and the resource tree)');
  }
}

// Copies the C tests into the image tree once they are built.
function installTests() {
  const dest = 'build/initramfs-extra/usr/lib/wasi-tests';
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  cpSync(testOut, dest, { recursive: true });
  for (const f of readdirSync(dest).filter((f) => f.endsWith('.json'))) {
    const spec = JSON.parse(readFileSync(path.join(dest, f), 'utf8'));
    if (typeof spec.stdin === 'string') writeFileSync(path.join(dest, f.replace(/\.json$/, '.stdin')), spec.stdin);
  }
}

try {
  const built = await pool(jobs, Math.max(1, cpus().length));
  installTests();
  writeFileSync(cacheFile, JSON.stringify(cache, null, 1));
  const n = built.filter(Boolean).length;
  log(`${n} built, ${built.length - n} up to date, ${Date.now() - started} ms`);
} catch (e) {
  writeFileSync(cacheFile, JSON.stringify(cache, null, 1));
  console.error(`build-c: compile failed: ${e.message}`);
  process.exit(1);
}
