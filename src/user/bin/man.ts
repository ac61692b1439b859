// man: the manual page of a program (1), a syscall (2) or a component's service or
// method (9), made from the lists they describe (util/manual.ts); a program's page
// from its own --help output.
//   man [SECTION] NAME    man -k WORD    man -l (every page)
import { spawn, wait, pipe, close, readAll, stat, isReg } from '../libc/index.js';
import { run, stdout, complain, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { findPage, index } from '../util/manual.js';

export function main(argv: string[]): number {
  return run('man', () => {
    const args = parseArgs(argv.slice(1), { flags: 'l', options: 'k', long: { apropos: 'k', list: 'l' } });
    if (args.options.has('k') || args.flags.has('l')) {
      const word = (args.options.get('k') ?? '').toLowerCase();
      const hits = index().filter((p) => word === '' || p.name.toLowerCase().includes(word) || p.summary.toLowerCase().includes(word));
      for (const p of hits) stdout.line(`${p.name} (${p.section}) - ${p.summary}`);
      if (hits.length === 0) { complain('man', `${word}: nothing appropriate.`); return 16; }
      return 0;
    }
    let operands = args.operands;
    let section: number | undefined;
    if (operands.length === 2 && /^[129]$/.test(operands[0] as string)) { section = Number(operands[0]); operands = operands.slice(1); }
    if (operands.length !== 1) throw new UsageError(operands.length === 0 ? 'What manual page do you want? For example, try \'man man\'.' : `extra operand '${operands[1]}'`);
    const name = operands[0] as string;
    const page = findPage(name, section, ownHelp);
    if (page === undefined) { complain('man', `No manual entry for ${name}${section !== undefined ? ` in section ${section}` : ''}`); return 16; }
    stdout.write(page);
    return 0;
  });
}

// A program's --help output: /bin/NAME run with --help.
function ownHelp(name: string): string | undefined {
  if (name.includes('/')) return undefined;
  const path = `/bin/${name}`;
  try { if (!isReg(stat(path).mode)) return undefined; } catch { return undefined; }
  const [r, w] = pipe();
  let pid: number;
  try { pid = spawn(path, { argv: [name, '--help'], fds: [[0, 0], [1, w], [2, w]] }); } finally { close(w); }
  const out = new TextDecoder().decode(readAll(r));
  close(r);
  const status = wait(pid);
  if (status === null || status.code !== 0 || out === '') return undefined;
  return out;
}
