// The tutorial's checks (docs/tutorial/, src/lab/tutorial.ts): on every preset, each
// chapter's check passes with the reference solution kept in docs/tutorial/solutions/,
// fails without an answer, and fails, saying why, with a wrong one (the answer of a
// preset where the machine behaves differently).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { CHAPTERS, runCheck } from '../../src/lab/tutorial.js';
import { PRESETS } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const solutions = (preset: string): string => path.join(root, 'docs/tutorial/solutions', preset);
// A preset whose answers are wrong for this one (they place vfs elsewhere).
const OTHER: Record<string, string> = { monolithic: 'microkernel', microkernel: 'hybrid', hybrid: 'microkernel' };

for (const preset of PRESETS) {
  for (const name of ['explore', 'break-it', 'watch-messages']) {
    const file = CHAPTERS[name]!.file!;
    test(`tutorial check ${name} on ${preset}: passes with the reference solution, fails without it or with a wrong one`, async () => {
      const good = await runCheck(name, preset, solutions(preset));
      assert.equal(good.pass, true, good.reason);
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-tutorial-'));
      try {
        const none = await runCheck(name, preset, empty);
        assert.equal(none.pass, false);
        assert.match(none.reason, new RegExp(`no .*${file.replace('.', '\\.')}`));
        const wrong = await runCheck(name, preset, solutions(OTHER[preset]!));
        assert.equal(wrong.pass, false, `${OTHER[preset]}'s answer is wrong for ${preset}`);
        assert.match(wrong.reason, /under|went|domain/, wrong.reason);
        fs.writeFileSync(path.join(empty, file), 'this is not an answer\n');
        const garbled = await runCheck(name, preset, empty);
        assert.equal(garbled.pass, false);
        assert.match(garbled.reason, /is not '/);
      } finally {
        fs.rmSync(empty, { recursive: true, force: true });
      }
    });
  }
}

test('tutorial check write-a-program: the reference tac.c, built by clang for WASI, passes on every preset; cat, a non-executable file and no file fail', async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-tac-'));
  try {
    const cc = spawnSync('clang', ['--target=wasm32-wasi', '-O2', path.join(root, 'docs/tutorial/solutions/tac.c'), '-o', path.join(work, 'tac')], { encoding: 'utf8' });
    assert.equal(cc.status, 0, `clang (Debian's clang, lld and wasi-libc, as scripts/build-c.mjs uses): ${cc.stderr}`);
    for (const preset of PRESETS) {
      const r = await runCheck('write-a-program', preset, work);
      assert.equal(r.pass, true, `${preset}: ${r.reason}`);
    }
    fs.chmodSync(path.join(work, 'tac'), 0o644);
    assert.match((await runCheck('write-a-program', 'monolithic', work)).reason, /is not executable/);
    fs.writeFileSync(path.join(work, 'tac'), '#!/bin/sh\ncat "$@"\n');
    fs.chmodSync(path.join(work, 'tac'), 0o755);
    const cat = await runCheck('write-a-program', 'microkernel', work);
    assert.equal(cat.pass, false);
    assert.match(cat.reason, /^on input 0 your tac printed "1\\n2/);
    fs.rmSync(path.join(work, 'tac'));
    assert.match((await runCheck('write-a-program', 'hybrid', work)).reason, /^no .*tac: the exercise asks you to write it/);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('tutorial check measure-a-claim: the reference script measures C1 and passes; the opposite verdict, figures far off, no argument and no file fail', async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-claim-'));
  try {
    const measure = (): void => {
      const script = spawnSync('sh', [path.join(root, 'docs/tutorial/solutions/measure-a-claim.sh'), work], { cwd: root, encoding: 'utf8', timeout: 300_000 });
      assert.equal(script.status, 0, script.stderr);
    };
    measure();
    let good = await runCheck('measure-a-claim', 'monolithic', work);
    // Two timings on a busy host can land in different modes (docs/benchmarks.md); the
    // check then says "measure again", and a learner would: so does the test, once.
    if (!good.pass && /measure again/.test(good.reason)) { measure(); good = await runCheck('measure-a-claim', 'monolithic', work); }
    assert.equal(good.pass, true, good.reason);
    const file = path.join(work, 'claim.txt');
    const text = fs.readFileSync(file, 'utf8');
    const verdict = /^verdict (\S+)$/m.exec(text)![1]!;
    fs.writeFileSync(file, text.replace(/^verdict \S+$/m, `verdict ${verdict === 'held' ? 'not-held' : 'held'}`));
    assert.match((await runCheck('measure-a-claim', 'monolithic', work)).reason, /^C1 is (held|not-held) by the lab's rule/);
    fs.writeFileSync(file, text.replace(/^microkernel_us \S+$/m, `microkernel_us ${Number(/^monolithic_us (\S+)$/m.exec(text)![1]) * 1000}`));
    assert.match((await runCheck('measure-a-claim', 'monolithic', work)).reason, /more than 3x apart/);
    fs.writeFileSync(file, text.replace(/^because .*$/m, ''));
    assert.match((await runCheck('measure-a-claim', 'monolithic', work)).reason, /needs a 'because \.\.\.' line/);
    fs.rmSync(file);
    assert.match((await runCheck('measure-a-claim', 'monolithic', work)).reason, /^no .*claim\.txt/);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

/** A copy of the tree with `patch` (docs/tutorial/solutions/) applied, built without the C programs; removed after `body`. */
async function withSolution(patch: string, body: (copy: string) => Promise<void> | void): Promise<void> {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-solution-'));
  try {
    for (const entry of ['src', 'scripts', 'bin', 'package.json']) fs.cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
    const applied = spawnSync('patch', ['-p1', '-i', path.join(root, 'docs/tutorial/solutions', patch)], { cwd: copy, encoding: 'utf8' });
    assert.equal(applied.status, 0, applied.stdout + applied.stderr);
    const build = spawnSync(process.execPath, ['scripts/build.mjs', '--no-c', '--quiet'], { cwd: copy, encoding: 'utf8', timeout: 300_000 });
    assert.equal(build.status, 0, build.stderr);
    await body(copy);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

const checkIn = (copy: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(process.execPath, [path.join(copy, 'bin/kernelkit.js'), 'check', ...args], { cwd: copy, encoding: 'utf8', timeout: 300_000 });

test('tutorial check add-a-syscall: fails on this tree, passes on every preset on a copy with solutions/add-a-syscall.patch applied', async () => {
  const before = await runCheck('add-a-syscall', 'hybrid', root);
  assert.equal(before.pass, false);
  assert.match(before.reason, /the program preset did not run/);
  await withSolution('add-a-syscall.patch', (copy) => {
    for (const preset of PRESETS) {
      const after = checkIn(copy, 'add-a-syscall', '--preset', preset);
      assert.equal(after.status, 0, after.stdout + after.stderr);
      assert.match(after.stdout, new RegExp(`^add-a-syscall \\(${preset}\\): PASS: getpreset answers '${preset}'`));
    }
  });
});

test('tutorial check write-a-component: fails on this tree, passes on every preset on a copy with solutions/write-a-component.patch applied', async () => {
  const before = await runCheck('write-a-component', 'microkernel', root);
  assert.equal(before.pass, false);
  assert.match(before.reason, /insmod greeter failed: .*no component named greeter|insmod greeter failed/);
  await withSolution('write-a-component.patch', (copy) => {
    for (const [preset, domain] of [['monolithic', 'kernel'], ['microkernel', 'user'], ['hybrid', 'user']] as const) {
      const after = checkIn(copy, 'write-a-component', '--preset', preset);
      assert.equal(after.status, 0, after.stdout + after.stderr);
      assert.match(after.stdout, new RegExp(`^write-a-component \\(${preset}\\): PASS: greeter loads in the ${domain} domain`));
    }
  });
});

test('tutorial check keep-tmp: fails on this tree (/tmp is a ramfs in vfs\'s memory), passes on a copy with solutions/keep-tmp.patch applied', async () => {
  const before = await runCheck('keep-tmp', 'microkernel', root);
  assert.equal(before.pass, false);
  assert.match(before.reason, /after vfs restarted, \/tmp\/keep was gone/);
  assert.match((await runCheck('keep-tmp', 'monolithic', root)).reason, /kernel domain under monolithic/);
  await withSolution('keep-tmp.patch', (copy) => {
    const after = checkIn(copy, 'keep-tmp', '--preset', 'microkernel');
    assert.equal(after.status, 0, after.stdout + after.stderr);
    assert.match(after.stdout, /^keep-tmp \(microkernel\): PASS: \/tmp\/keep outlived a vfs restart/);
  });
});

test('kernelkit check: PASS/FAIL lines and statuses; an unknown chapter is status 2', () => {
  const bin = path.join(root, 'bin/kernelkit.js');
  const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  const ok = run('check', 'explore', '--preset', 'hybrid', '--work', solutions('hybrid'));
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^explore \(hybrid\): PASS: /);
  const bad = run('check', 'explore', '--presets', 'monolithic', '--work', solutions('hybrid'));
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /^explore \(monolithic\): FAIL: console runs in the kernel domain under monolithic, not user$/m);
  const unknown = run('check', 'nope');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /no exercise 'nope' \(there are: explore, break-it, watch-messages, write-a-program, add-a-syscall, write-a-component, keep-tmp, measure-a-claim/);
});
