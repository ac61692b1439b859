// env: prints the environment, or runs a command in a changed one.
//   env [-i] [-u NAME]... [NAME=VALUE]... [COMMAND [ARG]...]
import { spawn, wait, stat, isReg, SysError } from '../libc/index.js';
import { run, complain, stdout, UsageError } from '../util/io.js';

function lookup(name: string, path: string): string | null {
  if (name.includes('/')) return name;
  for (const dir of path.split(':')) {
    const p = `${dir === '' ? '.' : dir}/${name}`;
    try { if (isReg(stat(p).mode)) return p; } catch { /* next */ }
  }
  return null;
}

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
    const name = command[0] as string;
    const path = lookup(name, vars['PATH'] ?? env['PATH'] ?? '/bin');
    if (path === null) { complain('env', `'${name}': No such file or directory`); return 127; }
    let pid: number;
    try {
      pid = spawn(path, { argv: command, env: vars });
    } catch (e) {
      complain('env', `'${name}': ${e instanceof SysError ? e.message.replace(/^.*: /, '') : String(e)}`);
      return e instanceof SysError && e.errno === 2 ? 127 : 126;
    }
    const r = wait(pid);
    if (r === null) return 0;
    return r.signal !== 0 ? 128 + r.signal : r.code;
  });
}
