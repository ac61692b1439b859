// uniq: writes one line of each run of equal adjacent lines. -c prefixes the run's
// length ("%7d "), -d writes only repeated lines, -u only unrepeated ones, -i compares
// case-insensitively, -f N skips N fields and -s N skips N characters before
// comparing. uniq [OPTION]... [INPUT [OUTPUT]].
import { open, close, O } from '../libc/index.js';
import { run, UsageError } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';
import { readTexts, textLines, ByteOutput } from '../util/bytes.js';

export function main(argv: string[]): number {
  return run('uniq', () => {
    const args = parseArgs(argv.slice(1), {
      flags: 'cdui', options: 'fs',
      long: { count: 'c', repeated: 'd', unique: 'u', 'ignore-case': 'i', 'skip-fields': 'f', 'skip-chars': 's' },
    });
    if (args.operands.length > 2) throw new UsageError(`extra operand '${args.operands[2]}'`);
    const skipFields = parseCount(args.options.get('f') ?? '0', 'number of fields to skip');
    const skipChars = parseCount(args.options.get('s') ?? '0', 'number of bytes to skip');
    const { texts, failed } = readTexts('uniq', args.operands.slice(0, 1));
    if (failed) return 1;
    const lines = textLines(texts[0] ?? '');
    const keyOf = (line: string): string => {
      let s = line;
      for (let k = 0; k < skipFields; k++) s = s.replace(/^[ \t]*[^ \t]*/, '');
      s = s.slice(skipChars);
      return args.flags.has('i') ? s.toLowerCase() : s;
    };
    let fd = 1;
    const output = args.operands[1];
    if (output !== undefined && output !== '-') fd = open(output, O.WRONLY | O.CREAT | O.TRUNC);
    const out = new ByteOutput(fd);
    const emit = (line: string, count: number): void => {
      if (args.flags.has('d') && count < 2) return;
      if (args.flags.has('u') && count > 1) return;
      out.write((args.flags.has('c') ? `${String(count).padStart(7)} ` : '') + line + '\n');
    };
    let i = 0;
    while (i < lines.length) {
      const first = lines[i] as string;
      const key = keyOf(first);
      let j = i + 1;
      while (j < lines.length && keyOf(lines[j] as string) === key) j++;
      emit(first, j - i);
      i = j;
    }
    out.flush();
    if (fd !== 1) close(fd);
    return 0;
  });
}
