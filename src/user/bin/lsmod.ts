// lsmod: the components (modules) of the running system, read from /proc/modules:
// NAME DOMAIN STATE RESTARTS. -v adds each one's description.
import { procModules } from '../util/procfs.js';
import { run, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';

export function main(argv: string[]): number {
  return run('lsmod', () => {
    const args = parseArgs(argv.slice(1), { flags: 'v' });
    const mods = procModules();
    const header = ['NAME', 'DOMAIN', 'STATE', 'RESTARTS'];
    if (args.flags.has('v')) header.push('DESCRIPTION');
    const rows = [header, ...mods.map((m) => {
      const r = [m.name, m.domain, m.state, String(m.restarts)];
      if (args.flags.has('v')) r.push(m.description);
      return r;
    })];
    const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    for (const r of rows) stdout.line(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
    return 0;
  });
}
