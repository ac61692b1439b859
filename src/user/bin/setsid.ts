// setsid: runs a program in a new session (and so a new process group of its own).
//   setsid [-w] COMMAND [ARG]...
// setsid itself becomes the session leader: it calls setsid(2), starts COMMAND (which
// inherits the session and the group) and waits for it, exiting with its status, as
// util-linux's `setsid -w` does; -w is accepted and is always the behaviour.
import { run, UsageError, HelpRequest } from '../util/io.js';
import { runCommand } from '../util/command.js';
import * as libc from '../libc/index.js';

export function main(argv: string[], env: Record<string, string>): number {
  return run('setsid', () => {
    const args = argv.slice(1);
    while (args[0]?.startsWith('-') === true) {
      const a = args.shift() as string;
      if (a === '--') break;
      if (a === '--help') throw new HelpRequest();
      if (a === '-w' || a === '--wait') continue;
      throw new UsageError(`invalid option -- '${a.replace(/^-+/, '')}'`);
    }
    if (args.length === 0) throw new UsageError('missing command');
    libc.setsid();
    return runCommand('setsid', args, env);
  });
}
