// `kernelkit check CHAPTER`: the checks of the tutorial's exercises (docs/tutorial/).
// Each check reads what the learner wrote in their work directory, boots a kernelkit
// machine, asks the running system what the exercise asks about (its /proc, its
// trace, a fault), and compares: PASS or FAIL with the reason. Nothing here knows the
// answers: they come from the machine.

import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import { runMachine, packageRoot } from '../hosts/node/machine.js';
import { placedDomain } from '../abi/component.js';
import { loadPreset, placementFor } from '../hosts/presets.js';

export interface CheckResult { pass: boolean; reason: string }

interface Chapter {
  readonly title: string;
  /** The file in the work directory the exercise asks for (none: the work is a change to the tree, checked by its behaviour). */
  readonly file?: string;
  check(preset: string, answer: string, work: string): Promise<CheckResult>;
}

/** Boots `preset` and runs `line` in sh (with `work` shared read-only at /work, `disk` as the root); stdout, stderr, status. */
async function inMachine(preset: string, line: string, work?: string, disk?: string): Promise<{ status: number; stdout: string; stderr: string }> {
  const p = loadPreset(preset);
  const out: Uint8Array[] = [], err: Uint8Array[] = [];
  const status = await runMachine({
    preset: p.name, placement: placementFor(p), ipc: p.ipc, init: ['/bin/sh', '-c', line], stdin: 'none',
    ...(work !== undefined ? { mounts: [{ host: work, guest: '/work', readOnly: true }] } : {}),
    ...(disk !== undefined ? { disk } : {}),
    stdout: (b) => out.push(b.slice()), stderr: (b) => err.push(b.slice()),
  });
  const text = (parts: Uint8Array[]): string => Buffer.concat(parts).toString('utf8');
  return { status, stdout: text(out), stderr: text(err) };
}

/** The learner's lines: trimmed, without blanks and # comments. */
const answerLines = (text: string): string[] => text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l.length > 0);

const fail = (reason: string): CheckResult => ({ pass: false, reason });
const pass = (reason: string): CheckResult => ({ pass: true, reason });

// Chapter 1: which domain each component runs in, as /proc/modules says.
const explore: Chapter = {
  title: 'explore the system', file: 'explore.txt',
  async check(preset, answer) {
    const r = await inMachine(preset, 'cat /proc/modules');
    if (r.status !== 0) return fail(`the machine did not answer (status ${r.status}): ${r.stderr.trim()}`);
    const truth = new Map(r.stdout.trim().split('\n').map((l) => l.split(' ')).map(([name, domain]) => [name!, domain!]));
    const wrote = new Map<string, string>();
    for (const line of answerLines(answer)) {
      const [name, domain, extra] = line.split(/\s+/);
      if (name === undefined || domain === undefined || extra !== undefined) return fail(`explore.txt: '${line}' is not 'COMPONENT DOMAIN'`);
      wrote.set(name, domain);
    }
    for (const [name, domain] of truth) {
      const said = wrote.get(name);
      if (said === undefined) return fail(`explore.txt names no domain for ${name} (hint: cat /proc/modules, or lsmod)`);
      if (said !== domain) return fail(`${name} runs in the ${domain} domain under ${preset}, not ${said}`);
    }
    const extra = [...wrote.keys()].filter((n) => !truth.has(n));
    if (extra.length > 0) return fail(`${extra.join(', ')}: not a component this system loaded`);
    return pass(`all ${truth.size} components in their domains under ${preset}`);
  },
};

// Chapter 2: which component crashes the preset survives. One boot per component.
const BREAK_TRIGGERS: Record<string, string> = {
  console: 'echo x > /dev/null; echo x',
  blk: 'head -c 1 /dev/blk0 > /dev/null',
  vfs: 'ls / > /dev/null',
  pm: '/bin/true',
  proc: 'cat /proc/self/stat > /dev/null',
};

const breakIt: Chapter = {
  title: 'break it', file: 'break-it.txt',
  async check(preset, answer) {
    const said = new Map<string, string>();
    for (const line of answerLines(answer)) {
      const [name, outcome, extra] = line.split(/\s+/);
      if (name === undefined || (outcome !== 'survives' && outcome !== 'panics') || extra !== undefined) return fail(`break-it.txt: '${line}' is not 'COMPONENT survives|panics'`);
      said.set(name, outcome);
    }
    for (const component of Object.keys(BREAK_TRIGGERS)) {
      const guess = said.get(component);
      if (guess === undefined) return fail(`break-it.txt says nothing about ${component}`);
      const r = await inMachine(preset, `fault ${component} crash > /dev/null; ${BREAK_TRIGGERS[component]}; echo alive-after-${component}`);
      const outcome = r.status === 70 ? 'panics' : r.stdout.includes(`alive-after-${component}`) ? 'survives' : undefined;
      if (outcome === undefined) return fail(`crashing ${component} under ${preset} ended neither way (status ${r.status}): ${r.stderr.trim()}`);
      if (outcome !== guess) return fail(`a ${component} crash under ${preset}: the system ${outcome}, you wrote ${guess} (hint: lsmod shows the domain; kernelkit run --verbose shows the panic)`);
    }
    return pass(`your prediction for every component's crash under ${preset} held`);
  },
};

// Chapter 3: which component each file syscall of `cat` reached, and how (the trace's hop lines).
const TRACED = ['open', 'fstat', 'read', 'close'];
const HOP = /^\s+(\S+) -> (\S+) \(([^,]+), ([^)]+)\)/;

const watchMessages: Chapter = {
  title: 'watch the messages', file: 'messages.txt',
  async check(preset, answer) {
    const r = await inMachine(preset, 'cat /etc/motd > /dev/null; trace -o /tmp/t cat /etc/motd > /dev/null; cat /tmp/t');
    if (r.status !== 0) return fail(`the machine did not answer (status ${r.status}): ${r.stderr.trim()}`);
    // The first hop under the first line of each syscall.
    const truth = new Map<string, string>();
    const lines = r.stdout.split('\n');
    lines.forEach((l, i) => {
      const call = /^\[pid \d+ \S+\] (\w+)\(/.exec(l)?.[1];
      if (call === undefined || !TRACED.includes(call) || truth.has(call)) return;
      const hop = HOP.exec(lines[i + 1] ?? '');
      truth.set(call, hop === null ? 'none' : `${hop[1]} -> ${hop[2]} (${hop[3]}, ${hop[4]})`);
    });
    const wrote = new Map<string, string>();
    for (const line of answerLines(answer)) {
      const m = /^(\w+):\s*(.+)$/.exec(line);
      if (m === null) return fail(`messages.txt: '${line}' is not 'SYSCALL: FROM -> TO (DOMAIN, HOW)'`);
      wrote.set(m[1]!, m[2]!.replace(/\s+/g, ' '));
    }
    for (const call of TRACED) {
      const want = truth.get(call);
      if (want === undefined) return fail(`the trace showed no ${call} (the machine's trace changed?)`);
      const got = wrote.get(call);
      if (got === undefined) return fail(`messages.txt says nothing about ${call} (hint: trace cat /etc/motd)`);
      if (got !== want) return fail(`${call} under ${preset} went ${want}; you wrote ${got}`);
    }
    return pass(`open, fstat, read and close under ${preset}: every hop as the trace shows it`);
  },
};

// Chapter 4: a program of the learner's own (C to WASI, or a TypeScript program from
// the tree), run inside kernelkit on inputs whose right output the host's GNU tac gives.
const TAC_INPUTS = ['seq 1 40', "printf 'x\\ny\\nno newline at the end'", "printf ''"];

function hostTac(input: Buffer): Buffer {
  const r = spawnSync('tac', [], { input });
  if (r.status !== 0) throw new Error(`the host's tac failed: ${r.stderr.toString()}`);
  return r.stdout;
}

const writeAProgram: Chapter = {
  title: 'write a program', file: 'tac',
  async check(preset, _answer, work) {
    const mode = fs.statSync(path.join(work, 'tac')).mode;
    if ((mode & 0o111) === 0) return fail(`${path.join(work, 'tac')} is not executable (chmod +x)`);
    // Each input raw, then piped through the program, between markers (echo ends each section).
    const script = [
      ...TAC_INPUTS.map((cmd, i) => `echo "@@in ${i}"; ${cmd}; echo; echo "@@out ${i}"; ${cmd} | /work/tac; s=$?; echo; echo "@@status ${i} $s"`),
      'echo "@@in passwd"; cat /etc/passwd; echo; echo "@@in motd"; cat /etc/motd; echo',
      'echo "@@out files"; /work/tac /etc/passwd /etc/motd; s=$?; echo; echo "@@status files $s"',
    ].join('; ');
    const r = await inMachine(preset, script, work);
    if (r.status === 70) return fail('the kernel panicked running your program');
    const sections = new Map<string, string>();
    for (const m of r.stdout.matchAll(/@@(in|out) (\S+)\n([\s\S]*?)\n(?=@@)/g)) sections.set(`${m[1]} ${m[2]}`, m[3]!);
    const firstError = r.stderr.trim().split('\n')[0] ?? '';
    for (const key of [...TAC_INPUTS.map((_, i) => String(i)), 'files']) {
      const status = new RegExp(`@@status ${key} (\\d+)`).exec(r.stdout)?.[1];
      const output = sections.get(`out ${key}`);
      const inputs = key === 'files' ? [sections.get('in passwd'), sections.get('in motd')] : [sections.get(`in ${key}`)];
      if (output === undefined || status === undefined || inputs.some((x) => x === undefined)) return fail(`no output for input ${key}: ${firstError}`);
      if (status !== '0') return fail(`your tac exited with status ${status} on input ${key}: ${firstError}`);
      // GNU tac reverses each file in turn.
      const want = Buffer.concat(inputs.map((x) => hostTac(Buffer.from(x!))));
      if (Buffer.compare(Buffer.from(output), want) !== 0) return fail(`on input ${key} your tac printed ${JSON.stringify(output.slice(0, 80))}, GNU tac prints ${JSON.stringify(want.toString().slice(0, 80))}`);
    }
    return pass(`your tac agrees with GNU tac on ${TAC_INPUTS.length + 1} inputs under ${preset}`);
  },
};

// Chapter 8: claim C1 measured the lab's way (docs/lab.md: microkernel/shm smallfile at
// least 2x monolithic), once more here; the learner's figures may differ from this run's
// by MEASURE_SLACK either way (another run, another load), the verdict may not.
const C1_THRESHOLD = 2;
const MEASURE_SLACK = 3;

async function smallfileUs(preset: string): Promise<number> {
  const r = await inMachine(preset, 'kbench -s 0.2 smallfile');
  const median = Number(/"median_ns":(\d+)/.exec(r.stdout)?.[1]);
  if (r.status !== 0 || !Number.isFinite(median)) throw new Error(`kbench smallfile on ${preset} failed (status ${r.status}): ${r.stderr.trim()}`);
  return median / 1000;
}

const measureAClaim: Chapter = {
  title: 'measure a claim', file: 'claim.txt',
  async check(_preset, answer) {
    const fields = new Map<string, string>();
    for (const line of answerLines(answer)) {
      const m = /^(\w+)\s+(.+)$/.exec(line);
      if (m === null) return fail(`claim.txt: '${line}' is not 'KEY VALUE'`);
      fields.set(m[1]!, m[2]!);
    }
    if (fields.get('claim') !== 'C1') return fail("claim.txt: this exercise measures claim C1 ('claim C1')");
    const mono = Number(fields.get('monolithic_us')), micro = Number(fields.get('microkernel_us'));
    if (!(mono > 0) || !(micro > 0)) return fail('claim.txt needs monolithic_us and microkernel_us: the median of kbench smallfile on each, in µs');
    const verdict = fields.get('verdict');
    if (verdict !== 'held' && verdict !== 'not-held') return fail("claim.txt needs 'verdict held' or 'verdict not-held'");
    if ((fields.get('because') ?? '').split(/\s+/).length < 6) return fail("claim.txt needs a 'because ...' line arguing the verdict (a sentence)");
    // Two rounds, alternating, and the faster of each: a busy host slows a round, never speeds it.
    let m = Infinity, k = Infinity;
    for (let round = 0; round < 2; round++) { m = Math.min(m, await smallfileUs('monolithic')); k = Math.min(k, await smallfileUs('microkernel')); }
    const ratio = k / m, theirs = micro / mono;
    const figures = `this run: monolithic ${m.toFixed(1)} µs, microkernel ${k.toFixed(1)} µs, ${ratio.toFixed(2)}x`;
    if (theirs > ratio * MEASURE_SLACK || theirs < ratio / MEASURE_SLACK) return fail(`your figures give ${theirs.toFixed(2)}x; ${figures} (more than ${MEASURE_SLACK}x apart: measure again)`);
    // The verdict follows from the learner's own figures (checked above to agree with this run's): near the threshold two runs may fall on either side.
    const theirVerdict = theirs >= C1_THRESHOLD ? 'held' : 'not-held';
    if (verdict !== theirVerdict) return fail(`C1 is ${theirVerdict} by the lab's rule (microkernel at least ${C1_THRESHOLD}x monolithic) on your figures (${theirs.toFixed(2)}x); ${figures}`);
    return pass(`C1 ${theirVerdict}: your ${theirs.toFixed(2)}x, ${figures}`);
  },
};

// Chapter 5: a syscall of the learner's own, `getpreset`, through the whole chain: the
// ABI list (its man page is made from it), the handler, a libc stub, a program.
const addASyscall: Chapter = {
  title: 'add a syscall',
  async check(preset) {
    const r = await inMachine(preset, 'preset; echo "@@status $?"; man 2 getpreset; echo "@@man $?"; trace -o /tmp/t preset > /dev/null; grep getpreset /tmp/t');
    if (r.status === 70) return fail('the kernel panicked');
    const firstError = r.stderr.trim().split('\n')[0] ?? '';
    if (!/@@status 0/.test(r.stdout)) return fail(`the program preset did not run: ${firstError || 'status not 0'} (src/user/bin/preset.ts, then node scripts/build.mjs)`);
    const printed = r.stdout.split('\n')[0];
    if (printed !== preset) return fail(`preset printed '${printed}', the system is ${preset}`);
    if (!/@@man 0/.test(r.stdout) || !/getpreset/.test(r.stdout.split('@@status 0')[1] ?? '')) return fail(`man 2 getpreset has no page: is getpreset in the syscall list (src/abi/syscalls.ts)? ${firstError}`);
    const traced = /getpreset\([^)]*\) = (-?\d+)/.exec(r.stdout);
    if (traced === null) return fail('trace shows no getpreset call from preset: does the program reach the kernel through the syscall (a libc stub in src/user/libc/)?');
    if (Number(traced[1]) !== new TextEncoder().encode(preset).length) return fail(`getpreset returned ${traced[1]}; the length of '${preset}' is ${preset.length}`);
    return pass(`getpreset answers '${preset}' through the syscall, traced, with its man page`);
  },
};

// Chapter 6: a component of the learner's own, `greeter`, loaded with insmod where the
// preset places it, saying hello in the kernel log, and unloaded again.
const writeAComponent: Chapter = {
  title: 'write a component and load it with insmod',
  async check(preset) {
    const r = await inMachine(preset, 'insmod greeter; echo "@@insmod $?"; cat /proc/modules; echo @@arenas; cat /proc/arenas; echo @@dmesg; dmesg; rmmod greeter; echo "@@rmmod $?"; echo @@after; cat /proc/modules');
    if (r.status === 70) return fail(`the kernel panicked (${r.stderr.trim().split('\n').pop() ?? ''})`);
    const firstError = r.stderr.trim().split('\n')[0] ?? '';
    if (!/@@insmod 0/.test(r.stdout)) return fail(`insmod greeter failed: ${firstError} (a component module in src/services/, its service in src/abi/services.ts, its name in src/hosts/components.ts)`);
    const [modules = '', rest = ''] = r.stdout.split('@@arenas');
    const [arenas = '', afterArenas = ''] = rest.split('@@dmesg');
    const line = modules.split('\n').find((l) => l.startsWith('greeter '));
    const want = placedDomain(preset, loadPreset(preset).placement, 'greeter');
    if (line === undefined) return fail('insmod said yes but /proc/modules has no greeter');
    const [, domain, state] = line.split(' ');
    if (domain !== want || state !== 'running') return fail(`greeter is ${state} in the ${domain} domain; under ${preset} it belongs in the ${want} domain, running`);
    const ownArena = arenas.split('\n').some((l) => l.startsWith('greeter '));
    if (ownArena !== (want === 'user')) return fail(want === 'user' ? 'a user-domain greeter should have an arena of its own in /proc/arenas' : 'a kernel-domain greeter should share the kernel arena, yet /proc/arenas lists one of its own');
    const dmesg = afterArenas.split('@@rmmod')[0] ?? '';
    if (!/hello/i.test(dmesg) || !/greeter/.test(dmesg)) return fail("dmesg shows no hello from greeter (ctx.log in its init)");
    if (!/@@rmmod 0/.test(r.stdout)) return fail(`rmmod greeter failed: ${firstError}`);
    if ((r.stdout.split('@@after')[1] ?? '').split('\n').some((l) => l.startsWith('greeter '))) return fail('greeter is still loaded after rmmod');
    return pass(`greeter loads in the ${want} domain under ${preset}, says hello, and unloads`);
  },
};

// Chapter 7: a file in /tmp outlives a vfs restart (claim C6), on an ext2 root disk
// made for the check. The work is a change to the tree; the check runs this build.
const keepTmp: Chapter = {
  title: 'make vfs keep /tmp across a restart',
  async check(preset) {
    if (placedDomain(preset, loadPreset(preset).placement, 'vfs') !== 'user') return fail(`vfs runs in the kernel domain under ${preset}: its crash is a panic, not a restart (check on microkernel)`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernelkit-keep-tmp-'));
    try {
      const image = path.join(dir, 'root.img');
      const mkfs = spawnSync(process.execPath, [path.join(packageRoot, 'bin/kernelkit.js'), 'mkfs', '--size', '16M', image], { encoding: 'utf8' });
      if (mkfs.status !== 0) throw new Error(`kernelkit mkfs failed: ${mkfs.stderr}`);
      const r = await inMachine(preset, 'echo kept-across-restart > /tmp/keep; fault vfs crash > /dev/null; ls / > /dev/null; cat /tmp/keep; dmesg | grep -c "vfs: restarted"', undefined, image);
      if (r.status === 70) return fail('the kernel panicked');
      if (!/^[1-9]\d*$/m.test(r.stdout)) return fail(`vfs did not restart (${r.stderr.trim().split('\n')[0] ?? ''})`);
      if (!r.stdout.includes('kept-across-restart')) return fail(`after vfs restarted, /tmp/keep was gone (${r.stderr.trim().split('\n')[0] ?? ''}): where did its bytes live, and did that memory survive?`);
      return pass(`/tmp/keep outlived a vfs restart under ${preset}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const CHAPTERS: Readonly<Record<string, Chapter>> = { explore, 'break-it': breakIt, 'watch-messages': watchMessages, 'write-a-program': writeAProgram, 'add-a-syscall': addASyscall, 'write-a-component': writeAComponent, 'keep-tmp': keepTmp, 'measure-a-claim': measureAClaim };

/** Runs chapter `name`'s check on `preset` against the work directory `work`. */
export async function runCheck(name: string, preset: string, work: string): Promise<CheckResult> {
  const chapter = CHAPTERS[name]!;
  let answer = '';
  if (chapter.file !== undefined) {
    const file = path.join(work, chapter.file);
    try { answer = fs.readFileSync(file, 'utf8'); } catch { return fail(`no ${file}: the exercise asks you to write it (docs/tutorial/)`); }
  }
  return chapter.check(preset, answer, path.resolve(work));
}
