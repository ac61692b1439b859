// The manual pages `man` shows, made on demand from the lists they describe, so they
// cannot drift from them: section 1 from each program's --help output (the text in
// util/usage.ts for most),
// section 2 from the syscall list (abi/syscalls.ts), section 9 from the service list
// of the components (abi/services.ts), one page per service and one per method.

import { SYSCALLS, type SyscallDef } from '../../abi/syscalls.js';
import { SERVICES, type ServiceDef, type MethodDef } from '../../abi/services.js';
import { describeShape } from '../../abi/shape.js';
import { usageOf, programsWithUsage } from './usage.js';

export interface Page { name: string; section: number; summary: string; body: string[] }

const shape = (s: Parameters<typeof describeShape>[0]): string => describeShape(s).replace(/\\\|/g, '|');

function titled(name: string, section: number, sections: [string, string[]][]): string {
  const head = `${name.toUpperCase()}(${section})`;
  const middle = section === 1 ? 'kernelkit programs' : section === 2 ? 'kernelkit system calls' : 'kernelkit components';
  const gap = Math.max(1, 78 - 2 * head.length - middle.length);
  const out = [`${head}${' '.repeat(Math.floor(gap / 2))}${middle}${' '.repeat(Math.ceil(gap / 2))}${head}`, ''];
  for (const [title, lines] of sections) {
    out.push(title);
    for (const l of lines) out.push(l === '' ? '' : `       ${l}`);
    out.push('');
  }
  return out.join('\n');
}

/** A program's page from its usage text ("Usage: SYNOPSIS\nSUMMARY\n  options..."), or from `help` (its --help output). */
export function programPage(name: string, help = usageOf(name)): string {
  const lines = help.replace(/\n$/, '').split('\n');
  // The synopsis: the first line, and lines indented under it (other forms).
  const synopsis = alternatives((lines[0] ?? '').replace(/^usage: /i, ''));
  let k = 1;
  for (; k < lines.length && /^ {3,}\S/.test(lines[k] as string); k++) synopsis.push((lines[k] as string).trim());
  const summary = lines[k] ?? '';
  const rest = lines.slice(k + 1).map((l) => l.replace(/^  /, ''));
  const sections: [string, string[]][] = [['NAME', [`${name} - ${summary}`]], ['SYNOPSIS', synopsis]];
  if (rest.length > 0) sections.push(['OPTIONS', rest]);
  const also = [...(syscallNamed(name) !== undefined ? [`${name}(2)`] : []), 'help(1)'];
  sections.push(['SEE ALSO', [also.join(', ')]]);
  return titled(name, 1, sections);
}

// "A | B" at the top level (not inside brackets) is two forms of the command.
function alternatives(synopsis: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < synopsis.length; i++) {
    const c = synopsis[i];
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (depth === 0 && synopsis.startsWith(' | ', i)) { out.push(synopsis.slice(from, i)); from = i + 3; }
  }
  out.push(synopsis.slice(from));
  return out;
}

export const syscallNamed = (name: string): SyscallDef | undefined => SYSCALLS.find((s) => s.name === name);

export function syscallPage(s: SyscallDef): string {
  const handler = 'sys' + s.name.split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return titled(s.name, 2, [
    ['NAME', [`${s.name} - ${s.doc}`]],
    ['SYNOPSIS', [`${s.name}(${s.args.map(([n, k]) => `${n}: ${k}`).join(', ')})`, `syscall number ${s.nr}`]],
    ['DESCRIPTION', ['Arguments travel as float64 registers; a string or buffer is a (pointer, length)', 'pair into the process\'s own memory.']],
    ['RETURN VALUE', ['A number >= 0 on success, or -errno. The libc stub (src/user/libc) throws', 'SysError with the errno.']],
    ['SEE ALSO', [`src/kernel/syscall/${s.name.replace(/_/g, '-')}.ts (${handler}), src/abi/syscalls.ts`]],
  ]);
}

function methodLine(m: MethodDef): string {
  return `${m.name}(${m.args.map(([n, s]) => `${n}: ${shape(s)}`).join(', ')}) -> ${shape(m.result)}`;
}

export function servicePage(s: ServiceDef): string {
  const methods = s.methods.flatMap((m) => [methodLine(m), `    ${m.doc}${m.idempotent ? ' (idempotent: replayed once after a restart)' : ''}`]);
  return titled(s.name, 9, [
    ['NAME', [`${s.name} - ${s.doc}`]],
    ['METHODS', methods],
    ['SEE ALSO', ['lsmod(1), insmod(1), rmmod(1), fault(1), src/abi/services.ts']],
  ]);
}

export function methodPage(s: ServiceDef, m: MethodDef): string {
  return titled(`${s.name}.${m.name}`, 9, [
    ['NAME', [`${s.name}.${m.name} - ${m.doc}`]],
    ['SYNOPSIS', [methodLine(m), `method number ${m.nr} of ${s.name}`]],
    ['DESCRIPTION', [m.idempotent ? 'Idempotent: the supervisor replays it once on a restarted server.' : 'Not idempotent: a call in flight when the server crashes fails with EIO.',
      ...(m.bulk.length > 0 ? [`Bulk data: ${m.bulk.join(', ')}.`] : [])]],
    ['SEE ALSO', [`${s.name}(9)`]],
  ]);
}

/** Every page's name, section and one-line summary (man -k). */
export function index(): { name: string; section: number; summary: string }[] {
  const out: { name: string; section: number; summary: string }[] = [];
  for (const p of programsWithUsage()) out.push({ name: p, section: 1, summary: (usageOf(p).split('\n')[1] ?? '') });
  for (const s of SYSCALLS) out.push({ name: s.name, section: 2, summary: s.doc });
  for (const s of Object.values(SERVICES)) {
    out.push({ name: s.name, section: 9, summary: s.doc });
    for (const m of s.methods) out.push({ name: `${s.name}.${m.name}`, section: 9, summary: m.doc });
  }
  return out;
}

/**
 * The page for `name` in `section` (any section when undefined: 1, then 2, then 9);
 * `ownHelp` gives the --help output of a program in /bin.
 */
export function findPage(name: string, section: number | undefined, ownHelp: (name: string) => string | undefined = () => undefined): string | undefined {
  if (section === undefined || section === 1) {
    // The program's own --help is the source; the usage list serves when it cannot run.
    const help = ownHelp(name);
    if (help !== undefined) return programPage(name, help);
    if (programsWithUsage().includes(name)) return programPage(name);
  }
  const sc = syscallNamed(name);
  if ((section === undefined || section === 2) && sc !== undefined) return syscallPage(sc);
  if (section === undefined || section === 9) {
    const service = SERVICES[name];
    if (service !== undefined) return servicePage(service);
    const dot = name.indexOf('.');
    const owner = dot > 0 ? SERVICES[name.slice(0, dot)] : undefined;
    const method = owner?.byName.get(name.slice(dot + 1));
    if (owner !== undefined && method !== undefined) return methodPage(owner, method);
  }
  return undefined;
}
