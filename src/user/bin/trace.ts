// trace: runs a command and prints each syscall it (and every process it starts)
// makes, with the component calls each one caused, like strace -f.
//   trace [-o FILE] [--json] COMMAND [ARG]...
//   trace [-o FILE] [--json] -p PID
// Lines go to stderr, or to FILE. The kernel makes the events (the `trace` syscall,
// kernel/trace.ts); this program only points them at a descriptor and waits.
import { spawn, wait, open, trace, kill, sleepMs, getpid, O, SysError, Errno } from '../libc/index.js';
import { findCommand } from '../util/command.js';
import { run, complain, stdout, UsageError } from '../util/io.js';

const USAGE = `usage: trace [-o FILE] [--json] COMMAND [ARG]...
       trace [-o FILE] [--json] -p PID
Runs COMMAND and prints each syscall it and its children make, and each call to a
component it caused: thread, component (and its domain), method, message sizes,
bytes of data copied, time. Output goes to stderr.
  -o FILE   write the trace to FILE instead
  --json    one JSON object per event (the form the lab reads)
  -p PID    trace a running process and the children it starts, until it ends
Only root may trace processes of other users.
`;

export function main(argv: string[], env: Record<string, string>): number {
  return run('trace', () => {
    const args = argv.slice(1);
    let file: string | undefined;
    let json = false;
    let pid: number | undefined;
    let i = 0;
    for (; i < args.length; i++) {
      const a = args[i]!;
      if (a === '--help') { stdout.write(USAGE); return 0; }
      if (a === '--json') { json = true; continue; }
      if (a === '-o' || a === '-p') {
        const v = args[++i];
        if (v === undefined) throw new UsageError(`option requires an argument -- '${a.slice(1)}'`);
        if (a === '-o') file = v;
        else if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`bad pid '${v}'`);
        else pid = Number(v);
        continue;
      }
      if (a === '--') { i++; break; }
      if (a.startsWith('-') && a.length > 1) throw new UsageError(`invalid option -- '${a.replace(/^-+/, '')}' (try --help)`);
      break;
    }
    const command = args.slice(i);
    if (pid === undefined && command.length === 0) throw new UsageError('missing command (try --help)');
    if (pid !== undefined && command.length > 0) throw new UsageError('-p and a command exclude each other');
    if (pid !== undefined && pid === getpid()) throw new UsageError('-p: a tracer cannot follow itself');
    const fd = file === undefined ? 2 : open(file, O.WRONLY | O.CREAT | O.TRUNC, 0o644);

    if (pid !== undefined) {
      trace(fd, pid, json);
      // Attached: the kernel writes the lines; wait here until the process is gone.
      for (;;) {
        try { kill(pid, 0); } catch (e) { if (e instanceof SysError && e.errno === Errno.ESRCH) return 0; throw e; }
        sleepMs(100);
      }
    }

    const name = command[0]!;
    const path = findCommand(name, env['PATH'] ?? '/bin');
    if (path === null) { complain('trace', `'${name}': No such file or directory`); return 127; }
    trace(fd, 0, json);
    let child: number;
    try {
      child = spawn(path, { argv: command, env });
    } catch (e) {
      complain('trace', `'${name}': ${e instanceof SysError ? e.message.replace(/^.*: /, '') : String(e)}`);
      return e instanceof SysError && e.errno === Errno.ENOENT ? 127 : 126;
    }
    const r = wait(child);
    if (r === null) return 0;
    return r.signal !== 0 ? 128 + r.signal : r.code;
  });
}
