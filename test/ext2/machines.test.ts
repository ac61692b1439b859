// A disk image and the machines that use it, through the real CLI:
//
//   two-machines-one-image-corrupt-it: two machines on one image at once used to
//   corrupt it (multiply-claimed blocks). The image is now locked while a machine
//   uses it; a second machine refuses it with a message naming the first one's pid.
//   A lock left by a killed machine is stale and taken over; SIGINT releases it.
//   short-write-returns-minus-one: a 64 MiB write that ran out of space after ~30 MB
//   returned -1 instead of the short count; it returns what it wrote, on every preset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FSCK_OPERATIONAL_ERROR, runFsck, runMkfs } from '../../src/cli/fs-tools.js';
import { runMachine, ImageInUseError } from '../../src/hosts/node/machine.js';
import { loadPreset, placementFor } from '../../src/hosts/presets.js';
import { debugfsCat, e2fsck, tempPath } from './device.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'bin/kernelkit.js');

function kernelkit(preset: string, image: string, line: string): { status: number; out: string; err: string } {
  // The limit only turns a hang into a failure; nothing here measures time.
  const r = spawnSync(process.execPath, [cli, 'run', '--preset', preset, '--disk', image, '--', line], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function background(image: string, line: string): ChildProcess {
  return spawn(process.execPath, [cli, 'run', '--preset', 'microkernel', '--disk', image, '--', line], { stdio: ['ignore', 'pipe', 'pipe'] });
}

const exited = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
  else child.once('exit', (code) => resolve(code));
});

/** Waits (a bounded number of polls) until `file` exists, or the child is gone. */
async function appears(file: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 600; i++) {
    if (existsSync(file)) return true;
    if (child.exitCode !== null) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

async function image(name: string): Promise<string> {
  const file = tempPath(name);
  assert.equal(await runMkfs(file, { size: '16M' }), 0);
  return file;
}

test('two-machines-one-image-corrupt-it: a second machine refuses an image in use, naming the first', async () => {
  const img = await image('two.img');
  const first = background(img, 'echo one > /one; sleep 4; sync; echo first-done');
  let out = '';
  first.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  first.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  assert.ok(await appears(`${img}.lock`, first), 'the first machine holds a lock');
  assert.equal(readFileSync(`${img}.lock`, 'utf8').split(' ')[0], String(first.pid));
  assert.equal(await runFsck(img, { repair: true }), FSCK_OPERATIONAL_ERROR, 'kernelkit fsck refuses an image in use too');
  const second = kernelkit('microkernel', img, 'echo two > /two; sync');
  assert.equal(second.status, 1, second.out + second.err);
  assert.match(second.err, new RegExp(`two\\.img is in use by another machine \\(pid ${first.pid}\\)`));
  assert.equal(await exited(first), 0, out);
  assert.match(out, /^first-done$/m);
  assert.ok(!existsSync(`${img}.lock`), 'released at halt');
  const fsck = e2fsck(img, '-fn');
  assert.equal(fsck.status, 0, fsck.output);
  assert.equal(new TextDecoder().decode(debugfsCat(img, '/one')), 'one\n');
  // Now that it is free, the second machine may use it.
  assert.equal(kernelkit('microkernel', img, 'echo two > /two; sync').status, 0);
  assert.equal(new TextDecoder().decode(debugfsCat(img, '/two')), 'two\n');
});

test('two-machines-one-image-corrupt-it: two machines in one process, the second is refused', async () => {
  const img = await image('two-inproc.img');
  const p = loadPreset('microkernel');
  let err = '';
  // A long watchdog: on this shared 2-vCPU host a loaded kernel thread must not count as hung.
  const options = {
    preset: p.name, placement: placementFor(p, undefined), ipc: p.ipc, stdin: 'none' as const, disk: img, watchdogMs: 30_000,
    stdout: () => undefined, stderr: (b: Uint8Array) => { err += new TextDecoder().decode(b); },
  };
  const first = runMachine({ ...options, init: ['/bin/sh', '-c', 'sleep 1'] });
  await assert.rejects(runMachine({ ...options, init: ['/bin/sh', '-c', 'true'] }), (e: unknown) => e instanceof ImageInUseError && e.pid === process.pid);
  assert.equal(await first, 0, err);
  assert.equal(await runMachine({ ...options, init: ['/bin/sh', '-c', 'true'] }), 0, `free again after the first halted: ${err}`);
});

test('two-machines-one-image-corrupt-it: the lock of a machine killed with SIGKILL is stale and taken over', async () => {
  const img = await image('stale.img');
  assert.equal(kernelkit('microkernel', img, 'echo kept > /kept; sync').status, 0);
  const victim = background(img, 'sleep 30');
  assert.ok(await appears(`${img}.lock`, victim));
  victim.kill('SIGKILL');
  await exited(victim);
  assert.ok(existsSync(`${img}.lock`), 'a killed machine leaves its lock behind');
  const r = kernelkit('microkernel', img, 'cat /kept; echo new > /new; sync');
  assert.equal(r.status, 0, r.out + r.err);
  assert.match(r.out, /^kept$/m);
  assert.ok(!existsSync(`${img}.lock`));
  // A lock naming a pid that is not running (here: one that is long gone) is stale too.
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(`${img}.lock`, `${gone} -\n`);
  assert.equal(kernelkit('microkernel', img, 'cat /new').status, 0);
  assert.ok(!existsSync(`${img}.lock`));
  assert.equal(e2fsck(img, '-fn').status, 0);
});

test('two-machines-one-image-corrupt-it: SIGINT releases the lock', async () => {
  const img = await image('sigint.img');
  const m = background(img, 'sleep 30');
  assert.ok(await appears(`${img}.lock`, m));
  m.kill('SIGINT');
  await exited(m);
  assert.ok(!existsSync(`${img}.lock`), 'the lock went with the machine');
  assert.equal(kernelkit('microkernel', img, 'true').status, 0);
});

for (const preset of ['monolithic', 'microkernel', 'hybrid']) {
  test(`short-write-returns-minus-one (${preset}): a 64 MiB write on a 32 MiB disk returns the bytes it wrote`, async () => {
    const file = tempPath(`short-${preset}.img`);
    assert.equal(await runMkfs(file, { size: '32M' }), 0);
    const r = kernelkit(preset, file, '/bin/usertests --write-all /big 67108864; stat /big; /bin/usertests --write-all /more 4096; sync');
    assert.equal(r.status, 0, r.out + r.err);
    const m = /^wrote (\d+)$/m.exec(r.out);
    assert.ok(m, r.out + r.err);
    const written = Number(m[1]);
    assert.ok(written > 16 << 20 && written < 32 << 20, `a short count (${written})`);
    assert.match(r.out, new RegExp(`Size: ${written}\\b`), 'the file holds exactly what write said');
    assert.match(r.out, /^write failed: No space left on device/m, 'the next write reports the error');
    const fsck = e2fsck(file, '-fn');
    assert.equal(fsck.status, 0, fsck.output);
  });
}
