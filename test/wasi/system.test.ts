// System tests of the WASI layer on every preset: the project's C tests (installed in
// the image at /usr/lib/wasi-tests by scripts/build-c.mjs) run through the real
// kernel, shell, pipes and ramfs; SQLite writes a 10,000-row database to an ext2 root
// disk that e2fsck and the host's SQLite then check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runMachine } from '../../src/hosts/node/machine.js';
import { readSpec } from '../../src/cli/wasi-test.js';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const cTests = path.join(repo, 'build/c-tests');
const inImage = '/usr/lib/wasi-tests';
const PRESETS = ['monolithic', 'microkernel', 'hybrid'];

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

async function boot(preset: string, line: string, disk?: string): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const dec = new TextDecoder();
  const status = await runMachine({
    preset, placement: {}, ipc: 'shm', init: ['/bin/sh', '-c', line], stdin: 'none', ...(disk !== undefined ? { disk } : {}),
    stdout: (b) => { out += dec.decode(b, { stream: true }); },
    stderr: (b) => { err += dec.decode(b, { stream: true }); },
  });
  return { status, out, err };
}

// One shell line per test, following the spec as runWasiTests does: scratch copies of
// root and dirs, preopens through KERNELKIT_WASI_PREOPENS, stdin through a pipe.
function testLine(name: string): string {
  const spec = readSpec(path.join(cTests, `${name}.wasm`));
  const preopens: string[] = [];
  let line = 'rm -rf /s; mkdir /s; ';
  if (spec.root !== undefined) { line += `cp -r ${inImage}/${spec.root} /s/root; `; preopens.push('/=/s/root'); }
  for (const d of spec.dirs) { line += `cp -r ${inImage}/${d} /s/${d}; `; preopens.push(`${d}=/s/${d}`); }
  if (spec.stdin !== undefined) line += `cat ${inImage}/${name}.stdin | `;
  if (preopens.length > 0) line += `KERNELKIT_WASI_PREOPENS=${preopens.join(':')} `;
  for (const [k, v] of Object.entries(spec.env)) line += `${k}=${quote(v)} `;
  line += `${inImage}/${name}.wasm ${spec.args.map(quote).join(' ')}`;
  if (spec.stdin === undefined) line += ' < /dev/null';
  return `${line} > /s/out 2> /s/err; echo @@@begin ${name} $?; cat /s/out; echo @@@err; cat /s/err; echo @@@end`;
}

for (const preset of PRESETS) {
  test(`the C test programs pass inside kernelkit (${preset})`, async () => {
    // args_env is left out here: a process started by the shell also gets init's
    // PATH, HOME and TERM, so its "2 variables" holds only where the runner controls
    // the whole environment (wasi.test.ts runs it).
    const names = fs.readdirSync(cTests).filter((f) => f.endsWith('.wasm')).map((f) => f.slice(0, -5)).filter((n) => n !== 'args_env').sort();
    assert.ok(names.length >= 15, `C tests missing in ${cTests}`);
    const r = await boot(preset, names.map(testLine).join('; '));
    assert.equal(r.status, 0, r.err);
    const results = new Map<string, { code: number; stdout: string; stderr: string }>();
    for (const m of r.out.matchAll(/@@@begin (\S+) (\d+)\n([\s\S]*?)@@@err\n([\s\S]*?)@@@end\n/g)) {
      results.set(m[1] as string, { code: Number(m[2]), stdout: m[3] as string, stderr: m[4] as string });
    }
    for (const name of names) {
      const spec = readSpec(path.join(cTests, `${name}.wasm`));
      const got = results.get(name);
      assert.ok(got !== undefined, `${name}: no result in the console output:\n${r.out.slice(-2000)}\n${r.err.slice(-2000)}`);
      assert.equal(got.code, spec.exit_code, `${name}: exit code (stderr: ${got.stderr})`);
      if (spec.stdout !== undefined) assert.equal(got.stdout, spec.stdout, `${name}: stdout`);
      if (spec.stderr !== undefined) assert.equal(got.stderr, spec.stderr, `${name}: stderr`);
    }
  });
}

const SQL = "create table t(id integer primary key, name text, v real); begin; " +
  "with recursive c(x) as (select 1 union all select x+1 from c where x<10000) insert into t(name, v) select 'name'||x, x*1.5 from c; " +
  'commit; create index t_name on t(name); select count(*), sum(v), min(name), max(name) from t; ' +
  "select id, v from t where name = 'name5000'; pragma integrity_check;";

/** The same sqlite3.wasm and script under Node's own node:wasi, on the host: the reference output. */
async function sqliteUnderNodeWasi(sql: string): Promise<string> {
  const { WASI } = await import('node:wasi');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-nodewasi-'));
  const outPath = path.join(dir, 'out');
  const out = fs.openSync(outPath, 'w');
  try {
    const wasi = new WASI({ version: 'preview1', args: ['sqlite3', '/t.db', sql], env: {}, preopens: { '/': dir }, stdout: out, returnOnExit: true });
    const wasm = fs.readFileSync(path.join(repo, 'build/initramfs-extra/bin/sqlite3.wasm'));
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(wasm), wasi.getImportObject() as WebAssembly.Imports);
    assert.equal(wasi.start(instance), 0, 'sqlite3 under node:wasi exits 0');
    return fs.readFileSync(outPath, 'utf8');
  } finally {
    fs.closeSync(out);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (const preset of PRESETS) {
  test(`sqlite3 leaves a database on an ext2 disk that e2fsck and the host's SQLite accept (${preset})`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-wasi-ext2-'));
    try {
      const image = path.join(dir, 'disk.img');
      const mk = spawnSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-b', '1024', image, '32M'], { encoding: 'utf8' });
      assert.equal(mk.status, 0, `mke2fs: ${mk.stderr}`);
      const r = await boot(preset, `mkdir /data; cd /data && /bin/sqlite3 t.db ${quote(SQL)}`, image);
      assert.equal(r.status, 0, r.err);
      // The reference is computed, not typed in: the same binary and script under node:wasi.
      const expected = await sqliteUnderNodeWasi(SQL);
      assert.match(expected, /^10000\|/, 'the reference run inserted 10,000 rows');
      assert.equal(r.out, expected);
      const fsck = spawnSync('e2fsck', ['-fn', image], { encoding: 'utf8' });
      assert.equal(fsck.status, 0, `e2fsck: ${fsck.stdout}${fsck.stderr}`);
      const dumped = path.join(dir, 't.db');
      const dump = spawnSync('debugfs', ['-R', `dump /data/t.db ${dumped}`, image], { encoding: 'utf8' });
      assert.equal(dump.status, 0, dump.stderr);
      // The host's own SQLite (Debian's sqlite3, installed by .ci/run) is the judge.
      const check = spawnSync('sqlite3', ['-readonly', dumped, 'select count(*) from t; pragma integrity_check;'], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stderr);
      const [n, ok] = check.stdout.trim().split('\n');
      const rows = [{ n: Number(n), ok }];
      assert.deepEqual(rows, [{ n: 10000, ok: 'ok' }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
