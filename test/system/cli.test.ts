// The command-line contract: what tests and users depend on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { PRESETS } from './harness.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');

function kernelkit(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('presets lists each preset with the domain of each component', () => {
  const r = kernelkit('presets');
  assert.equal(r.status, 0);
  for (const p of PRESETS) assert.match(r.stdout, new RegExp(`^${p}\\s.*vfs=(kernel|user)`, 'm'));
  assert.match(r.stdout, /^monolithic\s.*blk=kernel/m);
  assert.match(r.stdout, /^microkernel\s.*blk=user/m);
});

for (const p of PRESETS) {
  test(`run on ${p}: output and errors on one host descriptor keep the order they were written in`, () => {
    // The console drains its output and error rings at once; both on one descriptor
    // (2>&1 on the host, or a terminal) must still read as the guest wrote them.
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" run --preset ${p} -- 'for i in $(seq 1 12); do echo out$i; echo err$i >&2; done; echo last' 2>&1`], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stdout);
    const want = Array.from({ length: 12 }, (_, i) => `out${i + 1}\nerr${i + 1}\n`).join('') + 'last\n';
    assert.equal(r.stdout, want);
  });
}

for (const p of PRESETS) {
  test(`run on ${p}: output byte for byte, the preset's name from uname`, () => {
    const r = kernelkit('run', '--preset', p, '--', 'echo hi > /tmp/a; cat /tmp/a | wc -c; uname');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `3\n${p}\n`);
    assert.equal(r.stderr, '', 'run prints nothing of its own');
  });
}

test('run exits with the status of the line; --verbose shows the boot log', () => {
  assert.equal(kernelkit('run', '--', 'exit 3').status, 3);
  assert.equal(kernelkit('run', '--preset', 'microkernel', '--', 'false').status, 1);
  const v = kernelkit('run', '--verbose', '--preset', 'hybrid', '--', 'true');
  assert.equal(v.status, 0);
  assert.match(v.stderr, /booting preset hybrid/);
  assert.match(v.stderr, /blk\s+user domain/);
  assert.match(v.stderr, /vfs\s+kernel domain/);
});

test('run confines the machine with Node\'s permission model; shares still work', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-confine-'));
  const img = path.join(dir, 'disk.img');
  const share = path.join(dir, 'share');
  fs.mkdirSync(share);
  try {
    const r = kernelkit('run', '--verbose', '--mount', `${share}:/host`, '--', 'echo shared > /host/f; cat /host/f');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'shared\n');
    // The host process itself reports what Node lets it do.
    assert.match(r.stderr, /^host: confined by Node's permission model: child processes no, write \S+ no, read \/etc\/passwd no$/m, r.stderr);
    assert.equal(fs.readFileSync(path.join(share, 'f'), 'utf8'), 'shared\n');
    // A disk needs fsync, which the permission model disables: that run is not confined.
    assert.equal(kernelkit('mkfs', img, '--size', '8M').status, 0);
    const d = kernelkit('run', '--verbose', '--disk', img, '--', 'echo on-disk > /d; sync; cat /d');
    assert.equal(d.status, 0, d.stderr);
    assert.equal(d.stdout, 'on-disk\n');
    assert.match(d.stderr, /^host: not confined/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a confined machine ends when the process that started it is killed with SIGKILL (it cannot pass that on)', async () => {
  const wrapper = spawn(process.execPath, [bin, 'run', '--', 'echo up; sleep 120'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', err = '';
  wrapper.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  wrapper.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const state = (pid: number): string | undefined => { try { return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]; } catch { return undefined; } };
  let child: number | undefined;
  try {
    for (let i = 0; i < 600 && !out.includes('up\n'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /^up$/m, `the machine started\n${err}`);
    // The confined machine is the wrapper's one child process.
    child = Number(fs.readFileSync(`/proc/${wrapper.pid}/task/${wrapper.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    assert.ok(child > 0 && state(child) !== undefined, 'the confined child runs');
    wrapper.kill('SIGKILL');
    // Gone (or a zombie nobody reaps) within a bounded wait; before, it slept its 120 s on.
    for (let i = 0; i < 100 && state(child) !== undefined && state(child) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(state(child) === undefined || state(child) === 'Z', `the confined machine ${child} ended after its parent was killed (state ${state(child)})`);
  } finally {
    wrapper.kill('SIGKILL');
    if (child !== undefined && state(child) !== undefined && state(child) !== 'Z') process.kill(child, 'SIGKILL');
  }
});

test('--place and --ipc override the preset', () => {
  const r = kernelkit('run', '--preset', 'monolithic', '--place', 'blk=user', '--ipc', 'postmessage', '--', 'lsmod');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^blk\s+user/m);
  assert.match(r.stdout, /^vfs\s+kernel/m);
});

test('unknown presets, bad placements and bad flags: one line, status 2', () => {
  for (const args of [['run', '--preset', 'nope', '--', 'true'], ['run', '--place', 'blk=moon', '--', 'true'], ['run', '--place', 'gpu=user', '--', 'true'], ['run', '--bogus', '--', 'true'], ['run', '--ipc', 'carrier-pigeon', '--', 'true'], ['frobnicate']]) {
    const r = kernelkit(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line: ${r.stderr}`);
  }
});

test('mkfs makes an image e2fsck and our fsck find clean', () => {
  const img = path.join(process.env.TMPDIR ?? '/tmp', `kk-cli-${process.pid}.img`);
  assert.equal(kernelkit('mkfs', img, '--size', '8M').status, 0);
  assert.equal(kernelkit('fsck', img).status, 0);
  const e2 = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
  assert.equal(e2.status, 0, e2.stdout + e2.stderr);
});
