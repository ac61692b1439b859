// free: memory in use. kernelkit's memory is the arenas (the kernel's and each
// component's, /proc/arenas in bytes; /proc/meminfo has the sums in kB): "Mem:" sums
// them, and one line per arena follows with -v (-a). Sizes in KiB by default; -b
// bytes, -m MiB, -g GiB, -h human-readable.
//   free [-b | -k | -m | -g | -h] [-v]
import { procArenas } from '../util/procfs.js';
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { humanSize } from '../util/format.js';

export function main(argv: string[]): number {
  return run('free', () => {
    const args = parseArgs(argv.slice(1), { flags: 'bkmghv', long: { bytes: 'b', kibi: 'k', mebi: 'm', gibi: 'g', human: 'h', verbose: 'v' } });
    const units = ['b', 'k', 'm', 'g', 'h'].filter((u) => args.flags.has(u));
    if (units.length > 1) throw new UsageError('give one of -b -k -m -g -h');
    const unit = units[0] ?? 'k';
    const show = (n: number): string => unit === 'h' ? humanSize(n) : String(Math.floor(n / { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit as 'b' | 'k' | 'm' | 'g']));
    const rows: [string, number, number][] = procArenas().map((a) => [a.arena, a.size, a.used]);
    const total = rows.reduce((n, r) => n + r[1], 0), used = rows.reduce((n, r) => n + r[2], 0);
    const line = (label: string, t: number, u: number): string => `${label.padEnd(10)}${show(t).padStart(12)}${show(u).padStart(12)}${show(t - u).padStart(12)}`;
    stdout.line(`${''.padEnd(10)}${'total'.padStart(12)}${'used'.padStart(12)}${'free'.padStart(12)}`);
    stdout.line(line('Mem:', total, used));
    if (args.flags.has('v')) for (const [name, t, u] of rows) stdout.line(line(`${name}:`, t, u));
    return 0;
  });
}
