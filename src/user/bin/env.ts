// env: prints the environment, or runs a command in a changed one.
//   env [-i] [-u NAME]... [NAME=VALUE]... [COMMAND [ARG]...]
import { run, stdout, UsageError, HelpRequest } from '../util/io.js';
import { runCommand } from '../util/command.js';

export function main(argv: string[], env: Record<string, string>): number {
  return run('env', () => {
    let vars: Record<string, string> = { ...env };
    const args = argv.slice(1);
    let i = 0;
    for (; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '-i' || a === '-') { vars = {}; continue; }
      if (a === '-u') {
        const name = args[++i];
        if (name === undefined) throw new UsageError("option requires an argument -- 'u'");
        delete vars[name];
        continue;
      }
      if (a === '--') { i++; break; }
      if (a === '--help') throw new HelpRequest();
      if (a.startsWith('--')) throw new UsageError(`unrecognized option '${a}'`);
      if (a.startsWith('-') && a.length > 1) throw new UsageError(`invalid option -- '${a.slice(1)}'`);
      break;
    }
    for (; i < args.length && /^[^=]+=/.test(args[i] as string); i++) {
      const a = args[i] as string;
      const eq = a.indexOf('=');
      vars[a.slice(0, eq)] = a.slice(eq + 1);
    }
    const command = args.slice(i);
    if (command.length === 0) {
      for (const [k, v] of Object.entries(vars)) stdout.line(`${k}=${v}`);
      return 0;
    }
    return runCommand('env', command, vars, vars['PATH'] ?? env['PATH'] ?? '/bin');
  });
}
