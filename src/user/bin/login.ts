// login: asks for a user name on the terminal and starts that user's login shell
// (home directory, HOME/USER/SHELL set). Must run as root: `kernelkit boot --login`
// runs it as init. kernelkit keeps no passwords, so the name is all it asks.
//   login [USER]
import { getuid, read } from '../libc/index.js';
import { run, complain, stdout, UsageError } from '../util/io.js';
import { lookupUser } from '../util/passwd.js';
import { become } from '../util/become.js';
import { checkHandOptions } from '../util/args.js';

const decoder = new TextDecoder();

// One line, a byte at a time: what follows it is the shell's input, not login's.
function readLine(): string | undefined {
  const bytes: number[] = [];
  for (;;) {
    const b = read(0, 1);
    if (b.length === 0) return bytes.length === 0 ? undefined : decoder.decode(new Uint8Array(bytes));
    if (b[0] === 10) return decoder.decode(new Uint8Array(bytes));
    if (bytes.length < 256) bytes.push(b[0]!);
  }
}

export function main(argv: string[], env: Record<string, string>): number {
  return run('login', () => {
    checkHandOptions(argv.slice(1), []);
    if (argv.length > 2) throw new UsageError(`extra operand '${argv[2]}'`);
    if (getuid() !== 0) { complain('login', 'Permission denied (login must run as root)'); return 1; }
    let name = argv[1];
    for (let tries = 0; tries < 10; tries++) {
      if (name === undefined) {
        stdout.write('kernelkit login: ');
        stdout.flush();
        const line = readLine();
        if (line === undefined) return 1; // end of input
        name = line.trim();
        if (name === '') { name = undefined; continue; }
      }
      const u = lookupUser(name);
      if (u !== undefined) return become(u, { login: true, env, prog: 'login' });
      stdout.line('Login incorrect');
      name = undefined;
    }
    return 1;
  });
}
