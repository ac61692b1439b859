// WASI preview1 layer (src/user/wasi/) on the fake kernel (fake-kernel.ts): the
// project's C programs through the conformance runner, SQLite against node:wasi,
// bad modules, errno mapping and sandboxed path resolution.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { WASI } from 'node:wasi';
import { runWasm, PREVIEW1_FUNCTIONS } from '../../src/user/wasi/index.js';
import { wasiErrno, E } from '../../src/user/wasi/constants.js';
import { Errno } from '../../src/abi/errno.js';
import { runWasiTests, readSpec } from '../../src/cli/wasi-test.js';
import { main as clangMain, parseJobs, temporaries } from '../../src/user/wasi/clang-driver.js';
import { FakeKernel } from './fake-kernel.js';
import { fakeRun } from './fake-run.js';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const cTests = path.join(repo, 'build/c-tests');
const sqliteWasm = path.join(repo, 'build/initramfs-extra/bin/sqlite3.wasm');

before(() => {
  // The C build is cached: after the first build this only hashes the sources.
  const r = spawnSync(process.execPath, [path.join(repo, 'scripts/build-c.mjs'), '--quiet'], { cwd: repo, encoding: 'utf8' });
  assert.equal(r.status, 0, `scripts/build-c.mjs failed:\n${r.stderr}`);
  assert.ok(fs.existsSync(sqliteWasm), 'build-c.mjs built no sqlite3.wasm (is clang installed?)');
});

function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-wasi-test-'));
}

// Runs a module on a fresh fake kernel rooted at `root`.
async function run(bytes: Uint8Array, args: string[], root: string, stdin = '', env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string; kernel: FakeKernel }> {
  const kernel = new FakeKernel(root, Buffer.from(stdin));
  kernel.install();
  const code = await runWasm(bytes, args, env);
  return { code, stdout: kernel.stdoutText(), stderr: kernel.stderrText(), kernel };
}

test('the C test programs pass through the conformance runner', async () => {
  const lines: string[] = [];
  const status = await runWasiTests([cTests], { run: fakeRun, print: (l) => lines.push(l) });
  const wasmCount = fs.readdirSync(cTests).filter((f) => f.endsWith('.wasm')).length;
  assert.ok(wasmCount >= 14, `expected the C tests in ${cTests}, found ${wasmCount}`);
  assert.deepEqual(lines.filter((l) => !l.startsWith('PASS ')), [`${wasmCount} passed, 0 failed`], lines.join('\n'));
  assert.equal(status, 0);
});

test('the conformance runner reports wrong output, wrong status and bad specs as failures', async () => {
  const dir = scratchDir();
  try {
    fs.copyFileSync(path.join(cTests, 'exit_code.wasm'), path.join(dir, 'a.wasm'));
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ args: ['3'], exit_code: 3, stdout: 'something else\n' }));
    fs.copyFileSync(path.join(cTests, 'exit_code.wasm'), path.join(dir, 'b.wasm'));
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ args: ['5'] }));
    fs.copyFileSync(path.join(cTests, 'exit_code.wasm'), path.join(dir, 'c.wasm'));
    fs.writeFileSync(path.join(dir, 'c.json'), '{ "args": "not a list" }');
    fs.writeFileSync(path.join(dir, 'old.cleanup'), 'stale');
    const lines: string[] = [];
    const status = await runWasiTests([dir], { run: fakeRun, print: (l) => lines.push(l), preset: 'fake' });
    assert.equal(status, 1);
    assert.equal(lines.length, 4);
    assert.match(lines[0] as string, /^FAIL .*a\.wasm \[fake\]: stdout "exiting with 3\\n", expected "something else\\n"$/);
    assert.match(lines[1] as string, /^FAIL .*b\.wasm \[fake\]: exit code 5, expected 0/);
    assert.match(lines[2] as string, /^FAIL .*c\.wasm \[fake\]: .*"args" must be an array of strings/);
    assert.equal(lines[3], '0 passed, 3 failed');
    assert.equal(fs.existsSync(path.join(dir, 'old.cleanup')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a spec without a .json file takes the defaults', () => {
  assert.deepEqual(readSpec('/nonexistent/x.wasm'), { args: [], env: {}, dirs: [], exit_code: 0 });
});

test('the root directory is copied before each run, so tests cannot change the original', async () => {
  const dir = scratchDir();
  try {
    fs.mkdirSync(path.join(dir, 'r'));
    fs.writeFileSync(path.join(dir, 'r', 'hello.txt'), 'hello\n');
    fs.copyFileSync(path.join(cTests, 'files.wasm'), path.join(dir, 'files.wasm'));
    fs.writeFileSync(path.join(dir, 'files.json'), JSON.stringify({ root: 'r', stdout: 'ok files\n' }));
    const lines: string[] = [];
    assert.equal(await runWasiTests([dir, dir], { run: fakeRun, print: (l) => lines.push(l) }), 0, lines.join('\n'));
    assert.equal(lines.at(-1), '2 passed, 0 failed');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'r')), ['hello.txt']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const SQL = (() => {
  const lines = ['create table t(id integer primary key, name text, v real);', 'begin;'];
  for (let i = 1; i <= 10000; i++) lines.push(`insert into t(name, v) values('name${i}', ${i} * 1.5);`);
  lines.push('commit;', 'create index t_name on t(name);', 'select count(*), sum(v), min(name), max(name) from t;',
    "select id, v from t where name = 'name5000';", 'select count(*) from t where name like \'name99%\';',
    'delete from t where id % 2 = 0;', 'select count(*) from t;', 'pragma integrity_check;');
  return lines.join('\n') + '\n';
})();

test('sqlite3.wasm gives the same output on kernelkit as under node:wasi, and leaves a database the host can open', async () => {
  const bytes = fs.readFileSync(sqliteWasm);
  const ours = scratchDir();
  const theirs = scratchDir();
  try {
    const r = await run(bytes, ['sqlite3', 'test.db'], ours, SQL, { HOME: '/' });
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.deepEqual(r.kernel.openFds(), []);

    fs.writeFileSync(path.join(theirs, 'script.sql'), SQL);
    const stdin = fs.openSync(path.join(theirs, 'script.sql'), 'r');
    const stdout = fs.openSync(path.join(theirs, 'out.txt'), 'w');
    const wasi = new WASI({ version: 'preview1', args: ['sqlite3', 'test.db'], env: { HOME: '/' }, preopens: { '/': theirs }, stdin, stdout, returnOnExit: true });
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), { wasi_snapshot_preview1: wasi.wasiImport } as WebAssembly.Imports);
    assert.equal(wasi.start(instance), 0);
    fs.closeSync(stdin);
    fs.closeSync(stdout);
    const expected = fs.readFileSync(path.join(theirs, 'out.txt'), 'utf8');
    assert.equal(r.stdout, expected);
    assert.match(r.stdout, /^10000\|75007500\.0\|name1\|name9999\n5000\|7500\.0\n111\n5000\nok\n$/);

    // The host's own SQLite (Debian's sqlite3, installed by .ci/run) opens and checks the file.
    const check = spawnSync('sqlite3', ['-readonly', path.join(ours, 'test.db'), 'select count(*) from t; pragma integrity_check; select name from t where id = 9999;'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    const [n, ok, last] = check.stdout.trim().split('\n');
    const rows = [{ n: Number(n), ok, last }];
    assert.deepEqual(rows, [{ n: 5000, ok: 'ok', last: 'name9999' }]);
  } finally {
    fs.rmSync(ours, { recursive: true, force: true });
    fs.rmSync(theirs, { recursive: true, force: true });
  }
});

test('sqlite3 run from a working directory other than / finds its database there', async () => {
  const root = scratchDir();
  try {
    fs.mkdirSync(path.join(root, 'home'));
    const kernel = new FakeKernel(root);
    kernel.cwd = '/home';
    kernel.install();
    const code = await runWasm(fs.readFileSync(sqliteWasm), ['sqlite3', 'cwd.db', 'create table x(a); insert into x values (1); select * from x;'], { HOME: '/home' });
    assert.equal(kernel.stderrText(), '');
    assert.equal(code, 0);
    assert.equal(kernel.stdoutText(), '1\n');
    assert.ok(fs.existsSync(path.join(root, 'home', 'cwd.db')));
    assert.equal(fs.existsSync(path.join(root, 'cwd.db')), false);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('bad modules end the process with a clear message and status 126, traps with 134', async () => {
  const root = scratchDir();
  try {
    const sqlite = fs.readFileSync(sqliteWasm);
    const truncated = await run(sqlite.subarray(0, 5000), ['truncated'], root);
    assert.equal(truncated.code, 126);
    assert.match(truncated.stderr, /^truncated: not a valid WebAssembly module: /);

    const garbage = await run(new TextEncoder().encode('\0asm this is not wasm'), ['garbage'], root);
    assert.equal(garbage.code, 126);
    assert.match(garbage.stderr, /^garbage: not a valid WebAssembly module/);

    const empty = await run(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), ['empty'], root);
    assert.equal(empty.code, 126);
    assert.equal(empty.stderr, 'empty: cannot run: the module exports no memory\n');

    const unknown = await run(fs.readFileSync(path.join(cTests, 'unknown_import.wasm')), ['unknown_import'], root);
    assert.equal(unknown.code, 126);
    assert.match(unknown.stderr, /^unknown_import: cannot run: unknown import env\.no_such_function \(function\)/);

    const trap = await run(fs.readFileSync(path.join(cTests, 'trap.wasm')), ['trap'], root);
    assert.equal(trap.code, 134);
    assert.equal(trap.stdout, 'before the trap\n');
    assert.equal(trap.stderr, 'trap: wasm trap: unreachable\n');
    assert.deepEqual(trap.kernel.openFds(), []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('every preview1 function is provided', async () => {
  assert.equal(PREVIEW1_FUNCTIONS.length, 46);
  assert.equal(new Set(PREVIEW1_FUNCTIONS).size, 46);
});

test('every Linux errno of the ABI maps to the WASI errno of the same name', () => {
  // Errnos WASI has no word for map to the nearest one (constants.ts says which).
  const renamed: Record<string, string> = { ENOTSUP: 'NOTSUP', EUCLEAN: 'IO', ENOTBLK: 'INVAL' };
  for (const [name, linux] of Object.entries(Errno)) {
    const wasiName = renamed[name] ?? name.slice(1);
    assert.ok(wasiName in E, `${name} has no WASI twin named ${wasiName}`);
    assert.equal(wasiErrno(linux), E[wasiName as keyof typeof E], name);
  }
  assert.equal(wasiErrno(9999), E.IO);
});

test('the clang driver parses the job list of clang -###', () => {
  const out = [
    'clang version 22.1.0 (https://example/llvm-project abc)', 'Target: wasm32-unknown-wasip1', 'Thread model: posix', 'InstalledDir: ', 'Build config: +assertions',
    ' "" "clang" "-cc1" "-o" "/tmp/a b-1.o" "-x" "c" "say \\"hi\\".c"',
    ' "wasm-ld" "-m" "wasm32" "/tmp/a b-1.o" "-o" "hello.wasm"', '',
  ].join('\n');
  assert.deepEqual(parseJobs(out), [
    ['clang', '-cc1', '-o', '/tmp/a b-1.o', '-x', 'c', 'say "hi".c'],
    ['wasm-ld', '-m', 'wasm32', '/tmp/a b-1.o', '-o', 'hello.wasm'],
  ]);
  assert.deepEqual(parseJobs('InstalledDir: /bin\n "/bin/clang" "clang" "-cc1" "x.c"\n "/bin/wasm-ld" "x.o"\n'), [['clang', '-cc1', 'x.c'], ['/bin/wasm-ld', 'x.o']]);
  assert.equal(parseJobs('clang version 22\nclang: error: no such file or directory: \'x.c\'\n'), undefined);
  assert.deepEqual(temporaries(parseJobs(out) ?? []), ['/tmp/a b-1.o']);
});

test('clang from @yowasp/clang compiles and links a C file on the WASI layer, and the result runs', async () => {
  const llvm = path.join(repo, 'node_modules/@yowasp/clang/gen/llvm.core.wasm');
  const resources = path.join(repo, 'node_modules/@yowasp/clang/gen/llvm-resources.tar');
  assert.ok(fs.existsSync(llvm) && fs.existsSync(resources), '@yowasp/clang is not installed (a devDependency)');
  const root = scratchDir();
  try {
    for (const d of ['usr/bin', 'tmp', 'home']) fs.mkdirSync(path.join(root, d), { recursive: true });
    const untar = spawnSync('tar', ['-xf', resources, '-C', path.join(root, 'usr')], { encoding: 'utf8' });
    assert.equal(untar.status, 0, untar.stderr);
    fs.symlinkSync(llvm, path.join(root, 'usr/bin/llvm.wasm'));
    fs.writeFileSync(path.join(root, 'home/hello.c'), '#include <stdio.h>\nint main(int argc, char **argv) { printf("compiled in kernelkit: %s\\n", argv[1]); return 3; }\n');
    const kernel = new FakeKernel(root);
    kernel.cwd = '/home';
    kernel.install();
    const status = await clangMain(['clang', '-O2', 'hello.c', '-o', 'hello.wasm'], {});
    assert.equal(kernel.stderrText(), '');
    assert.equal(status, 0);
    assert.deepEqual(kernel.openFds(), []);
    assert.deepEqual(fs.readdirSync(path.join(root, 'tmp')), []);

    assert.equal(fs.statSync(path.join(root, 'home/hello.wasm')).mode & 0o100, 0o100, 'a new .wasm file is executable');
    const result = await run(fs.readFileSync(path.join(root, 'home/hello.wasm')), ['hello', 'yes'], root);
    assert.equal(result.stdout, 'compiled in kernelkit: yes\n');
    assert.equal(result.code, 3);

    const broken = new FakeKernel(root);
    broken.cwd = '/home';
    broken.install();
    fs.writeFileSync(path.join(root, 'home/broken.c'), 'int main(void) { return undefined_name; }\n');
    assert.notEqual(await clangMain(['clang', 'broken.c', '-o', 'broken.wasm'], {}), 0);
    assert.match(broken.stderrText(), /broken\.c:1:.*undefined_name/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

// Runs stress.wasm (a seeded random walk over file operations) on the fake kernel and
// under node:wasi from empty roots; the transcripts must be identical.
async function stressBoth(seed: number, ops: number): Promise<[string, string]> {
  const ours = scratchDir();
  const theirs = scratchDir();
  try {
    const bytes = fs.readFileSync(path.join(cTests, 'stress.wasm'));
    const r = await fakeRun(path.join(cTests, 'stress.wasm'), [String(seed), String(ops)], {}, ours);
    assert.equal(r.code, 0, r.stderr);
    const outFile = path.join(theirs, '..', `${path.basename(theirs)}.out`);
    const out = fs.openSync(outFile, 'w');
    const wasi = new WASI({ version: 'preview1', args: ['stress.wasm', String(seed), String(ops)], env: {}, preopens: { '/': theirs }, stdout: out, returnOnExit: true });
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), { wasi_snapshot_preview1: wasi.wasiImport } as WebAssembly.Imports);
    assert.equal(wasi.start(instance), 0);
    fs.closeSync(out);
    const expected = fs.readFileSync(outFile, 'utf8');
    fs.rmSync(outFile);
    return [r.stdout, expected];
  } finally {
    fs.rmSync(ours, { recursive: true, force: true });
    fs.rmSync(theirs, { recursive: true, force: true });
  }
}

// Where this layer answers as wasmtime and uvwasi (node:wasi) does not (docs/wasi.md,
// "wasmtime and uvwasi"): an operation name, our errno, uvwasi's (C errno numbers as
// wasi-libc prints them). An error changes nothing, so the transcripts stay aligned.
const WASMTIME_NOT_UVWASI: [string, number, number][] = [
  // ftruncate on a directory: wasmtime EBADF, uvwasi ENOTCAPABLE (the right is missing).
  ['ftruncate', 8, 76],
  // ftruncate on a file opened read-only: wasmtime EPERM (the file's permissions are
  // its open mode); uvwasi ENOTCAPABLE (the right is missing).
  ['ftruncate', 63, 76],
  // lseek on a directory: wasmtime EBADF, uvwasi ESPIPE (wasi-libc's word for a missing seek right).
  ['lseek', 8, 70],
];

function sameOrKnown(ours: string | undefined, theirs: string | undefined): boolean {
  if (ours === theirs) return true;
  const a = /^(\w+) (.*) errno (\d+)$/.exec(ours ?? '');
  const b = /^(\w+) (.*) errno (\d+)$/.exec(theirs ?? '');
  if (a === null || b === null || a[1] !== b[1] || a[2] !== b[2]) return false;
  return WASMTIME_NOT_UVWASI.some(([op, x, y]) => op === a[1] && x === Number(a[3]) && y === Number(b[3]));
}

test('a seeded random walk over file operations gives the same transcript as node:wasi', async () => {
  const seeds = [7, 12345, 1 + Math.floor(Math.random() * 0xfffffff)];
  for (const seed of seeds) {
    const [ours, theirs] = await stressBoth(seed, 1500);
    const a = ours.split('\n');
    const b = theirs.split('\n');
    const first = a.findIndex((line, i) => !sameOrKnown(line, b[i]));
    assert.equal(first, -1, `seed ${seed}: line ${first + 1} differs: ours ${JSON.stringify(a[first])}, node:wasi ${JSON.stringify(b[first])}`);
    assert.equal(a.length, 1503, `seed ${seed}: transcript has ${a.length} lines`);
    assert.match(ours, /^seed \d+\n(.*\n){1500}done\n$/);
  }
});

test('KERNELKIT_WASI_PREOPENS chooses the preopens and is not passed to the guest', async () => {
  const root = scratchDir();
  try {
    fs.mkdirSync(path.join(root, 'r'));
    fs.writeFileSync(path.join(root, 'r', 'hello.txt'), 'hello\n');
    fs.mkdirSync(path.join(root, 'box'));
    fs.writeFileSync(path.join(root, 'box', 'inside.txt'), 'inside\n');
    const files = await run(fs.readFileSync(path.join(cTests, 'files.wasm')), ['files'], root, '', { KERNELKIT_WASI_PREOPENS: '/=/r' });
    assert.equal(files.stderr, '');
    assert.equal(files.stdout, 'ok files\n');
    assert.deepEqual(fs.readdirSync(path.join(root, 'r')).sort(), ['big.bin', 'hello.txt']);

    const env = await run(fs.readFileSync(path.join(cTests, 'args_env.wasm')), ['args_env'], root, '', { GREETING: 'hi', KERNELKIT_WASI_PREOPENS: '/=/r:box=/box' });
    assert.equal(env.stdout, 'GREETING=hi\n1 variables\n');

    const bad = await run(fs.readFileSync(path.join(cTests, 'args_env.wasm')), ['args_env'], root, '', { KERNELKIT_WASI_PREOPENS: 'nopath' });
    assert.equal(bad.code, 126);
    assert.equal(bad.stderr, "args_env: KERNELKIT_WASI_PREOPENS: 'nopath' is not GUEST=PATH\n");
    const missing = await run(fs.readFileSync(path.join(cTests, 'args_env.wasm')), ['args_env'], root, '', { KERNELKIT_WASI_PREOPENS: '/=/missing' });
    assert.equal(missing.code, 126);
    assert.match(missing.stderr, /^args_env: cannot set up preopened directories: \/missing: No such file or directory/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

