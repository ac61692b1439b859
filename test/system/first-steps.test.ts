// What a new user meets first: the command's own help, version and suggestions, and
// mistakes that must end in one clear line (never a stack trace or a kernel panic).
// Each regression test is named after the bug it pins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { sh, noLeaks, PRESETS } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'bin/kernelkit.js');

function kernelkit(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a bare kernelkit prints its commands; --version prints the package version', () => {
  const bare = kernelkit();
  assert.equal(bare.status, 0, bare.stderr);
  for (const command of ['run', 'boot', 'lab', 'bench', 'faults', 'mkfs', 'fsck', 'presets']) assert.match(bare.stdout, new RegExp(`^\\s+${command}\\b`, 'm'), bare.stdout);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const v = kernelkit(flag);
    assert.equal(v.status, 0);
    assert.equal(v.stdout, `${pkg.version}\n`);
  }
});

test('a mistyped command or flag is answered with what was meant, status 2', () => {
  const cmd = kernelkit('lba');
  assert.equal(cmd.status, 2);
  assert.equal(cmd.stderr, "error: unknown command 'lba'\n(Did you mean lab?)\n");
  const flag = kernelkit('run', '--presett', 'microkernel', '--', 'true');
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /^error: unknown option '--presett'\n\(Did you mean --preset\?\)\n$/);
});

test('regression: run-disk-missing-prints-a-stack-trace: a missing --disk is one line and status 2', () => {
  const missing = path.join(os.tmpdir(), `kk-missing-${process.pid}.img`);
  for (const command of ['run', 'boot']) {
    const r = kernelkit(command, '--disk', missing, ...(command === 'run' ? ['--', 'true'] : []));
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `kernelkit: --disk ${missing}: no such file (make one with: kernelkit mkfs ${missing} --size 64M)\n`);
  }
  const dir = kernelkit('run', '--disk', os.tmpdir(), '--', 'true');
  assert.equal(dir.status, 2);
  assert.equal(dir.stderr, `kernelkit: --disk ${os.tmpdir()}: not a regular file\n`);
});

for (const preset of PRESETS) {
  test(`regression: insmod-hostfs-without-a-share-panics-the-kernel: ENODEV, and the machine goes on (${preset})`, async () => {
    const r = await sh(preset, 'insmod hostfs; echo status=$?; lsmod | grep -c "^hostfs"; echo alive');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'status=1\n0\nalive\n');
    assert.match(r.stderr, /^insmod: hostfs: No such device$/m);
    assert.equal(noLeaks(r), undefined);
  });
}

test("regression: readme-clang-example-names-a-missing-hello-c: the README's clang line compiles and runs examples/hello.c", () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const line = /^npx kernelkit (run --mount build\/clang-root\/usr:\/usr .*)$/m.exec(readme);
  assert.ok(line !== null, 'the README has its clang example');
  const args = line[1]!.replace(/\s+#.*$/, '');
  const m = /^run --mount (\S+) --mount (\S+) -- '(.*)'$/.exec(args);
  assert.ok(m !== null, args);
  // Run from the package root, as a user following the README does.
  const r = spawnSync(process.execPath, [bin, 'run', '--mount', m[1]!, '--mount', m[2]!, '--', m[3]!], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const argv = /&& \/tmp\/h\.wasm (.*)$/.exec(m[3]!)![1]!.split(' ');
  assert.equal(r.stdout, `hello from C, ${argv.length} argument(s)\n${argv.map((a) => `  ${a}\n`).join('')}`);
});

for (const preset of PRESETS) {
  test(`regression: rmmod-hostfs-while-a-share-is-mounted-succeeds: EBUSY until the share is unmounted (${preset})`, async () => {
    const host = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-share-'));
    try {
      fs.writeFileSync(path.join(host, 'f'), 'kept\n');
      const r = await sh(preset, 'rmmod hostfs; echo first=$?; cat /mnt/s/f; umount /mnt/s; rmmod hostfs; echo second=$?', { mounts: [{ host, guest: '/mnt/s', readOnly: false }] });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'first=1\nkept\nsecond=0\n');
      assert.match(r.stderr, /^rmmod: hostfs: Device or resource busy$/m);
      assert.equal(noLeaks(r), undefined);
    } finally {
      fs.rmSync(host, { recursive: true, force: true });
    }
  });
}
