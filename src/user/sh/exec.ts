// The shell's executor: runs a parsed Program. There is no fork, so every external
// command is a `spawn` whose descriptor map carries the pipes and redirections:
// the shell opens files and pipes itself, names them in the child's fd map, and
// closes its own copies once the child holds them. Builtins run inside the shell.
// Neighbours: parse.ts (syntax), expand.ts (words), builtins.ts (cd, exit, ...).

import { isatty } from '../util/io.js';
import * as libc from '../libc/index.js';
import { signal } from '../libc/signal.js';
import { SysError, O, Errno, Signal, TIOC, WNOHANG, WUNTRACED, WCONTINUED, WAIT_STOPPED, WAIT_CONTINUED, signalName } from '../libc/index.js';
import type { Program, AndOr, Pipeline, CompoundCommand, Redirect, Word } from './ast.js';
import { parse, IncompleteInput, ShellSyntaxError } from './parse.js';
import { expandWord, expandToString, expandPattern, ExpansionError, type ExpandContext } from './expand.js';
import { segmentRegExp } from './glob.js';
import { BUILTINS, type BuiltinIo } from './builtins.js';
import { printProgram, quote } from './print.js';

/** How many typed lines the shell remembers. */
const HISTORY_SIZE = 500;

/** How many times a wait that failed with EIO is asked again before the command fails. */
const WAIT_EIO_RETRIES = 3;

/** Thrown by `exit` to unwind to the top level. */
export class ExitShell extends Error {
  constructor(readonly status: number) { super(`exit ${status}`); this.name = 'ExitShell'; }
}

/** Thrown by `break N` / `continue N`; loops catch it and count the levels down. */
export class LoopControl extends Error {
  constructor(readonly kind: 'break' | 'continue', public levels: number) { super(kind); this.name = 'LoopControl'; }
}

/** Thrown by `return [n]` to end the running function. */
export class ReturnFromFunction extends Error {
  constructor(readonly status: number) { super('return'); this.name = 'ReturnFromFunction'; }
}

/** A command that failed before it ran (bad redirection, not found, ...). */
class CommandError extends Error {
  constructor(message: string, readonly status: number) { super(message); this.name = 'CommandError'; }
}

/** One command of a pipeline once started: a running process, or a finished builtin. */
interface Started { pid?: number; status: number }

export interface Job {
  id: number;
  pids: number[];
  text: string;
  /** pid → exit status, filled as the job's processes are reaped. */
  done: Map<number, number>;
  /** pid → the signal that ended it, for those a signal ended. */
  signals: Map<number, number>;
  /** The job's process group (0: the shell's, no job control). */
  pgid: number;
  /** Stopped (^Z, SIGSTOP) until `fg`, `bg` or a SIGCONT. */
  stopped: boolean;
}

/** How a finished job reads in `[N]+  ...`: Done, Exit N, or the signal that ended it (Terminated, Killed). */
export function jobState(job: Job): string {
  if (job.stopped) return 'Stopped';
  const last = job.pids[job.pids.length - 1]!;
  const sig = job.signals.get(last);
  if (sig !== undefined) return SIGNAL_MESSAGES[sig] ?? signalName(sig);
  const status = job.done.get(last) ?? 0;
  return status === 0 ? 'Done' : `Exit ${status}`;
}

const SIGNAL_MESSAGES: Record<number, string> = {
  [Signal.SIGKILL]: 'Killed', [Signal.SIGTERM]: 'Terminated', [Signal.SIGSEGV]: 'Segmentation fault',
  [Signal.SIGABRT]: 'Aborted', [Signal.SIGHUP]: 'Hangup', [Signal.SIGQUIT]: 'Quit',
  [Signal.SIGUSR1]: 'User defined signal 1', [Signal.SIGUSR2]: 'User defined signal 2', [Signal.SIGALRM]: 'Alarm clock',
};

/** The exit status the shell reports for a wait result: code, or 128 + signal. */
export function statusOf(r: libc.WaitResult): number {
  return r.signal !== 0 ? 128 + r.signal : r.code;
}

export class Shell implements ExpandContext {
  readonly vars = new Map<string, string>();
  readonly exported = new Set<string>();
  positionalArgs: string[] = [];
  name = 'sh';
  status = 0;
  lastBackground: number | undefined;
  interactive = false;
  /** The shell's own process group, given back the terminal after each job. */
  shellPgid = 0;
  readonly jobs: Job[] = [];
  /** Statuses of background processes reaped before anyone asked with `wait`. */
  readonly reaped = new Map<number, number>();
  private readonly pathCache = new Map<string, string>();
  /**
   * What the descriptors 0, 1, 2 (and any others) of the commands run now refer to
   * in the shell: child fd → shell fd. Redirections on a compound command replace it
   * while its body runs.
   */
  fdBase = new Map<number, number>([[0, 0], [1, 1], [2, 2]]);
  /** How many loops enclose the command running now (for break and continue). */
  loopDepth = 0;
  /** How many function calls are running (for return). */
  functionDepth = 0;
  readonly functions = new Map<string, CompoundCommand>();
  /** Lines typed at the prompt, oldest first (`history`, Up/Down, ^R). */
  readonly history: string[] = [];
  /** name → text (`alias`): replaces a command's first word. */
  readonly aliases = new Map<string, string>();
  private programDepth = 0;
  /** $$: this shell's pid, or its parent shell's in a subshell (set by `sh --pid=N`, as a forked subshell keeps it). */
  pid: number | undefined;

  constructor(env: Record<string, string>) {
    for (const [k, v] of Object.entries(env)) { this.vars.set(k, v); this.exported.add(k); }
  }

  /** Remembers a line typed at the prompt (not twice in a row; the oldest go past HISTORY_SIZE). */
  addHistory(line: string): void {
    if (this.history[this.history.length - 1] === line) return;
    this.history.push(line);
    this.historyBase += Math.max(0, this.history.length - HISTORY_SIZE);
    if (this.history.length > HISTORY_SIZE) this.history.splice(0, this.history.length - HISTORY_SIZE);
  }

  /** The number `history` gives history[0] (entries keep their numbers as old ones go). */
  historyBase = 1;

  // ---- ExpandContext -------------------------------------------------------------

  getVar(name: string): string | undefined {
    switch (name) {
      case '?': return String(this.status);
      case '!': return this.lastBackground === undefined ? '' : String(this.lastBackground);
      case '$': this.pid ??= libc.getpid(); return String(this.pid);
      case '#': return String(this.positionalArgs.length);
      case '0': return this.name;
      case '-': return this.interactive ? 'i' : '';
      default:
        if (/^[1-9][0-9]*$/.test(name)) return this.positionalArgs[Number(name) - 1];
        return this.vars.get(name);
    }
  }

  setVar(name: string, value: string): void {
    this.vars.set(name, value);
    if (name === 'PATH') this.pathCache.clear();
  }

  positional(): string[] { return this.positionalArgs; }

  listDir(dir: string): string[] | null {
    try { return libc.readdir(dir).map((e) => e.name); } catch { return null; }
  }

  /**
   * What a subshell (a new `sh -c`) must run before `text` to see this shell's state
   * that the environment does not carry: unexported variables and functions.
   */
  /** The argv of a subshell running `text`: $$ stays this shell's, as in a forked one. */
  subshellArgv(text: string): string[] {
    return ['sh', `--pid=${this.getVar('$')}`, '-c', this.subshellSource(text)];
  }

  subshellSource(text: string): string {
    let prelude = '';
    for (const [k, v] of this.vars) if (!this.exported.has(k)) prelude += `${k}=${quote(v)}; `;
    for (const [name, body] of this.functions) {
      prelude += printProgram([{ andOr: { first: { negate: false, commands: [{ kind: 'function', name, body, redirs: [] }] }, rest: [] }, background: false }]) + ' ';
    }
    if (this.positionalArgs.length > 0) prelude += `set -- ${this.positionalArgs.map(quote).join(' ')}; `;
    if (this.options.size > 0) prelude += `set -${[...this.options].join('')}; `;
    return prelude === '' ? text : `${prelude}\n${text}`;
  }

  commandSubstitution(source: string): string {
    const shPath = this.lookup('sh') ?? '/bin/sh';
    const [r, w] = libc.pipe();
    let pid: number;
    try {
      const fds = new Map(this.fdBase);
      fds.set(1, w);
      pid = libc.spawn(shPath, { argv: this.subshellArgv(source), env: this.environment({}), fds: [...fds.entries()] });
    } catch (e) {
      libc.close(r);
      libc.close(w);
      throw e;
    }
    libc.close(w);
    let out: string;
    try { out = libc.textDecode(libc.readAll(r)); } finally { libc.close(r); }
    const result = libc.wait(pid);
    if (result !== null) this.status = statusOf(result);
    return out.replace(/\n+$/, '');
  }

  // ---- running -------------------------------------------------------------------

  /** The environment a child gets: exported variables plus the command's own assignments. */
  environment(extra: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const k of this.exported) {
      const v = this.vars.get(k);
      if (v !== undefined) env[k] = v;
    }
    return Object.assign(env, extra);
  }

  /** Parses and runs source text; syntax errors are reported with status 2. */
  runSource(src: string): number {
    let program: Program;
    try {
      program = parse(src);
    } catch (e) {
      if (e instanceof ShellSyntaxError || e instanceof IncompleteInput) {
        this.error(e.message);
        this.status = 2;
        return 2;
      }
      throw e;
    }
    return this.runProgram(program);
  }

  runProgram(program: Program): number {
    if (this.loopDepth === 0 && this.programDepth === 0) {
      // At the top, a stray break/continue outside any loop just ends its command.
      this.programDepth++;
      try { return this.runProgram(program); } catch (e) {
        if (e instanceof LoopControl) return this.status;
        throw e;
      } finally { this.programDepth--; }
    }
    for (const item of program) {
      if (item.background) this.runBackground(item.andOr);
      else this.status = this.runAndOr(item.andOr);
      if (this.pendingTraps.length > 0) this.runPendingTraps();
    }
    return this.status;
  }

  private runAndOr(a: AndOr): number {
    // Only the last pipeline of an and-or list can trip `set -e`; the others are tests.
    let status = a.rest.length > 0 ? this.asCondition(() => this.runPipeline(a.first, false)) : this.runPipeline(a.first, false);
    let last = a.rest.length === 0 ? a.first : null;
    this.status = status;
    a.rest.forEach((r, i) => {
      if ((r.op === '&&') !== (status === 0)) return;
      const isLast = i === a.rest.length - 1;
      status = isLast ? this.runPipeline(r.pipeline, false) : this.asCondition(() => this.runPipeline(r.pipeline, false));
      last = isLast ? r.pipeline : null;
      this.status = status;
    });
    // set -e: a failing command that is not a test ends the shell.
    if (status !== 0 && this.options.has('e') && this.conditionDepth === 0 && last !== null && !last.negate) throw new ExitShell(status);
    return status;
  }

  /** Runs a test (an if/while condition, a non-final part of && ||): exempt from set -e. */
  asCondition<T>(run: () => T): T {
    this.conditionDepth++;
    try { return run(); } finally { this.conditionDepth--; }
  }

  /** Shell options set with `set -e` / `set -x` (letters). */
  readonly options = new Set<string>();
  private conditionDepth = 0;

  private runBackground(a: AndOr): void {
    const text = printProgram([{ andOr: a, background: false }]).replace(/;$/, '');
    if (a.rest.length > 0) {
      // An and-or list in the background needs its own shell to sequence it.
      const shPath = this.lookup('sh') ?? '/bin/sh';
      const pid = libc.spawn(shPath, { argv: this.subshellArgv(text), env: this.environment({}), fds: [...this.fdBase.entries()], pgid: this.interactive ? -1 : 0 });
      this.addJob([pid], text);
      return;
    }
    const pids = this.startPipeline(a.first, true).flatMap((c) => (c.pid !== undefined ? [c.pid] : []));
    if (pids.length > 0) this.addJob(pids, text);
    this.status = 0;
  }

  private addJob(pids: number[], text: string, stopped = false): Job {
    const id = this.jobs.reduce((m, j) => Math.max(m, j.id), 0) + 1;
    let pgid = 0;
    if (this.interactive) { try { pgid = libc.getpgid(pids[0]!); } catch { /* already gone */ } }
    const job: Job = { id, pids, text, done: new Map(), signals: new Map(), pgid: pgid === this.shellPgid ? 0 : pgid, stopped };
    this.jobs.push(job);
    if (stopped) return job;
    this.lastBackground = pids[pids.length - 1];
    if (this.interactive) libc.write(2, `[${id}] ${this.lastBackground}\n`);
    return job;
  }

  private runPipeline(p: Pipeline, background: boolean): number {
    const started = this.startPipeline(p, background);
    // Job control: a foreground job that holds the terminal may stop (^Z).
    const untraced = this.interactive && this.foregroundPgid !== 0;
    let status = 0;
    for (let i = 0; i < started.length; i++) {
      const c = started[i]!;
      if (c.pid === undefined) { status = c.status; continue; }
      const s = this.waitFor(c.pid, untraced);
      if (typeof s === 'number') { status = s; continue; }
      // Stopped: the rest of the pipeline becomes a job for fg and bg.
      const rest = started.slice(i).flatMap((x) => (x.pid !== undefined ? [x.pid] : []));
      const job = this.addJob(rest, printProgram([{ andOr: { first: p, rest: [] }, background: false }]).replace(/;$/, ''), true);
      libc.write(isatty(1) ? 1 : 2, `\n[${job.id}]+  Stopped                 ${job.text}\n`);
      status = 128 + s.stopped;
      break;
    }
    this.takeTerminal();
    return p.negate ? (status === 0 ? 1 : 0) : status;
  }

  /** Gives the terminal back to the shell after a foreground job. */
  private takeTerminal(): void {
    if (this.foregroundPgid === 0) return;
    try { libc.ioctl(0, TIOC.SPGRP, this.shellPgid); } catch { /* no terminal */ }
    this.foregroundPgid = 0;
  }

  /** `fg`: continues `job` in the foreground and waits for it (or for it to stop again). */
  foreground(job: Job): number {
    libc.write(2, `${job.text}\n`);
    if (job.pgid !== 0) {
      this.foregroundPgid = job.pgid;
      try { libc.ioctl(0, TIOC.SPGRP, job.pgid); } catch { this.foregroundPgid = 0; }
    }
    job.stopped = false;
    this.continueJob(job);
    let status = 0;
    try {
      for (const pid of job.pids) {
        if (job.done.has(pid)) { status = job.done.get(pid)!; continue; }
        const s = this.waitFor(pid, this.foregroundPgid !== 0);
        if (typeof s === 'number') { job.done.set(pid, s); status = s; continue; }
        job.stopped = true;
        libc.write(2, `\n[${job.id}]+  Stopped                 ${job.text}\n`);
        return 128 + s.stopped;
      }
      this.jobs.splice(this.jobs.indexOf(job), 1);
      return status;
    } finally {
      this.takeTerminal();
    }
  }

  /** `bg`: continues a stopped `job` in the background. */
  background(job: Job): void {
    job.stopped = false;
    this.continueJob(job);
    libc.write(1, `[${job.id}]+ ${job.text} &\n`);
  }

  private continueJob(job: Job): void {
    if (job.pgid !== 0) { try { libc.kill(-job.pgid, Signal.SIGCONT); return; } catch { /* gone: its pids say */ } }
    for (const pid of job.pids) if (!job.done.has(pid)) { try { libc.kill(pid, Signal.SIGCONT); } catch { /* gone */ } }
  }

  // The process group given the terminal for the current foreground job (0: none).
  private foregroundPgid = 0;

  /** A ^C reached the shell while no job held the terminal (the line is being started). */
  interruptPending = false;

  /**
   * The interactive shell's SIGINT handler. A ^C typed just after Enter can reach the
   * shell before the job it starts holds the terminal: it belongs to that job, so the
   * shell passes it on (at once, or when the job gets the terminal), as a user expects.
   */
  interrupt(): void {
    if (this.foregroundPgid === 0) { this.interruptPending = true; return; }
    this.interruptPending = false;
    try { libc.kill(-this.foregroundPgid, Signal.SIGINT); } catch { /* the job is gone */ }
  }

  /** Waits for one child and returns its shell status, reporting deaths by signal; with `untraced`, also the signal that stopped it. */
  private waitFor(pid: number): number;
  private waitFor(pid: number, untraced: boolean): number | { stopped: number };
  private waitFor(pid: number, untraced = false): number | { stopped: number } {
    let r: libc.WaitResult | null;
    // An EIO (pm gave a malformed answer and reaped nothing) is asked again a few times:
    // the child is still there. A wait that keeps failing ends this command, not the script.
    let ioErrors = 0;
    for (;;) {
      try {
        r = libc.wait(pid, untraced ? WUNTRACED : 0);
        if (r !== null && r.code === WAIT_CONTINUED) continue;
        break;
      } catch (e) {
        if (e instanceof SysError && e.errno === Errno.EINTR) continue;
        if (e instanceof SysError && e.errno === Errno.ECHILD) return this.reaped.get(pid) ?? 127;
        if (e instanceof SysError && e.errno === Errno.EIO && ++ioErrors <= WAIT_EIO_RETRIES) {
          try { libc.write(2, `sh: wait for ${pid}: ${e.message}; asking again\n`); } catch { /* stderr gone */ }
          continue;
        }
        throw e;
      }
    }
    if (r === null) return 0;
    if (r.code === WAIT_STOPPED) return { stopped: r.signal };
    if (r.signal !== 0 && this.interactive) {
      const message = SIGNAL_MESSAGES[r.signal];
      // The tty driver has echoed ^C and a newline already.
      if (r.signal !== Signal.SIGINT && r.signal !== Signal.SIGPIPE) libc.write(2, `${message ?? signalName(r.signal)}\n`);
    }
    return statusOf(r);
  }

  /**
   * Starts every command of a pipeline: a pid for each external command, a status
   * for each builtin or command that could not start. Builtins in a longer pipeline
   * run after the others have started, so a builtin writing into a pipe has its
   * reader running.
   */
  private startPipeline(p: Pipeline, background: boolean): Started[] {
    const n = p.commands.length;
    const started: Started[] = [];
    const deferred: (() => void)[] = [];
    let prevRead: number | null = null;
    let pgid = this.interactive ? -1 : 0;
    for (let i = 0; i < n; i++) {
      const cmd = p.commands[i]!;
      const entry: Started = { status: 0 };
      started.push(entry);
      let pipeW: number | null = null;
      let nextRead: number | null = null;
      if (i < n - 1) [nextRead, pipeW] = libc.pipe();
      const fds = new Map(this.fdBase);
      const toClose: number[] = [];
      if (prevRead !== null) { fds.set(0, prevRead); toClose.push(prevRead); }
      if (pipeW !== null) { fds.set(1, pipeW); toClose.push(pipeW); }
      prevRead = nextRead;
      let builtinRun: (() => number) | null = null;
      try {
        if (cmd.kind !== 'simple') {
          for (const r of cmd.redirs) this.redirect(r, fds, toClose);
          if (n === 1 && !background) {
            builtinRun = () => this.runCompoundWith(cmd, fds);
          } else {
            // In a longer pipeline or the background it runs in a subshell of its own.
            const text = printProgram([{ andOr: { first: { negate: false, commands: [{ ...cmd, redirs: [] }] }, rest: [] }, background: false }]);
            entry.pid = this.spawnCommand(this.lookup('sh') ?? '/bin/sh', 'sh', this.subshellArgv(text), this.environment({}), fds, pgid);
          }
          throw new CompoundStarted();
        }
        let argv = cmd.words.flatMap((w) => expandWord(w, this));
        argv = this.expandAliases(cmd.words[0], argv);
        // command NAME ...: NAME as a builtin or a program, never a function.
        let skipFunctions = false;
        while (argv[0] === 'command' && argv[1] !== undefined && !argv[1].startsWith('-')) { argv = argv.slice(1); skipFunctions = true; }
        const assigns = cmd.assigns.map((a) => [a.name, expandToString(a.value, this)] as const);
        for (const r of cmd.redirs) this.redirect(r, fds, toClose);
        if (this.options.has('x')) {
          const trace = [...assigns.map(([k, v]) => `${k}=${quote(v)}`), ...argv.map(quote)].join(' ');
          try { libc.write(fds.get(2) ?? 2, `+ ${trace}\n`); } catch { /* stderr closed */ }
        }
        const name = argv[0];
        if (name === undefined) {
          // Only assignments (and redirections): they set shell variables.
          if (n === 1 && !background) for (const [k, v] of assigns) this.setVar(k, v);
        } else if (!skipFunctions && this.functions.has(name)) {
          const body = this.functions.get(name)!;
          builtinRun = () => this.callFunction(body, argv, fds);
        } else if (BUILTINS.has(name)) {
          const builtin = BUILTINS.get(name)!;
          const io: BuiltinIo = { stdin: fds.get(0), stdout: fds.get(1), stderr: fds.get(2) };
          const inPipeline = n > 1 || background;
          builtinRun = () => builtin(this, argv, io, inPipeline);
        } else {
          const path = this.lookup(name);
          if (path === null) throw new CommandError(`${name}: not found`, 127);
          const env = this.environment(Object.fromEntries(assigns));
          entry.pid = this.spawnCommand(path, name, argv, env, fds, pgid);
        }
      } catch (e) {
        // The message goes where the command's stderr went, as far as its
        // redirections were applied before the failure (as in sh).
        if (!(e instanceof CompoundStarted)) entry.status = this.reportCommandError(e, fds.get(2) ?? null);
      }
      if (entry.pid !== undefined && pgid === -1) {
        // The first process leads the job's group; the job gets the terminal.
        pgid = entry.pid;
        if (!background) {
          // Named before the call: a ^C whose handler runs as the call returns goes to the job.
          this.foregroundPgid = pgid;
          try { libc.ioctl(0, TIOC.SPGRP, pgid); } catch { this.foregroundPgid = 0; /* no terminal */ }
          if (this.foregroundPgid !== 0 && this.interruptPending) this.interrupt();
        }
      }
      if (builtinRun === null) { closeAll(toClose); continue; }
      const run = builtinRun;
      const task = (): void => {
        try { entry.status = run(); } catch (e) { entry.status = this.reportCommandError(e, fds.get(2) ?? null); } finally { closeAll(toClose); }
      };
      if (n === 1 && !background) task(); else deferred.push(task);
    }
    for (const task of deferred) task();
    return started;
  }

  // Runs a compound command in the shell with `fds` as the descriptors its commands see.
  private runCompoundWith(c: CompoundCommand, fds: Map<number, number>): number {
    const saved = this.fdBase;
    this.fdBase = fds;
    try {
      return c.kind === 'subshell' ? this.runSubshell(c.body) : this.runCompound(c);
    } finally {
      this.fdBase = saved;
    }
  }

  // ( ... ): variables, the working directory and `exit` stay inside.
  private runSubshell(body: Program): number {
    const vars = new Map(this.vars);
    const exported = new Set(this.exported);
    const positional = this.positionalArgs;
    let cwd: string | undefined;
    try { cwd = libc.getcwd(); } catch { /* unknown */ }
    try {
      return this.runProgram(body);
    } catch (e) {
      if (e instanceof ExitShell) return e.status;
      throw e;
    } finally {
      this.vars.clear();
      for (const [k, v] of vars) this.vars.set(k, v);
      this.exported.clear();
      for (const k of exported) this.exported.add(k);
      this.positionalArgs = positional;
      this.pathCache.clear();
      if (cwd !== undefined) { try { libc.chdir(cwd); } catch { /* gone */ } }
    }
  }

  private runCompound(c: CompoundCommand): number {
    switch (c.kind) {
      case 'if':
        for (const clause of c.clauses) {
          if (this.asCondition(() => this.runProgram(clause.cond)) === 0) return this.runProgram(clause.body);
        }
        return c.elseBody !== null ? this.runProgram(c.elseBody) : 0;
      case 'while': case 'until': {
        let status = 0;
        for (;;) {
          const cond = this.asCondition(() => this.runProgram(c.cond));
          if ((cond === 0) !== (c.kind === 'while')) break;
          const r = this.loopBody(c.body);
          status = r.status;
          if (r.stop) break;
        }
        return status;
      }
      case 'for': {
        const values = c.words === null ? this.positionalArgs.slice() : c.words.flatMap((w) => expandWord(w, this));
        let status = 0;
        for (const v of values) {
          this.setVar(c.name, v);
          const r = this.loopBody(c.body);
          status = r.status;
          if (r.stop) break;
        }
        return status;
      }
      case 'group': case 'subshell':
        return this.runProgram(c.body);
      case 'case': {
        const subject = expandToString(c.word, this);
        for (const item of c.items) {
          if (item.patterns.some((p) => segmentRegExp(expandPattern(p, this)).test(subject))) return this.runProgram(item.body);
        }
        return 0;
      }
      case 'function':
        this.functions.set(c.name, c.body);
        return 0;
    }
  }

  /** Runs a function: its arguments become $1..., `return` ends it. */
  callFunction(body: CompoundCommand, argv: string[], fds: Map<number, number>): number {
    const saved = this.positionalArgs;
    this.positionalArgs = argv.slice(1);
    this.functionDepth++;
    this.localFrames.push(new Map());
    try {
      return this.runCompoundWith(body, fds);
    } catch (e) {
      if (e instanceof ReturnFromFunction) return e.status;
      throw e;
    } finally {
      this.functionDepth--;
      this.positionalArgs = saved;
      // `local` variables get their outer values back.
      for (const [name, outer] of this.localFrames.pop()!) {
        if (outer === undefined) this.vars.delete(name); else this.vars.set(name, outer);
      }
    }
  }

  /** Per running function: the variables `local` made, with the values they hide (undefined: unset). */
  readonly localFrames: Map<string, string | undefined>[] = [];

  /** `local NAME`: remembers NAME's value to give back when the function returns; false outside a function. */
  makeLocal(name: string): boolean {
    const frame = this.localFrames[this.localFrames.length - 1];
    if (frame === undefined) return false;
    if (!frame.has(name)) frame.set(name, this.vars.get(name));
    return true;
  }

  /** Replaces an unquoted first word that names an alias by the alias's words (an alias ending in a blank also expands the next word). */
  private expandAliases(first: Word | undefined, argv: string[]): string[] {
    if (first === undefined || this.aliases.size === 0 || !isPlainWord(first)) return argv;
    const seen = new Set<string>();
    let out = argv;
    while (out[0] !== undefined && this.aliases.has(out[0]) && !seen.has(out[0])) {
      seen.add(out[0]);
      const text = this.aliases.get(out[0])!;
      let words: string[];
      try {
        const program = parse(text);
        const only = program.length === 1 && program[0]!.andOr.rest.length === 0 && program[0]!.andOr.first.commands.length === 1 ? program[0]!.andOr.first.commands[0]! : undefined;
        words = only?.kind === 'simple' && only.redirs.length === 0 && only.assigns.length === 0 ? only.words.flatMap((w) => expandWord(w, this)) : text.split(/\s+/).filter((w) => w !== '');
      } catch {
        words = text.split(/\s+/).filter((w) => w !== '');
      }
      out = [...words, ...out.slice(1)];
    }
    return out;
  }

  // ---- trap ----------------------------------------------------------------------

  /** `trap`: signal number (0: EXIT) → the command text it runs. */
  readonly traps = new Map<number, string>();
  private readonly pendingTraps: number[] = [];
  private runningTrap = false;

  /** A trapped signal arrived (its handler runs on the way back from a syscall): its command runs after the current command. */
  trapSignal(sig: number): void { this.pendingTraps.push(sig); }

  /** Runs the commands of signals that arrived; `$?` is kept across them. */
  runPendingTraps(): void {
    if (this.runningTrap) return;
    while (this.pendingTraps.length > 0) {
      const sig = this.pendingTraps.shift()!;
      const text = this.traps.get(sig);
      if (text === undefined || text === '') continue;
      const status = this.status;
      this.runningTrap = true;
      try { this.runSource(text); } finally { this.runningTrap = false; }
      this.status = status;
    }
  }

  /** `trap - SIG`: the disposition the shell had before (its SIGINT handler when interactive). */
  restoreSignal(sig: number): void {
    try {
      if (sig === Signal.SIGINT && this.interactive) signal(sig, () => this.interrupt());
      else signal(sig, 'default');
    } catch { /* not settable */ }
  }

  /** Where getopts stopped inside a bundle of letters (-abc). */
  getoptsAt = { index: 0, offset: 1 };

  /** Runs the EXIT trap once, as the shell ends. */
  runExitTrap(): void {
    const text = this.traps.get(0);
    this.traps.delete(0);
    if (text === undefined || text === '') return;
    const status = this.status;
    try { this.runSource(text); } catch (e) { if (!(e instanceof ExitShell)) throw e; }
    this.status = status;
  }

  // One pass of a loop body; `stop` when a break (for this loop) ended it.
  private loopBody(body: Program): { status: number; stop: boolean } {
    this.loopDepth++;
    try {
      return { status: this.runProgram(body), stop: false };
    } catch (e) {
      if (!(e instanceof LoopControl)) throw e;
      if (e.levels > 1) { e.levels--; throw e; }
      return { status: 0, stop: e.kind === 'break' };
    } finally {
      this.loopDepth--;
    }
  }

  private spawnCommand(path: string, name: string, argv: string[], env: Record<string, string>, fds: Map<number, number>, pgid: number): number {
    try {
      return libc.spawn(path, { argv, env, fds: [...fds.entries()].sort((a, b) => a[0] - b[0]), pgid });
    } catch (e) {
      if (e instanceof SysError) {
        this.pathCache.delete(name);
        if (e.errno === Errno.ENOENT) throw new CommandError(`${name}: not found`, 127);
        if (e.errno === Errno.ENOEXEC) throw new CommandError(`${name}: cannot execute: ${libc.strerror(e.errno)}`, 126);
        throw new CommandError(`${name}: ${libc.strerror(e.errno)}`, 126);
      }
      throw e;
    }
  }

  private reportCommandError(e: unknown, errFd: number | null = 2): number {
    const report = (message: string): void => { if (errFd !== null) this.error(message, errFd); };
    if (e instanceof CommandError) { report(e.message); return e.status; }
    if (e instanceof ExpansionError) { report(e.message); return 1; }
    if (e instanceof SysError) { report(e.message); return 1; }
    if (e instanceof ExitShell) throw e;
    throw e;
  }

  // The text of a here-document as a readable descriptor: a file in /tmp, unlinked at
  // once (a pipe could fill up before its reader starts).
  private hereDocument(text: string): number {
    const path = `/tmp/.sh-heredoc-${libc.getpid()}-${++this.hereDocuments}`; // the real pid: a subshell shares $$
    try {
      libc.writeFile(path, text, O.WRONLY | O.CREAT | O.TRUNC | O.EXCL);
      const fd = libc.open(path, O.RDONLY);
      libc.unlink(path);
      return fd;
    } catch (e) {
      try { libc.unlink(path); } catch { /* never made */ }
      if (e instanceof SysError) throw new CommandError(`cannot make here-document: ${e.message}`, 1);
      throw e;
    }
  }

  private hereDocuments = 0;

  // Applies one redirection to the child's fd map, opening files as needed.
  private redirect(r: Redirect, fds: Map<number, number>, toClose: number[]): void {
    if (r.op === '<<' || r.op === '<<<') {
      const text = expandToString(r.target, this) + (r.op === '<<<' ? '\n' : '');
      const fd = this.hereDocument(text);
      toClose.push(fd);
      fds.set(r.fd, fd);
      return;
    }
    const target = this.expandTarget(r.target);
    if (r.op === '>&' || r.op === '<&') {
      if (target === '-') { fds.delete(r.fd); return; }
      if (/^\d+$/.test(target)) {
        const from = fds.get(Number(target));
        if (from === undefined) throw new CommandError(`${target}: Bad file descriptor`, 1);
        fds.set(r.fd, from);
        return;
      }
      if (r.op === '<&') throw new CommandError(`${target}: ambiguous redirect`, 1);
      // ">&file" sends both stdout and stderr to the file (as bash does).
      const fd = this.openTarget(target, O.WRONLY | O.CREAT | O.TRUNC);
      toClose.push(fd);
      fds.set(1, fd);
      fds.set(2, fd);
      return;
    }
    const flags = r.op === '<' ? O.RDONLY
      : r.op === '>>' ? O.WRONLY | O.CREAT | O.APPEND
        : r.op === '<>' ? O.RDWR | O.CREAT
          : O.WRONLY | O.CREAT | O.TRUNC;
    const fd = this.openTarget(target, flags);
    toClose.push(fd);
    fds.set(r.fd, fd);
  }

  private openTarget(path: string, flags: number): number {
    try {
      return libc.open(path, flags, 0o644);
    } catch (e) {
      if (e instanceof SysError) throw new CommandError(e.message, 1);
      throw e;
    }
  }

  private expandTarget(w: Word): string {
    const fields = expandWord(w, this);
    if (fields.length !== 1) throw new CommandError(`${expandToString(w, this)}: ambiguous redirect`, 1);
    return fields[0] as string;
  }

  /** Finds a command: a name with '/' is a path; otherwise each $PATH directory in turn. */
  lookup(name: string): string | null {
    if (name.includes('/')) return name;
    const cached = this.pathCache.get(name);
    if (cached !== undefined) return cached;
    const dirs = (this.vars.get('PATH') ?? '/bin').split(':');
    for (const dir of dirs) {
      const path = `${dir === '' ? '.' : dir.replace(/\/+$/, '')}/${name}`;
      try {
        const st = libc.stat(path);
        if (libc.isReg(st.mode)) { this.pathCache.set(name, path); return path; }
      } catch { /* try the next directory */ }
    }
    return null;
  }

  /** Reaps finished background jobs without blocking; returns the jobs that ended or stopped. */
  reapJobs(): Job[] {
    const changed: Job[] = [];
    for (;;) {
      let r: libc.WaitResult | null;
      try { r = libc.wait(-1, WNOHANG | (this.interactive ? WUNTRACED | WCONTINUED : 0)); } catch { break; }
      if (r === null) break;
      if (r.code === WAIT_STOPPED || r.code === WAIT_CONTINUED) {
        // A job stopped or continued by a signal from elsewhere (kill -STOP, kill -CONT).
        const job = this.jobs.find((j) => j.pids.includes(r!.pid));
        if (job !== undefined && job.stopped !== (r.code === WAIT_STOPPED)) { job.stopped = r.code === WAIT_STOPPED; if (job.stopped) changed.push(job); }
        continue;
      }
      this.reaped.set(r.pid, statusOf(r));
      for (const j of this.jobs) {
        if (!j.pids.includes(r.pid)) continue;
        j.done.set(r.pid, statusOf(r));
        if (r.signal !== 0) j.signals.set(r.pid, r.signal);
      }
    }
    const finished = this.jobs.filter((j) => j.pids.every((p) => j.done.has(p)));
    for (const j of finished) { this.jobs.splice(this.jobs.indexOf(j), 1); j.stopped = false; }
    return [...changed.filter((j) => !finished.includes(j)), ...finished];
  }

  /** `wait` with no operands: every background job; returns the last status. */
  waitAll(): number {
    let status = 0;
    for (const j of this.jobs.splice(0)) {
      for (const pid of j.pids) status = j.done.get(pid) ?? this.waitFor(pid);
    }
    return status;
  }

  /** `wait PID`: that process (0-based status rules as in sh), 127 when not a child. */
  waitPid(pid: number): number {
    const job = this.jobs.find((j) => j.pids.includes(pid));
    let status: number;
    if (job?.done.has(pid) === true) status = job.done.get(pid) as number;
    else if (this.reaped.has(pid)) status = this.reaped.get(pid) as number;
    else status = this.waitFor(pid);
    if (job !== undefined) {
      job.done.set(pid, status);
      if (job.pids.every((p) => job.done.has(p))) this.jobs.splice(this.jobs.indexOf(job), 1);
    }
    return status;
  }

  /** Prints "sh: message" on stderr (or on `fd`). */
  error(message: string, fd = 2): void {
    try { libc.write(fd, `sh: ${message}\n`); } catch { /* stderr gone */ }
  }
}

/** Internal signal: a compound command was set up (no simple-command work follows). */
class CompoundStarted extends Error {}

function closeAll(fds: readonly number[]): void {
  for (const fd of fds) {
    try { libc.close(fd); } catch { /* already closed */ }
  }
}

/** A word written as plain unquoted text (what alias expansion looks at). */
function isPlainWord(w: Word): boolean {
  return w.parts.length > 0 && w.parts.every((p) => p.type === 'lit' && !p.quoted);
}
