// sh: the kernelkit shell.
//   sh [-ex] -c 'LINE' [NAME [ARG...]]   run one command line (-e: stop at the first
//                                   failing command, -x: trace commands on stderr)
//   sh SCRIPT [ARG...]              run a script file
//   sh                              read commands from stdin; interactive (prompt,
//                                   job control) when stdin is the terminal
// The language lives in src/user/sh/ (lex, parse, expand, exec, builtins).

import * as libc from '../libc/index.js';
import { SysError, Errno, Signal, SigDisposition, TIOC } from '../libc/index.js';
import { signal } from '../libc/signal.js';
import { Shell, ExitShell, jobState } from '../sh/exec.js';
import { parse, IncompleteInput, ShellSyntaxError } from '../sh/parse.js';
import { isatty, LineReader } from '../util/io.js';
import { users } from '../util/passwd.js';
import { NODE_NAME } from './hostname.js';
import { TerminalLineReader, terminalModes } from '../sh/terminal.js';

function usage(): number {
  libc.eprint('usage: sh [-c LINE [NAME [ARG...]] | SCRIPT [ARG...]]\n');
  return 2;
}

function runGuarded(sh: Shell, body: () => number): number {
  try {
    return body();
  } catch (e) {
    if (e instanceof ExitShell) return e.status;
    throw e;
  }
}

/** $PS1's backslash escapes: \w the directory (~ for $HOME), \W its last name, \u the user, \h the host, \$ # for root else $, \n, \\. */
export function expandPrompt(ps1: string, sh: Shell): string {
  let cwd = '?';
  try { cwd = libc.getcwd(); } catch { /* keep '?' */ }
  const home = sh.vars.get('HOME');
  const short = home !== undefined && home !== '/' && (cwd === home || cwd.startsWith(home + '/')) ? '~' + cwd.slice(home.length) : cwd;
  return ps1.replace(/\\([wWuh$n\\])/g, (_m, c: string) => {
    switch (c) {
      case 'w': return short;
      case 'W': return short === '/' ? '/' : short.slice(short.lastIndexOf('/') + 1);
      case 'u': {
        const uid = libc.geteuid();
        try { return users().find((u) => u.uid === uid)?.name ?? String(uid); } catch { return String(uid); }
      }
      case 'h': return NODE_NAME;
      case '$': return libc.geteuid() === 0 ? '#' : '$';
      case 'n': return '\n';
      default: return '\\';
    }
  });
}

function prompt(sh: Shell, continuation: boolean): string {
  if (continuation) return sh.vars.get('PS2') ?? '> ';
  const ps1 = sh.vars.get('PS1');
  if (ps1 !== undefined) return expandPrompt(ps1, sh);
  let cwd = '?';
  try { cwd = libc.getcwd(); } catch { /* keep '?' */ }
  return `kernelkit:${cwd}$ `;
}

function interactive(sh: Shell, login: boolean): number {
  sh.interactive = true;
  // ^C at the prompt discards the line instead of killing the shell: the tty driver has
  // already thrown the typed line away, and a read it interrupts fails with EINTR, which
  // starts a fresh prompt. Jobs get their own process group and the terminal, so their
  // ^C reaches them; one typed before the job held the terminal is passed on to it.
  try { signal(Signal.SIGINT, () => sh.interrupt()); } catch { /* keep the default */ }
  // ^Z stops the job that holds the terminal, never the shell.
  try { libc.sigaction(Signal.SIGTSTP, SigDisposition.IGNORE); } catch { /* keep the default */ }
  try { sh.shellPgid = libc.getpgid(0); } catch { sh.shellPgid = 0; }
  try { libc.ioctl(0, TIOC.SPGRP, sh.shellPgid); } catch { /* not a terminal after all */ }
  const promptFd = isatty(1) ? 1 : 2;
  // A login shell (init's, or one su -l and login start as "-sh") greets with the motd.
  if (login) {
    try { libc.write(promptFd, libc.readFile('/etc/motd')); } catch { /* no motd */ }
  }
  // A terminal whose modes can be set gets the line editor; a pipe behind the console
  // reads plain lines.
  const editor = terminalModes() ? new TerminalLineReader(sh, promptFd) : undefined;
  const reader = new LineReader(0);
  let buffer = '';
  for (;;) {
    for (const job of sh.reapJobs()) libc.write(promptFd, `[${job.id}]+  ${job.stopped ? 'Stopped                 ' : `${jobState(job)}    `}${job.text}\n`);
    sh.interruptPending = false;
    let line: string | null;
    if (editor !== undefined) {
      const got = editor.read(prompt(sh, buffer !== ''));
      // ^C abandons the line (and a command being continued), as bash does: status 130.
      if (got === 'interrupt') { buffer = ''; sh.status = 130; continue; }
      line = got;
      if (line !== null && line.trim() !== '') sh.addHistory(line);
    } else {
      try { libc.write(promptFd, prompt(sh, buffer !== '')); } catch { /* keep reading */ }
      try {
        line = reader.next();
      } catch (e) {
        if (e instanceof SysError && e.errno === Errno.EINTR) { buffer = ''; continue; }
        throw e;
      }
      if (line === null) libc.write(promptFd, '\n');
    }
    if (line === null) return sh.status;
    buffer += line + '\n';
    let program;
    try {
      program = parse(buffer);
    } catch (e) {
      if (e instanceof IncompleteInput) continue;
      if (e instanceof ShellSyntaxError) { sh.error(e.message); sh.status = 2; buffer = ''; continue; }
      throw e;
    }
    buffer = '';
    try {
      sh.runProgram(program);
    } catch (e) {
      if (e instanceof ExitShell) return e.status;
      sh.error(e instanceof Error ? e.message : String(e));
      sh.status = 1;
    }
  }
}

export function main(argv: string[], env: Record<string, string>): number {
  const sh = new Shell(env);
  const status = runShell(sh, argv);
  // trap ... EXIT runs as the shell ends, with $? the status it ends with.
  sh.status = status;
  try { sh.runExitTrap(); } catch (e) { libc.eprint(`sh: ${e instanceof Error ? e.message : String(e)}\n`); }
  return status;
}

function runShell(sh: Shell, argv: string[]): number {
  if (!sh.vars.has('PATH')) sh.setVar('PATH', '/bin');
  const args = argv.slice(1);
  // --pid=N: a subshell's $$ is its parent shell's (exec.ts subshellArgv).
  const inherited = /^--pid=(\d+)$/.exec(args[0] ?? '');
  if (inherited !== null) { sh.pid = Number(inherited[1]); args.shift(); }
  // Leading -e / -x (also combined, e.g. -ex) set options as `set` would.
  while (args[0] !== undefined && /^-[ex]+$/.test(args[0])) {
    for (const letter of args[0].slice(1)) sh.options.add(letter);
    args.shift();
  }
  try {
    if (args[0] === '-c') {
      const line = args[1];
      if (line === undefined) { libc.eprint('sh: -c: option requires an argument\n'); return 2; }
      if (args[2] !== undefined) sh.name = args[2];
      sh.positionalArgs = args.slice(3);
      return runGuarded(sh, () => sh.runSource(line));
    }
    if (args[0] === '-i' || args[0] === '-s') args.shift();
    else if (args[0]?.startsWith('-') === true && args[0] !== '-' && args[0] !== '--') return usage();
    if (args[0] === '--') args.shift();
    const script = args[0];
    if (script !== undefined && script !== '-') {
      let text: string;
      try {
        text = libc.textDecode(libc.readFile(script));
      } catch (e) {
        libc.eprint(`sh: ${e instanceof Error ? e.message : String(e)}\n`);
        return 127;
      }
      sh.name = script;
      sh.positionalArgs = args.slice(1);
      return runGuarded(sh, () => sh.runSource(text));
    }
    sh.positionalArgs = args.slice(1);
    if (isatty(0)) return interactive(sh, (argv[0] ?? '').startsWith('-') || libc.getpid() === 1);
    return runGuarded(sh, () => sh.runSource(libc.textDecode(libc.readAll(0))));
  } catch (e) {
    libc.eprint(`sh: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}
