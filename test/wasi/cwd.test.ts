// A WASI program run from a cwd other than '/': the runtime gives it the kernel's '/'
// as its '/' and its cwd as PWD; every path is resolved by the kernel beneath the
// preopen's open directory. The C programs kernelkit builds chdir to PWD at start-up
// (scripts/build-c.mjs), so relative names are the cwd's and absolute names the
// root's, with no guess between the two (docs/wasi.md).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runWasm } from '../../src/user/wasi/index.js';
import { inWorkingDirectory, linkOutputIn } from '../../src/user/wasi/clang-driver.js';
import { FakeKernel } from './fake-kernel.js';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const sqliteWasm = path.join(repo, 'build/initramfs-extra/bin/sqlite3.wasm');
const argsEnvWasm = path.join(repo, 'build/c-tests/args_env.wasm');

before(() => {
  const r = spawnSync(process.execPath, [path.join(repo, 'scripts/build-c.mjs'), '--quiet'], { cwd: repo, encoding: 'utf8' });
  assert.equal(r.status, 0, `scripts/build-c.mjs failed:\n${r.stderr}`);
});

function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-wasi-cwd-'));
}

async function sqliteIn(root: string, cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string; kernel: FakeKernel }> {
  const kernel = new FakeKernel(root);
  kernel.cwd = cwd;
  kernel.install();
  const code = await runWasm(fs.readFileSync(sqliteWasm), ['sqlite3', ...args], { HOME: cwd });
  return { code, stdout: kernel.stdoutText(), stderr: kernel.stderrText(), kernel };
}

test('regression: an absolute path from a cwd holding a directory of the same name was taken from the cwd', async () => {
  const root = scratchDir();
  try {
    // /home/tmp exists: the first-component guess sent "/tmp/abs.db" to /home/tmp/abs.db.
    fs.mkdirSync(path.join(root, 'home', 'tmp'), { recursive: true });
    fs.mkdirSync(path.join(root, 'tmp'));
    const r = await sqliteIn(root, '/home', ['/tmp/abs.db', 'create table x(a); insert into x values (7); select * from x;']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '7\n');
    assert.ok(fs.existsSync(path.join(root, 'tmp', 'abs.db')));
    assert.deepEqual(fs.readdirSync(path.join(root, 'home', 'tmp')), []);
    assert.deepEqual(r.kernel.openFds(), []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('regression: a relative path whose first component exists only in / was taken from /', async () => {
  const root = scratchDir();
  try {
    // "etc/rel.db" from /home is /home/etc/rel.db, even though only /etc exists.
    fs.mkdirSync(path.join(root, 'home'));
    fs.mkdirSync(path.join(root, 'etc'));
    const missing = await sqliteIn(root, '/home', ['etc/rel.db', 'create table x(a);']);
    assert.notEqual(missing.code, 0, 'no /home/etc: sqlite cannot create the file');
    assert.deepEqual(fs.readdirSync(path.join(root, 'etc')), []);

    fs.mkdirSync(path.join(root, 'home', 'etc'));
    const r = await sqliteIn(root, '/home', ['etc/rel.db', 'create table x(a); insert into x values (8); select * from x;']);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, '8\n');
    assert.ok(fs.existsSync(path.join(root, 'home', 'etc', 'rel.db')));
    assert.deepEqual(fs.readdirSync(path.join(root, 'etc')), []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a WASI program gets its cwd as PWD when its / is the kernel\'s / and its cwd is not /, and its environment as given otherwise', async () => {
  const root = scratchDir();
  try {
    fs.mkdirSync(path.join(root, 'home', 'box'), { recursive: true });
    const runArgsEnv = async (env: Record<string, string>, cwd = '/home'): Promise<string> => {
      const kernel = new FakeKernel(root);
      kernel.cwd = cwd;
      kernel.install();
      assert.equal(await runWasm(fs.readFileSync(argsEnvWasm), ['args_env'], env), 0);
      return kernel.stdoutText();
    };
    // args_env prints GREETING and counts the variables: PWD is the one added.
    assert.equal(await runArgsEnv({ GREETING: 'hi', PWD: '/stale' }), 'GREETING=hi\n2 variables\n');
    assert.equal(await runArgsEnv({ GREETING: 'hi' }), 'GREETING=hi\n2 variables\n');
    assert.equal(await runArgsEnv({ GREETING: 'hi', KERNELKIT_WASI_PREOPENS: '/=/home/box' }), 'GREETING=hi\n1 variables\n');
    // At '/', where wasi-libc starts anyway, the environment is exactly the one given.
    assert.equal(await runArgsEnv({ GREETING: 'hi' }, '/'), 'GREETING=hi\n1 variables\n');
    assert.equal(await runArgsEnv({ GREETING: 'hi', PWD: '/home' }, '/'), 'GREETING=hi\n2 variables\n');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the clang driver tells clang its working directory and places a relative link output there', () => {
  assert.deepEqual(inWorkingDirectory(['-O2', 'a.c'], '/'), ['-O2', 'a.c']);
  assert.deepEqual(inWorkingDirectory(['-O2', 'a.c'], '/src'), ['-working-directory', '/src', '-O2', 'a.c']);
  const link = ['wasm-ld', '-m', 'wasm32', '/tmp/a-1.o', '-lc', '-o', 'prog'];
  assert.deepEqual(linkOutputIn(link, '/src'), ['wasm-ld', '-m', 'wasm32', '/tmp/a-1.o', '-lc', '-o', '/src/prog']);
  assert.deepEqual(linkOutputIn(['wasm-ld', '-o', '/tmp/x.wasm'], '/src'), ['wasm-ld', '-o', '/tmp/x.wasm']);
  assert.deepEqual(linkOutputIn(['clang', '-cc1', '-o', 'x.o'], '/src'), ['clang', '-cc1', '-o', 'x.o']);
});
