// stty: shows or sets the terminal's modes and size (ioctl TIOC.GMODE/SMODE,
// GWINSZ/SWINSZ on stdin). Settings: [-]icanon [-]echo [-]isig, raw (all three
// off), cooked and sane (all on), rows N, cols N; `stty size` prints "ROWS COLUMNS".
import { ioctl, TIOC, TERM_MODE, TERM_MODE_COOKED } from '../libc/index.js';
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';

const FLAGS: Record<string, number> = { icanon: TERM_MODE.ICANON, echo: TERM_MODE.ECHO, isig: TERM_MODE.ISIG };

function terminal<T>(what: () => T): T {
  try { return what(); } catch { throw new Error("'standard input': Inappropriate ioctl for device"); }
}

export function main(argv: string[]): number {
  return run('stty', () => {
    // Settings look like options ("-echo"): only --help and -a are options here.
    const settings = argv.slice(1);
    if (settings.some((s) => s.startsWith('--'))) parseArgs(settings.filter((s) => s.startsWith('--')), {});
    let mode = terminal(() => ioctl(0, TIOC.GMODE));
    if (settings.length === 0 || (settings.length === 1 && settings[0] === '-a')) {
      const size = terminal(() => ioctl(0, TIOC.GWINSZ));
      stdout.line(`rows ${size >>> 16}; columns ${size & 0xffff};`);
      stdout.line(Object.entries(FLAGS).map(([name, bit]) => ((mode & bit) !== 0 ? name : `-${name}`)).join(' '));
      return 0;
    }
    let size: number | undefined;
    for (let i = 0; i < settings.length; i++) {
      const s = settings[i]!;
      if (s === 'size') { const w = terminal(() => ioctl(0, TIOC.GWINSZ)); stdout.line(`${w >>> 16} ${w & 0xffff}`); continue; }
      if (s === 'raw') { mode = 0; continue; }
      if (s === 'cooked' || s === 'sane' || s === '-raw') { mode = TERM_MODE_COOKED; continue; }
      if (s === 'rows' || s === 'cols' || s === 'columns') {
        const n = Number(settings[++i]);
        if (!Number.isInteger(n) || n <= 0 || n > 0x7fff) throw new UsageError(`invalid integer argument: '${settings[i] ?? ''}'`);
        size ??= terminal(() => ioctl(0, TIOC.GWINSZ));
        size = s === 'rows' ? (n << 16) | (size & 0xffff) : (size & 0x7fff0000) | n;
        continue;
      }
      const off = s.startsWith('-');
      const bit = FLAGS[off ? s.slice(1) : s];
      if (bit === undefined) throw new UsageError(`invalid argument '${s}'`);
      mode = off ? mode & ~bit : mode | bit;
    }
    terminal(() => ioctl(0, TIOC.SMODE, mode));
    if (size !== undefined) { const next = size; terminal(() => ioctl(0, TIOC.SWINSZ, next)); }
    return 0;
  });
}
