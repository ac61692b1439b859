// basename: the last component of each NAME, less a SUFFIX. basename NAME [SUFFIX],
// basename -a NAME..., basename -s SUFFIX NAME...
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { baseName } from '../util/path.js';

export function main(argv: string[]): number {
  return run('basename', () => {
    const args = parseArgs(argv.slice(1), { flags: 'az', options: 's', long: { multiple: 'a', suffix: 's', zero: 'z' } });
    const ops = args.operands;
    if (ops.length === 0) throw new UsageError('missing operand');
    const multiple = args.flags.has('a') || args.options.has('s');
    if (!multiple && ops.length > 2) throw new UsageError(`extra operand '${ops[2]}'`);
    const suffix = args.options.get('s') ?? (multiple ? '' : ops[1] ?? '');
    const names = multiple ? ops : ops.slice(0, 1);
    for (const name of names) {
      let b = baseName(name);
      if (suffix !== '' && b !== suffix && b.endsWith(suffix)) b = b.slice(0, -suffix.length);
      stdout.write(b + (args.flags.has('z') ? '\0' : '\n'));
    }
    return 0;
  });
}
