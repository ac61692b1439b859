// Commands the shell runs itself: the ones that change the shell's own state (cd,
// exit, export, unset, wait, set, shift, ., ulimit), kill (which must work when no
// process can be started), and a few cheap ones that would otherwise
// cost a process each (echo, pwd, true, false, :, type). Each gets the descriptors
// its redirections chose; `inPipeline` means it runs as part of a pipeline or in the
// background, where POSIX runs it in a subshell, so it must not change the shell.

import * as libc from '../libc/index.js';
import { SysError } from '../libc/index.js';
import { signal } from '../libc/signal.js';
import type { Shell, Job } from './exec.js';
import { ExitShell, LoopControl, ReturnFromFunction, jobState } from './exec.js';
import { echoText } from '../util/echo.js';
import { formatPrintf } from '../util/printf.js';
import { evaluateTest } from '../util/test-expr.js';
import { UsageError } from '../util/io.js';
import { quote } from './print.js';
import { parseKill, listSignals, type KillCommand } from '../util/kill-args.js';

/** The descriptors a builtin writes to (undefined: closed by a redirection). */
export interface BuiltinIo { stdin?: number; stdout?: number; stderr?: number }

export type Builtin = (sh: Shell, argv: string[], io: BuiltinIo, inPipeline: boolean) => number;

function out(io: BuiltinIo, text: string): void {
  if (io.stdout === undefined) throw new SysError(9, 'write');
  libc.write(io.stdout, text);
}

function err(io: BuiltinIo, text: string): void {
  if (io.stderr === undefined) return;
  try { libc.write(io.stderr, text); } catch { /* nowhere to report */ }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// umask [MODE]: prints (0022) or sets the shell's file creation mask, which its
// children inherit. Octal only.
const umask: Builtin = (_sh, argv, io, inPipeline) => {
  const arg = argv[1];
  if (arg === undefined) {
    const old = libc.umask(0);
    libc.umask(old);
    out(io, `${old.toString(8).padStart(4, '0')}\n`);
    return 0;
  }
  if (!/^[0-7]{1,4}$/.test(arg)) { err(io, `sh: umask: ${arg}: octal number out of range\n`); return 1; }
  if (!inPipeline) libc.umask(parseInt(arg, 8));
  return 0;
};

const cd: Builtin = (sh, argv, io, inPipeline) => {
  let dir = argv[1];
  let print = false;
  if (dir === undefined) dir = sh.vars.get('HOME') || '/';
  else if (dir === '-') { dir = sh.vars.get('OLDPWD') ?? ''; print = true; if (dir === '') { err(io, 'sh: cd: OLDPWD not set\n'); return 1; } }
  if (argv.length > 2) { err(io, 'sh: cd: too many arguments\n'); return 1; }
  const before = safeCwd();
  try {
    if (inPipeline) { if (!libc.isDir(libc.stat(dir).mode)) throw new SysError(20, 'chdir', dir); return 0; }
    libc.chdir(dir);
  } catch (e) {
    err(io, `sh: cd: ${e instanceof SysError ? `${dir}: ${libc.strerror(e.errno)}` : String(e)}\n`);
    return 1;
  }
  const now = safeCwd();
  if (before !== undefined) sh.setVar('OLDPWD', before);
  if (now !== undefined) sh.setVar('PWD', now);
  if (print) out(io, `${now ?? dir}\n`);
  return 0;
};

function safeCwd(): string | undefined {
  try { return libc.getcwd(); } catch { return undefined; }
}

const exit: Builtin = (sh, argv, io, inPipeline) => {
  const arg = argv[1];
  let status = sh.status;
  if (arg !== undefined) {
    if (!/^-?\d+$/.test(arg)) { err(io, `sh: exit: ${arg}: numeric argument required\n`); status = 2; }
    else status = ((Number(arg) % 256) + 256) % 256;
  }
  if (inPipeline) return status;
  throw new ExitShell(status);
};

const exportBuiltin: Builtin = (sh, argv, io) => {
  const args = argv.slice(1).filter((a) => a !== '-p');
  if (args.length === 0) {
    const names = [...sh.exported].filter((k) => sh.vars.has(k)).sort();
    out(io, names.map((k) => `export ${k}=${quote(sh.vars.get(k) ?? '')}\n`).join(''));
    return 0;
  }
  let status = 0;
  for (const a of args) {
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(0, eq) : a;
    if (!NAME.test(name)) { err(io, `sh: export: '${a}': not a valid identifier\n`); status = 1; continue; }
    if (eq >= 0) sh.setVar(name, a.slice(eq + 1));
    sh.exported.add(name);
  }
  return status;
};

const unset: Builtin = (sh, argv, io) => {
  let status = 0;
  // unset -f NAME: the function; -v (the default): the variable.
  if (argv[1] === '-f') { for (const name of argv.slice(2)) sh.functions.delete(name); return 0; }
  for (const name of argv.slice(1).filter((a) => a !== '-v')) {
    if (!NAME.test(name)) { err(io, `sh: unset: '${name}': not a valid identifier\n`); status = 1; continue; }
    sh.vars.delete(name);
    sh.exported.delete(name);
  }
  return status;
};

const wait: Builtin = (sh, argv, io) => {
  if (argv.length === 1) return sh.waitAll();
  let status = 0;
  for (const a of argv.slice(1)) {
    let pid: number | undefined;
    if (/^%\d+$/.test(a)) {
      const job = sh.jobs.find((j) => j.id === Number(a.slice(1)));
      pid = job?.pids[job.pids.length - 1];
      if (pid === undefined) { err(io, `sh: wait: ${a}: no such job\n`); status = 127; continue; }
    } else if (/^\d+$/.test(a)) {
      pid = Number(a);
    } else {
      err(io, `sh: wait: '${a}': not a pid or valid job spec\n`);
      status = 2;
      continue;
    }
    status = sh.waitPid(pid);
  }
  return status;
};

// jobs [-l]: the jobs, as bash lists them ([N]+ for the current one, the one fg and bg
// take without an argument); -l adds the pids.
const jobs: Builtin = (sh, argv, io) => {
  const long = argv[1] === '-l';
  if (argv.length > (long ? 2 : 1)) { err(io, 'sh: jobs: usage: jobs [-l]\n'); return 2; }
  for (const j of sh.reapJobs()) if (!sh.jobs.includes(j)) out(io, `[${j.id}]   ${jobState(j).padEnd(24)}${j.text}\n`);
  const current = sh.jobs[sh.jobs.length - 1];
  out(io, sh.jobs.map((j) => `[${j.id}]${j === current ? '+' : ' '}  ${long ? `${j.pids.join(' ')} ` : ''}${(j.stopped ? 'Stopped' : 'Running').padEnd(24)}${j.text}${j.stopped ? '' : ' &'}\n`).join(''));
  return 0;
};

/** The job a spec names: %N, %% or %+ (or nothing): the current (newest) job. */
function jobOf(sh: Shell, name: string, spec: string | undefined, io: BuiltinIo): Job | undefined {
  sh.reapJobs();
  let job: Job | undefined;
  if (spec === undefined || spec === '%%' || spec === '%+') job = sh.jobs[sh.jobs.length - 1];
  else if (/^%?\d+$/.test(spec)) job = sh.jobs.find((j) => j.id === Number(spec.replace('%', '')));
  else { err(io, `sh: ${name}: ${spec}: no such job\n`); return undefined; }
  if (job === undefined) err(io, `sh: ${name}: ${spec ?? 'current'}: no such job\n`);
  return job;
}

// fg [%N]: the job back in the foreground, continued; bg [%N]: a stopped job continued in the background.
const fg: Builtin = (sh, argv, io) => {
  if (!sh.interactive) { err(io, 'sh: fg: no job control\n'); return 1; }
  const job = jobOf(sh, 'fg', argv[1], io);
  return job === undefined ? 1 : sh.foreground(job);
};

const bg: Builtin = (sh, argv, io) => {
  if (!sh.interactive) { err(io, 'sh: bg: no job control\n'); return 1; }
  let status = 0;
  for (const spec of argv.length > 1 ? argv.slice(1) : [undefined]) {
    const job = jobOf(sh, 'bg', spec, io);
    if (job === undefined) { status = 1; continue; }
    if (!job.stopped) { err(io, `sh: bg: job ${job.id} already in background\n`); continue; }
    sh.background(job);
  }
  return status;
};

const set: Builtin = (sh, argv, io) => {
  if (argv.length === 1) {
    const names = [...sh.vars.keys()].sort();
    out(io, names.map((k) => `${k}=${quote(sh.vars.get(k) ?? '')}\n`).join(''));
    return 0;
  }
  // set [-ex] [+ex] [-- ARGS]: options e (exit on error) and x (trace), then ARGS.
  const args = argv.slice(1);
  while (args.length > 0) {
    const a = args[0] as string;
    if (a === '--') { args.shift(); sh.positionalArgs = args; return 0; }
    const m = /^([-+])([ex]+)$/.exec(a);
    if (m === null) break;
    for (const letter of m[2] as string) {
      if (m[1] === '-') sh.options.add(letter); else sh.options.delete(letter);
    }
    args.shift();
  }
  if (args.length > 0) {
    if (/^[-+]/.test(args[0] as string)) { err(io, `sh: set: ${args[0]}: invalid option (only -e, -x, --)\n`); return 2; }
    sh.positionalArgs = args;
  }
  return 0;
};

const shift: Builtin = (sh, argv, io) => {
  const n = argv[1] === undefined ? 1 : Number(argv[1]);
  if (!Number.isInteger(n) || n < 0 || n > sh.positionalArgs.length) { err(io, `sh: shift: ${argv[1] ?? 1}: shift count out of range\n`); return 1; }
  sh.positionalArgs = sh.positionalArgs.slice(n);
  return 0;
};

const source: Builtin = (sh, argv, io) => {
  const file = argv[1];
  if (file === undefined) { err(io, 'sh: .: filename argument required\n'); return 2; }
  let text: string;
  try { text = libc.textDecode(libc.readFile(file)); } catch (e) { err(io, `sh: .: ${e instanceof Error ? e.message : String(e)}\n`); return 1; }
  return sh.runSource(text);
};

const type: Builtin = (sh, argv, io) => {
  let status = 0;
  for (const name of argv.slice(1)) {
    if (sh.aliases.has(name)) { out(io, `${name} is aliased to \`${sh.aliases.get(name)!}'\n`); continue; }
    if (sh.functions.has(name)) { out(io, `${name} is a function\n`); continue; }
    if (BUILTINS.has(name)) { out(io, `${name} is a shell builtin\n`); continue; }
    const path = sh.lookup(name);
    if (path === null) { err(io, `sh: type: ${name}: not found\n`); status = 1; continue; }
    out(io, `${name} is ${path}\n`);
  }
  return status;
};

const loopControl = (kind: 'break' | 'continue'): Builtin => (sh, argv, io) => {
  const n = argv[1] === undefined ? 1 : Number(argv[1]);
  if (!Number.isInteger(n) || n < 1) { err(io, `sh: ${kind}: ${argv[1]}: loop count out of range\n`); return 1; }
  if (sh.loopDepth === 0) return 0;
  throw new LoopControl(kind, Math.min(n, sh.loopDepth));
};

// read [-r] [NAME...]: one line from stdin, split on blanks into the names (the last
// takes the rest); REPLY when no name is given. Status 1 at end of input.
const read: Builtin = (sh, argv, io) => {
  const args = argv.slice(1);
  const raw = args[0] === '-r';
  const names = raw ? args.slice(1) : args;
  if (names.length === 0) names.push('REPLY');
  for (const n of names) if (!NAME.test(n)) { err(io, `sh: read: '${n}': not a valid identifier\n`); return 2; }
  if (io.stdin === undefined) return 1;
  // One byte at a time, so the rest of the input stays for whoever reads next.
  const bytes: number[] = [];
  let eof = false;
  for (;;) {
    const b = libc.read(io.stdin, 1);
    if (b.length === 0) { eof = true; break; }
    const c = b[0] as number;
    if (c === 10) {
      if (!raw && bytes[bytes.length - 1] === 92) { bytes.pop(); continue; }
      break;
    }
    bytes.push(c);
  }
  let line = new TextDecoder().decode(new Uint8Array(bytes));
  if (!raw) line = line.replace(/\\(.)/g, '$1');
  const fields = line.replace(/^[ \t]+/, '').split(/[ \t]+/);
  names.forEach((n, i) => {
    if (i === names.length - 1) {
      const rest = line.replace(/^[ \t]+/, '');
      let idx = 0;
      for (let k = 0; k < i; k++) idx = rest.indexOf(fields[k] as string, idx) + (fields[k] as string).length;
      sh.setVar(n, rest.slice(idx).replace(/^[ \t]+/, '').replace(/[ \t]+$/, ''));
    } else {
      sh.setVar(n, fields[i] ?? '');
    }
  });
  return eof ? 1 : 0;
};

const returnBuiltin: Builtin = (sh, argv, io) => {
  const arg = argv[1];
  if (arg !== undefined && !/^-?\d+$/.test(arg)) { err(io, `sh: return: ${arg}: numeric argument required\n`); return 2; }
  const status = arg === undefined ? sh.status : ((Number(arg) % 256) + 256) % 256;
  if (sh.functionDepth === 0) { err(io, 'sh: return: can only return from a function or sourced script\n'); return 1; }
  throw new ReturnFromFunction(status);
};

// kill, complete in the shell (util/kill-args.ts): signals by name or number, -l,
// pids, process groups, -1, and job specs (%N: the job's processes). It starts no
// process, so it works when the process table is full (a runaway spawn loop).
const killBuiltin: Builtin = (sh, argv, io) => {
  let cmd: KillCommand;
  try {
    cmd = parseKill(argv.slice(1));
    if ('list' in cmd) { out(io, listSignals(cmd.list)); return 0; }
  } catch (e) {
    if (e instanceof UsageError) { err(io, `sh: kill: ${e.message}\n`); return 2; }
    throw e;
  }
  let status = 0;
  for (const t of cmd.targets) {
    let pids: number[];
    const job = /^%(\d+)$/.exec(t);
    if (job !== null) {
      sh.reapJobs();
      const found = sh.jobs.find((j) => j.id === Number(job[1]));
      if (found === undefined) { err(io, `sh: kill: ${t}: no such job\n`); status = 1; continue; }
      pids = found.pids;
    } else if (/^-?\d+$/.test(t)) {
      pids = [Number(t)];
    } else {
      err(io, `sh: kill: ${t}: arguments must be process or job IDs\n`);
      status = 1;
      continue;
    }
    for (const pid of pids) {
      try { libc.kill(pid, cmd.signal); } catch (e) {
        // A job's process that already ended is not an error for the job.
        if (job !== null && e instanceof SysError && e.errno === libc.Errno.ESRCH) continue;
        err(io, `sh: kill: (${pid}) - ${e instanceof SysError ? libc.strerror(e.errno) : String(e)}\n`);
        status = 1;
      }
    }
  }
  return status;
};

// ulimit [-SH] [-a | -n | -t | -v] [LIMIT]: shows or sets a resource limit of the shell,
// inherited by what it starts. -n open files, -t CPU seconds, -v memory in KiB;
// LIMIT is a number or "unlimited". Setting without -S or -H sets both.
const ULIMITS = [
  { letter: 'n', resource: libc.RLIMIT.NOFILE, unit: 1, label: 'open files                      (-n)' },
  { letter: 't', resource: libc.RLIMIT.CPU, unit: 1, label: 'cpu time               (seconds, -t)' },
  { letter: 'v', resource: libc.RLIMIT.AS, unit: 1024, label: 'virtual memory          (kbytes, -v)' },
] as const;

const ulimit: Builtin = (_sh, argv, io, inPipeline) => {
  let soft = false, hard = false, all = false;
  let which: (typeof ULIMITS)[number] | undefined;
  const operands: string[] = [];
  for (const a of argv.slice(1)) {
    if (!/^-[A-Za-z]+$/.test(a)) { operands.push(a); continue; }
    for (const c of a.slice(1)) {
      if (c === 'S') soft = true;
      else if (c === 'H') hard = true;
      else if (c === 'a') all = true;
      else {
        const u = ULIMITS.find((x) => x.letter === c);
        if (u === undefined) { err(io, `sh: ulimit: -${c}: invalid option (-a, -n, -t, -v, -S, -H)\n`); return 2; }
        which = u;
      }
    }
  }
  const show = (v: number, unit: number): string => (v === libc.RLIM_INFINITY ? 'unlimited' : String(Math.floor(v / unit)));
  try {
    if (all) {
      out(io, ULIMITS.map((u) => { const l = libc.getrlimit(u.resource); return `${u.label} ${show(hard ? l.hard : l.soft, u.unit)}\n`; }).join(''));
      return 0;
    }
    if (which === undefined) { err(io, 'sh: ulimit: name a limit: -n, -t or -v (or -a for all)\n'); return 2; }
    if (operands.length > 1) { err(io, 'sh: ulimit: too many arguments\n'); return 2; }
    const now = libc.getrlimit(which.resource);
    if (operands.length === 0) { out(io, `${show(hard ? now.hard : now.soft, which.unit)}\n`); return 0; }
    const arg = operands[0]!;
    let value: number;
    if (arg === 'unlimited') value = libc.RLIM_INFINITY;
    else if (/^\d+$/.test(arg) && Number.isSafeInteger(Number(arg) * which.unit)) value = Number(arg) * which.unit;
    else { err(io, `sh: ulimit: ${arg}: invalid number\n`); return 1; }
    if (inPipeline) return 0; // a subshell's limit would not outlive it
    const setSoft = soft || !hard, setHard = hard || !soft;
    libc.setrlimit(which.resource, setSoft ? value : Math.min(now.soft, value), setHard ? value : now.hard);
    return 0;
  } catch (e) {
    if (e instanceof SysError) { err(io, `sh: ulimit: ${libc.strerror(e.errno)}\n`); return 1; }
    throw e;
  }
};

const testBuiltin: Builtin = (_sh, argv, io) => {
  let args = argv.slice(1);
  if (argv[0] === '[') {
    if (args[args.length - 1] !== ']') { err(io, "sh: [: missing ']'\n"); return 2; }
    args = args.slice(0, -1);
  }
  try {
    return evaluateTest(args) ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) { err(io, `sh: ${argv[0]}: ${e.message}\n`); return 2; }
    throw e;
  }
};

// history [-c] [N]: the lines typed at the prompt, numbered; -c forgets them.
const history: Builtin = (sh, argv, io) => {
  const arg = argv[1];
  if (arg === '-c') { sh.historyBase += sh.history.length; sh.history.length = 0; return 0; }
  let from = 0;
  if (arg !== undefined) {
    if (!/^\d+$/.test(arg)) { err(io, `sh: history: ${arg}: numeric argument required\n`); return 2; }
    from = Math.max(0, sh.history.length - Number(arg));
  }
  out(io, sh.history.slice(from).map((line, i) => `${String(sh.historyBase + from + i).padStart(5)}  ${line}\n`).join(''));
  return 0;
};

// alias [NAME[=VALUE]...]: defines or shows aliases; unalias [-a] NAME...: forgets them.
const alias: Builtin = (sh, argv, io) => {
  const show = (name: string): string => `alias ${name}=${quote(sh.aliases.get(name)!)}\n`;
  if (argv.length === 1) { out(io, [...sh.aliases.keys()].sort().map(show).join('')); return 0; }
  let status = 0;
  for (const a of argv.slice(1)) {
    const eq = a.indexOf('=');
    if (eq > 0) {
      const name = a.slice(0, eq);
      if (/[\s/$`'"=]/.test(name)) { err(io, `sh: alias: '${name}': invalid alias name\n`); status = 1; continue; }
      sh.aliases.set(name, a.slice(eq + 1));
    } else if (sh.aliases.has(a)) out(io, show(a));
    else { err(io, `sh: alias: ${a}: not found\n`); status = 1; }
  }
  return status;
};

const unalias: Builtin = (sh, argv, io) => {
  if (argv[1] === '-a') { sh.aliases.clear(); return 0; }
  if (argv.length === 1) { err(io, 'sh: unalias: usage: unalias [-a] name [name ...]\n'); return 2; }
  let status = 0;
  for (const a of argv.slice(1)) if (!sh.aliases.delete(a)) { err(io, `sh: unalias: ${a}: not found\n`); status = 1; }
  return status;
};

// local NAME[=VALUE]...: variables that belong to the running function.
const local: Builtin = (sh, argv, io) => {
  let status = 0;
  for (const a of argv.slice(1)) {
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    if (!NAME.test(name)) { err(io, `sh: local: '${a}': not a valid identifier\n`); status = 1; continue; }
    if (!sh.makeLocal(name)) { err(io, 'sh: local: can only be used in a function\n'); return 1; }
    if (eq >= 0) sh.setVar(name, a.slice(eq + 1)); else sh.vars.delete(name);
  }
  return status;
};

const TRAP_NAMES: Record<string, number> = { EXIT: 0, HUP: libc.Signal.SIGHUP, INT: libc.Signal.SIGINT, QUIT: libc.Signal.SIGQUIT, TERM: libc.Signal.SIGTERM, USR1: libc.Signal.SIGUSR1, USR2: libc.Signal.SIGUSR2, ALRM: libc.Signal.SIGALRM };

function trapNumber(spec: string): number | undefined {
  if (/^\d+$/.test(spec)) { const n = Number(spec); return Object.values(TRAP_NAMES).includes(n) ? n : undefined; }
  return TRAP_NAMES[spec.toUpperCase().replace(/^SIG/, '')];
}

// trap [ACTION SIGNAL...] | trap - SIGNAL... | trap: runs ACTION when SIGNAL arrives
// (EXIT: when the shell ends); '' ignores it, - restores the default; no operands list them.
const trap: Builtin = (sh, argv, io) => {
  const args = argv.slice(1);
  if (args[0] === '--') args.shift();
  if (args.length === 0 || args[0] === '-p') {
    const name = (n: number): string => Object.keys(TRAP_NAMES).find((k) => TRAP_NAMES[k] === n)!;
    out(io, [...sh.traps].sort((a, b) => a[0] - b[0]).map(([n, text]) => `trap -- ${quote(text)} ${n === 0 ? 'EXIT' : `SIG${name(n)}`}\n`).join(''));
    return 0;
  }
  // One operand that names a signal resets it, as POSIX reads `trap INT`.
  const action = args.length === 1 ? '-' : args.shift()!;
  let status = 0;
  for (const spec of args) {
    const sig = trapNumber(spec);
    if (sig === undefined) { err(io, `sh: trap: ${spec}: invalid signal specification\n`); status = 1; continue; }
    if (action === '-') {
      sh.traps.delete(sig);
      if (sig !== 0) sh.restoreSignal(sig);
      continue;
    }
    sh.traps.set(sig, action);
    if (sig === 0) continue;
    try {
      if (action === '') libc.sigaction(sig, libc.SigDisposition.IGNORE);
      else signal(sig, (s) => sh.trapSignal(s));
    } catch { err(io, `sh: trap: ${spec}: cannot be caught\n`); status = 1; }
  }
  return status;
};

// command -v|-V NAME...: how NAME would run (command NAME ARGS runs it without functions: exec.ts).
const command: Builtin = (sh, argv, io) => {
  const flag = argv[1];
  if (flag !== '-v' && flag !== '-V') { err(io, 'sh: command: usage: command [-v | -V] NAME...\n'); return 2; }
  let status = 0;
  for (const name of argv.slice(2)) {
    if (sh.aliases.has(name)) out(io, flag === '-v' ? `alias ${name}=${quote(sh.aliases.get(name)!)}\n` : `${name} is aliased to \`${sh.aliases.get(name)!}'\n`);
    else if (sh.functions.has(name)) out(io, flag === '-v' ? `${name}\n` : `${name} is a function\n`);
    else if (BUILTINS.has(name)) out(io, flag === '-v' ? `${name}\n` : `${name} is a shell builtin\n`);
    else {
      const path = sh.lookup(name);
      if (path === null) { if (flag === '-V') err(io, `sh: command: ${name}: not found\n`); status = 1; continue; }
      out(io, flag === '-v' ? `${path}\n` : `${name} is ${path}\n`);
    }
  }
  return status;
};

// getopts OPTSTRING NAME [ARG...]: the next option of the positional parameters (or
// ARGs) in NAME, its argument in OPTARG; OPTIND counts. A leading ':' in OPTSTRING
// reports errors silently (NAME '?' or ':' and OPTARG the letter).
const getopts: Builtin = (sh, argv, io) => {
  const spec = argv[1], name = argv[2];
  if (spec === undefined || name === undefined) { err(io, 'sh: getopts: usage: getopts optstring name [arg ...]\n'); return 2; }
  if (!NAME.test(name)) { err(io, `sh: getopts: '${name}': not a valid identifier\n`); return 2; }
  const args = argv.length > 3 ? argv.slice(3) : sh.positionalArgs;
  const silent = spec.startsWith(':');
  let index = Number(sh.vars.get('OPTIND') ?? '1');
  if (!Number.isInteger(index) || index < 1) index = 1;
  // Where in a bundle of letters (-abc) the last call stopped: the shell's own state.
  if (sh.getoptsAt.index !== index) sh.getoptsAt = { index, offset: 1 };
  const word = args[index - 1];
  const end = (): number => { sh.setVar(name, '?'); sh.vars.delete('OPTARG'); sh.setVar('OPTIND', String(index)); return 1; };
  if (word === undefined || word === '-' || !word.startsWith('-')) return end();
  if (word === '--') { index++; return end(); }
  const letter = word[sh.getoptsAt.offset]!;
  let next = sh.getoptsAt.offset + 1;
  const at = letter === ':' ? -1 : spec.indexOf(letter);
  const advance = (): void => {
    if (next >= word.length) { index++; next = 1; }
    sh.getoptsAt = { index, offset: next };
    sh.setVar('OPTIND', String(index));
  };
  if (at < 0) {
    if (silent) sh.setVar('OPTARG', letter); else { sh.vars.delete('OPTARG'); err(io, `sh: illegal option -- ${letter}\n`); }
    sh.setVar(name, '?');
    advance();
    return 0;
  }
  if (spec[at + 1] === ':') {
    let value: string | undefined;
    if (next < word.length) { value = word.slice(next); next = word.length; } else { value = args[index]; if (value !== undefined) index++; }
    if (value === undefined) {
      if (silent) { sh.setVar(name, ':'); sh.setVar('OPTARG', letter); } else { sh.setVar(name, '?'); sh.vars.delete('OPTARG'); err(io, `sh: option requires an argument -- ${letter}\n`); }
      index++;
      sh.getoptsAt = { index, offset: 1 };
      sh.setVar('OPTIND', String(index));
      return 0;
    }
    sh.setVar('OPTARG', value);
    next = word.length;
  } else sh.vars.delete('OPTARG');
  sh.setVar(name, letter);
  advance();
  return 0;
};

export const BUILTINS = new Map<string, Builtin>([
  ['test', testBuiltin],
  ['[', testBuiltin],
  ['kill', killBuiltin],
  ['ulimit', ulimit],
  ['return', returnBuiltin],
  ['break', loopControl('break')],
  ['continue', loopControl('continue')],
  ['read', read],
  [':', () => 0],
  ['true', () => 0],
  ['false', () => 1],
  ['echo', (_sh, argv, io) => { out(io, echoText(argv.slice(1))); return 0; }],
  ['printf', (_sh, argv, io) => {
    const args = argv.slice(1);
    if (args[0] === '--') args.shift();
    const format = args.shift();
    if (format === undefined) { err(io, 'sh: printf: missing operand\n'); return 2; }
    const r = formatPrintf(format, args);
    out(io, r.text);
    if (r.badNumber !== null) { err(io, `sh: printf: '${r.badNumber}': expected a numeric value\n`); return 1; }
    return 0;
  }],
  ['pwd', (_sh, _argv, io) => { out(io, `${libc.getcwd()}\n`); return 0; }],
  ['cd', cd],
  ['exit', exit],
  ['export', exportBuiltin],
  ['unset', unset],
  ['wait', wait],
  ['jobs', jobs],
  ['set', set],
  ['shift', shift],
  ['.', source],
  ['source', source],
  ['type', type],
  ['umask', umask],
  ['history', history],
  ['fg', fg],
  ['bg', bg],
  ['alias', alias],
  ['unalias', unalias],
  ['local', local],
  ['trap', trap],
  ['command', command],
  ['getopts', getopts],
]);
