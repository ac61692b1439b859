// man and help on every preset. Every program in /bin has a page, and every line of
// its --help output is in it (the page is made from the same text, so they cannot
// drift); every syscall has a section-2 page with its number, arguments and text from
// src/abi/syscalls.ts; every service a section-9 page naming each method, and each
// method a page of its own (src/abi/services.ts). help lists exactly the shell's
// builtin table (src/user/sh/builtins.ts, read here from the source) and each is a
// builtin to `type`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sh, noLeaks, PRESETS } from './harness.js';
import { SYSCALLS } from '../../src/abi/syscalls.js';
import { SERVICES } from '../../src/abi/services.js';

const src = (p: string): string => fileURLToPath(new URL(`../../../src/${p}`, import.meta.url));
const programs = fs.readdirSync(src('user/bin')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3))
  .filter((p) => p !== 'clang'); // clang's --help needs the toolchain under /usr
const builtins = [...fs.readFileSync(src('user/sh/builtins.ts'), 'utf8').split('export const BUILTINS')[1]!.matchAll(/^ {2}\['([^']+)',/gm)].map((m) => m[1] as string).sort();

function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = '';
  for (const line of text.split('\n')) {
    if (/^[A-Z][A-Z ]+$/.test(line)) { current = line; out.set(current, []); } else if (current !== '' && line.trim() !== '') out.get(current)!.push(line.trim());
  }
  return out;
}

for (const preset of PRESETS) {
  test(`man and help on ${preset}`, async () => {
    const script = [
      ...programs.map((p) => `echo "=== ${p}"; /bin/${p} --help; echo "--- man $?"; man ${p}; echo "--- status $?"`),
      ...SYSCALLS.map((s) => `echo "=== 2 ${s.name}"; man 2 ${s.name}`),
      ...Object.values(SERVICES).flatMap((s) => [`echo "=== 9 ${s.name}"; man 9 ${s.name}`, ...s.methods.map((m) => `echo "=== 9 ${s.name}.${m.name}"; man ${s.name}.${m.name}`)]),
      'echo "=== builtins"; help', `echo "=== type"; for b in $(help | sed -n '2,/^$/p'); do type "$b"; done`,
      'echo "=== errors"; man no-such-page; echo "status $?"; man; echo "status $?"; man -k archive',
    ].join('\n');
    const r = await sh(preset, script);
    assert.equal(r.status, 0, r.stderr);
    const parts = new Map(r.stdout.split(/^=== /m).slice(1).map((chunk) => [chunk.slice(0, chunk.indexOf('\n')), chunk.slice(chunk.indexOf('\n') + 1)]));
    const problems: string[] = [];
    for (const p of programs) {
      const chunk = parts.get(p) ?? '';
      const [help = '', rest = ''] = chunk.split(/^--- man \d+\n/m);
      const [page = '', status = ''] = rest.split(/^--- status /m);
      if (status.trim() !== '0') { problems.push(`man ${p}: status ${status.trim()}`); continue; }
      if (p === 'sh') continue; // the shell's command line is its own: no --help (its page is the usage list's)
      const pageLines = new Set(page.split('\n').map((l) => l.trim()));
      const helpLines = help.split('\n').slice(1).map((l) => l.trim()).filter((l) => l !== '');
      for (const l of helpLines) if (!pageLines.has(l) && !pageLines.has(`${p} - ${l}`)) problems.push(`man ${p}: lacks the --help line ${JSON.stringify(l)}`);
      const synopsis = sections(page).get('SYNOPSIS') ?? [];
      if (!/^ {3,}\S/m.test(help.split('\n')[1] ?? '') && synopsis.join(' | ') !== (help.split('\n')[0] ?? '').replace(/^usage: /i, '')) problems.push(`man ${p}: SYNOPSIS ${JSON.stringify(synopsis)} is not the --help synopsis`);
    }
    for (const s of SYSCALLS) {
      const page = sections(parts.get(`2 ${s.name}`) ?? '');
      if (page.get('NAME')?.[0] !== `${s.name} - ${s.doc}`) problems.push(`man 2 ${s.name}: NAME ${JSON.stringify(page.get('NAME'))}`);
      if (!(page.get('SYNOPSIS') ?? []).includes(`syscall number ${s.nr}`)) problems.push(`man 2 ${s.name}: no number ${s.nr}`);
      for (const [arg] of s.args) if (!(page.get('SYNOPSIS')?.[0] ?? '').includes(`${arg}: `)) problems.push(`man 2 ${s.name}: argument ${arg} missing`);
    }
    for (const s of Object.values(SERVICES)) {
      const page = sections(parts.get(`9 ${s.name}`) ?? '');
      if (page.get('NAME')?.[0] !== `${s.name} - ${s.doc}`) problems.push(`man 9 ${s.name}: NAME`);
      for (const m of s.methods) {
        if (!(page.get('METHODS') ?? []).some((l) => l.startsWith(`${m.name}(`))) problems.push(`man 9 ${s.name}: method ${m.name} missing`);
        const own = sections(parts.get(`9 ${s.name}.${m.name}`) ?? '');
        if (own.get('NAME')?.[0] !== `${s.name}.${m.name} - ${m.doc}`) problems.push(`man ${s.name}.${m.name}: NAME`);
      }
    }
    assert.deepEqual(problems, []);
    const listed = (parts.get('builtins') ?? '').split('\n\n')[0]!.split('\n').slice(1).flatMap((l) => l.trim().split(/\s+/)).sort();
    assert.deepEqual(listed, builtins, 'help lists the shell\'s builtin table');
    const types = (parts.get('type') ?? '').trim().split('\n');
    assert.deepEqual(types, listed.map((b) => `${b} is a shell builtin`));
    const errors = parts.get('errors') ?? '';
    assert.match(errors, /status 16\nstatus 2\n/);
    assert.match(errors, /^tar \(1\) - /m);
    assert.match(r.stderr, /man: No manual entry for no-such-page/);
    assert.equal(noLeaks(r), undefined);
  });
}
