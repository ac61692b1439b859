// kill: sends a signal (default TERM) to processes, or to a process group when the
// pid is negative. kill -SIG PID..., kill -N PID..., kill -s SIG PID..., kill -l [N].
// The shell's kill builtin takes the same command line (util/kill-args.ts) and adds
// job specs; this program is for callers that are not the shell.
import { kill } from '../libc/index.js';
import { run, complain, reasonOf, stdout, UsageError, HelpRequest } from '../util/io.js';
import { parseKill, listSignals } from '../util/kill-args.js';

export function main(argv: string[]): number {
  return run('kill', () => {
    // Signals and pids may start with '-'; only --help and other long options are options.
    if (argv[1] === '--help') throw new HelpRequest();
    const long = argv.slice(1).find((a) => a.startsWith('--') && a !== '--');
    if (long !== undefined) throw new UsageError(`unrecognized option '${long}'`);
    const cmd = parseKill(argv.slice(1));
    if ('list' in cmd) { stdout.write(listSignals(cmd.list)); return 0; }
    let status = 0;
    for (const t of cmd.targets) {
      if (!/^-?\d+$/.test(t)) { complain('kill', `${t}: arguments must be process or job IDs`); status = 1; continue; }
      try { kill(Number(t), cmd.signal); } catch (e) { complain('kill', `(${t}) - ${reasonOf(e)}`); status = 1; }
    }
    return status;
  });
}
