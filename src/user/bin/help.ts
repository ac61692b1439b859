// help: the shell's builtins (read from the shell's own table, sh/builtins.ts) and
// where to read more: man for programs, syscalls and components.
import { run, stdout } from '../util/io.js';
import { preflight } from '../util/args.js';
import { BUILTINS } from '../sh/builtins.js';

export function main(argv: string[]): number {
  const early = preflight('help', argv.slice(1));
  if (early !== null) return early;
  return run('help', () => {
    const asked = argv.slice(1);
    if (asked.length > 0) {
      let status = 0;
      for (const n of asked) {
        if (BUILTINS.has(n)) stdout.line(`${n} is a shell builtin (see man sh)`);
        else { stdout.line(`${n} is not a shell builtin: try man ${n}`); status = 1; }
      }
      return status;
    }
    const names = [...BUILTINS.keys()].sort();
    const width = Math.max(...names.map((n) => n.length)) + 2;
    const perLine = Math.max(1, Math.floor(72 / width));
    stdout.line('Shell builtins (they run inside sh; everything else is a program in /bin):');
    for (let i = 0; i < names.length; i += perLine) stdout.line('  ' + names.slice(i, i + perLine).map((n) => n.padEnd(width)).join('').trimEnd());
    stdout.line('');
    stdout.line('More:');
    stdout.line('  man NAME        the page of a program (ls), a syscall (man 2 read) or a component (man vfs)');
    stdout.line('  man -k WORD     pages whose name or summary mentions WORD');
    stdout.line('  NAME --help     a program\'s options');
    stdout.line('  ls /bin         every program;  lsmod  the components;  dmesg  the kernel log');
    return 0;
  });
}
