// The program sandbox, tested as an attacker would, on every preset: /bin/escape tries
// every trick to reach the host (a module, a global, a constructor back to the host
// realm, WebAssembly with a host import, the syscall page) and to leave state for the
// next program in the same thread. Canary files outside every share must not change:
// the test hashes them with node:fs before and after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { sh, noLeaks, PRESETS } from './harness.js';

interface Canaries { dir: string; files: string[]; share: string; before: string }

function digest(dir: string): string {
  const h = crypto.createHash('sha256');
  for (const name of fs.readdirSync(dir).sort()) h.update(name).update('\0').update(fs.readFileSync(path.join(dir, name))).update('\0');
  return h.digest('hex');
}

function makeCanaries(): Canaries {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-canary-'));
  const files = ['a', 'b'].map((n) => path.join(dir, n));
  for (const f of files) fs.writeFileSync(f, crypto.randomBytes(32).toString('hex') + '\n');
  // A share beside them: the program may write there, but nothing outside it changes.
  const share = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-share-'));
  return { dir, files, share, before: digest(dir) };
}

function cleanup(c: Canaries): void {
  fs.rmSync(c.dir, { recursive: true, force: true });
  fs.rmSync(c.share, { recursive: true, force: true });
}

// Every trick /bin/escape must try (its output must name each one).
const TRICKS = [
  'import node:fs (Function)', 'import node:child_process (indirect eval)', 'import data: URL', 'import.meta',
  'require', 'process', 'global WebAssembly', 'global SharedArrayBuffer', 'global Atomics', 'global fetch', 'global importScripts',
  'globalThis.constructor.constructor', 'Function("return this")()', 'indirect eval of process',
  'trap.constructor.constructor', 'trap prototype climb', 'memory.buffer.constructor.constructor', 'wasm.run.constructor.constructor',
  'console.log.constructor.constructor', 'main.caller (the runtime that called main)',
  'Error.prepareStackTrace over runtime frames', 'WebAssembly.instantiate with a host import', 'wasm capability with a host import',
  'Atomics on user memory', 'find the syscall page', 'syscall with a wild pointer',
  'patch Object.prototype', 'patch Array.prototype.map', 'patch SharedArrayBuffer.prototype', 'patch the trap slot', 'patch console.log',
];

for (const preset of PRESETS) {
  test(`escape attempts from a program all fail and change no host file (${preset})`, async () => {
    const c = makeCanaries();
    try {
      const r = await sh(preset, `escape attack ${c.files.join(' ')} /host/inside`, { mounts: [{ host: c.share, guest: '/host', readOnly: false }] });
      const lines = r.stdout.split('\n').filter((l) => l.startsWith('attempt '));
      for (const trick of TRICKS) assert.ok(lines.some((l) => l.startsWith(`attempt ${trick}: `)), `escape did not try '${trick}':\n${r.stdout}${r.stderr}`);
      for (const line of lines) assert.match(line, /: blocked \((errno E[A-Z]+|ReferenceError|TypeError|SyntaxError)[:)]/, line);
      assert.match(r.stdout, new RegExp(`^escape: ${lines.length} attempts, 0 escaped$`, 'm'), r.stdout);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(digest(c.dir), c.before, 'a canary file outside every share changed');
      assert.deepEqual(fs.readdirSync(c.share), [], 'nothing wrote into the share either');
      assert.equal(noLeaks(r), undefined);
    } finally {
      cleanup(c);
    }
  });

  // The bug: a script written with the shell's echo and run could import node:fs and
  // node:child_process: it appended to a host file outside every share and ran `id`.
  test(`regression: shell-written kernelkit-js script cannot reach node:fs or node:child_process (${preset})`, async () => {
    const c = makeCanaries();
    const [a, b] = c.files as [string, string];
    try {
      const original = `export async function main() { const fs = await import('node:fs'); fs.appendFileSync('${a}', 'pwned'); const cp = await import('node:child_process'); cp.execSync('id >> ${b}'); return 0; }`;
      // The same attack as a script (the format programs have now), building the import text at run time.
      const script = `exports.main = async () => { const I = 'im' + 'port'; for (const m of ['node:fs', 'node:child_process']) { try { const x = await Function('return ' + I + '(' + JSON.stringify(m) + ')')(); (x.appendFileSync || x.default.appendFileSync)('${a}', 'pwned'); console.log(m, 'ESCAPED'); } catch (e) { console.log(m, 'blocked', e.name); } } try { process.mainModule.require('node:fs').appendFileSync('${a}', 'pwned'); console.log('process ESCAPED'); } catch (e) { console.log('process blocked', e.name); } return 7; };`;
      const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
      const r = await sh(preset, [
        `echo '#!kernelkit-js' > /tmp/x`, `echo ${quote(original)} >> /tmp/x`, 'chmod +x /tmp/x', '/tmp/x', 'echo original=$?',
        `echo '#!kernelkit-js' > /tmp/y`, `echo ${quote(script)} >> /tmp/y`, 'chmod +x /tmp/y', '/tmp/y', 'echo script=$?',
      ].join('; '), { mounts: [{ host: c.share, guest: '/host', readOnly: false }] });
      assert.match(r.stdout, /^original=1$/m, r.stdout + r.stderr);
      assert.match(r.stderr, /\/tmp\/x: exec format error/, r.stderr);
      assert.match(r.stdout, /^node:fs blocked SyntaxError\nnode:child_process blocked SyntaxError\nprocess blocked TypeError\nscript=7$/m, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /ESCAPED|uid=/);
      assert.equal(digest(c.dir), c.before, 'a canary file outside every share changed');
      assert.equal(noLeaks(r), undefined);
    } finally {
      cleanup(c);
    }
  });

  test(`a program in a reused thread sees nothing of the one before (${preset})`, async () => {
    const r = await sh(preset, 'escape pollute; escape check; escape kill-blocked; escape check; escape spin-after-exit; echo spin=$?; escape whoami');
    const out = r.stdout;
    const pollutedOn = /^pollute: patched nothing; thread (\d+)$/m.exec(out);
    assert.ok(pollutedOn !== null, `pollute could patch a shared object, or did not run:\n${out}${r.stderr}`);
    const checks = [...out.matchAll(/^check: thread (\d+)$/gm)].map((m) => m[1]);
    assert.equal(checks.length, 2, out + r.stderr);
    // The check ran in the thread the polluter had used: the reuse is real.
    assert.equal(checks[0], pollutedOn[1], `the check did not run in the polluter's thread:\n${out}`);
    assert.doesNotMatch(out, /DIRTY/, out);
    assert.equal([...out.matchAll(/^check .*: clean$/gm)].length, 16, out);
    // Killed in the middle of a syscall: the thread is discarded, never handed on.
    assert.match(out, /^kill-blocked: signal 9, discarded 1$/m, out + r.stderr);
    // A program whose microtasks never stop after main returned still exits, and its
    // thread is not reused.
    assert.match(out, /^spin=0$/m, out);
    const spunOn = /^spin-after-exit: thread (\d+)$/m.exec(out)?.[1];
    const after = /^thread (\d+)$/m.exec(out)?.[1];
    assert.ok(spunOn !== undefined && after !== undefined && spunOn !== after, out);
    assert.equal(r.status, 0, out + r.stderr);
    assert.equal(noLeaks(r), undefined);
  });
}
