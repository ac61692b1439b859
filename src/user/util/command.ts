// Finding and running another program: PATH lookup (env, xargs, which) and a spawn
// that waits for the child and turns its end into a shell-style status.
import { spawn, wait, stat, isReg, SysError } from '../libc/index.js';
import { complain } from './io.js';

/** The file `name` runs as: itself when it has a slash, else the first match in PATH. */
export function findCommand(name: string, path: string): string | null {
  if (name.includes('/')) return name;
  for (const dir of path.split(':')) {
    const p = `${dir === '' ? '.' : dir}/${name}`;
    try { if (isReg(stat(p).mode)) return p; } catch { /* next */ }
  }
  return null;
}

/**
 * Runs `argv` with `env` and waits: its exit code, 128+N after signal N, 127 when it
 * is not found and 126 when it cannot be started (both reported as "prog: 'NAME': why").
 */
export function runCommand(prog: string, argv: string[], env: Record<string, string>, path = env['PATH'] ?? '/bin'): number {
  const name = argv[0] as string;
  const file = findCommand(name, path);
  if (file === null) { complain(prog, `'${name}': No such file or directory`); return 127; }
  let pid: number;
  try {
    pid = spawn(file, { argv, env });
  } catch (e) {
    complain(prog, `'${name}': ${e instanceof SysError ? e.message.replace(/^.*: /, '') : String(e)}`);
    return e instanceof SysError && e.errno === 2 ? 127 : 126;
  }
  const r = wait(pid);
  if (r === null) return 0;
  return r.signal !== 0 ? 128 + r.signal : r.code;
}
