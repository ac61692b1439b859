// uptime: the time now (UTC), how long the system has been up (/proc/uptime, which
// counts from the zero of dmesg's times), and how many processes there are (/proc).
// There is no load average: the kernel keeps none, so the line ends with the process
// count instead.
//   uptime [-p | -s]
import { clockGettime, CLOCK } from '../libc/index.js';
import { procPids, procUptime } from '../util/procfs.js';
import { run, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { strftime } from '../util/strftime.js';

export function main(argv: string[]): number {
  return run('uptime', () => {
    const args = parseArgs(argv.slice(1), { flags: 'ps', long: { pretty: 'p', since: 's' } });
    const upNs = procUptime() * 1e9;
    const nowNs = clockGettime(CLOCK.REALTIME);
    if (args.flags.has('s')) { stdout.line(strftime('%Y-%m-%d %H:%M:%S', nowNs - upNs)); return 0; }
    const minutesUp = Math.floor(upNs / 60e9);
    const days = Math.floor(minutesUp / 1440), hours = Math.floor((minutesUp % 1440) / 60), minutes = minutesUp % 60;
    if (args.flags.has('p')) {
      const parts = [[days, 'day'], [hours, 'hour'], [minutes, 'minute']].filter(([n], i) => (n as number) > 0 || i === 2).map(([n, w]) => `${n} ${w}${n === 1 ? '' : 's'}`);
      stdout.line(`up ${parts.join(', ')}`);
      return 0;
    }
    const up = `${days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : ''}${hours > 0 ? `${String(hours).padStart(2)}:${String(minutes).padStart(2, '0')}` : `${minutes} min`}`;
    const processes = procPids().length;
    stdout.line(` ${strftime('%H:%M:%S', nowNs)} up ${up},  ${processes} process${processes === 1 ? '' : 'es'}`);
    return 0;
  });
}
