// su: runs a shell as another user (root by default).
//   su [-] [-l] [USER] [-c COMMAND]
// kernelkit keeps no passwords: only root may switch (so `kernelkit run --user` and
// login, which run as root, can), and anyone else is refused with EPERM. A real system
// would make su set-user-id root and ask for the target's password.
import { getuid } from '../libc/index.js';
import { run, complain, UsageError, HelpRequest } from '../util/io.js';
import { lookupUser } from '../util/passwd.js';
import { become } from '../util/become.js';

export function main(argv: string[], env: Record<string, string>): number {
  return run('su', () => {
    let login = false;
    let command: string | undefined;
    const operands: string[] = [];
    const args = argv.slice(1);
    if (args[0] === '--help') throw new HelpRequest();
    const long = args.find((a) => a.startsWith('--') && a !== '--' && a !== '--login' && a !== '--command');
    if (long !== undefined) throw new UsageError(`unrecognized option '${long}'`);
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-' || a === '-l' || a === '--login') login = true;
      else if (a === '-c' || a === '--command') {
        command = args[++i];
        if (command === undefined) throw new UsageError("option requires an argument -- 'c'");
      } else if (a.startsWith('-')) throw new UsageError(`invalid option -- '${a.slice(1)}'`);
      else operands.push(a);
    }
    if (operands.length > 1) throw new UsageError(`extra operand '${operands[1]}'`);
    const name = operands[0] ?? 'root';
    const u = lookupUser(name);
    if (u === undefined) { complain('su', `user ${name} does not exist`); return 1; }
    if (getuid() !== 0) { complain('su', 'Permission denied (only root may switch users: kernelkit has no passwords)'); return 1; }
    return become(u, { login, command, env, prog: 'su' });
  });
}
