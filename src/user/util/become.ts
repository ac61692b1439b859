// Becoming another user, as su and login do: run the user's shell with the user's
// ids and groups (spawn's `user`, root only) and wait for it. The caller stays root,
// as su's parent does on Unix after fork, so the user cannot signal it.

import { spawn, wait, chdir, getcwd, SysError } from '../libc/index.js';
import type { Passwd } from './passwd.js';
import { groupsOf } from './passwd.js';
import { complain } from './io.js';

export interface BecomeOptions {
  /** A login shell: start in the user's home directory with a fresh environment. */
  login: boolean;
  /** Run this command line (sh -c) instead of an interactive shell. */
  command?: string;
  /** The caller's environment (kept, but HOME/USER/LOGNAME/SHELL follow the user). */
  env: Record<string, string>;
  prog: string;
}

/** Switches to `u` and runs their shell; returns its exit status as a shell would. */
export function become(u: Passwd, o: BecomeOptions): number {
  const shell = u.shell !== '' ? u.shell : '/bin/sh';
  const base: Record<string, string> = o.login ? { PATH: o.env['PATH'] ?? '/bin', TERM: o.env['TERM'] ?? 'dumb' } : { ...o.env };
  const env: Record<string, string> = { ...base, HOME: u.home, USER: u.name, LOGNAME: u.name, SHELL: shell };
  if (o.login) {
    try { chdir(u.home); } catch (e) {
      complain(o.prog, `warning: cannot change directory to ${u.home}: ${e instanceof SysError ? e.message.replace(/^.*: /, '') : String(e)}`);
      chdir('/');
    }
  }
  env['PWD'] = getcwd();
  // A login shell is told so as Unix tells it: its argv[0] starts with '-'.
  const argv = o.command !== undefined ? [shell, '-c', o.command] : [o.login ? `-${shell.split('/').pop()}` : shell, '-i'];
  const pid = spawn(shell, { argv, env, user: { uid: u.uid, gid: u.gid, groups: groupsOf(u.name).filter((g) => g !== u.gid) } });
  const r = wait(pid);
  if (r === null) return 0;
  return r.signal !== 0 ? 128 + r.signal : r.code;
}
