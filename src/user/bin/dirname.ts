// dirname: each NAME without its last component ("." when there is no slash).
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { dirName } from '../util/path.js';

export function main(argv: string[]): number {
  return run('dirname', () => {
    const args = parseArgs(argv.slice(1), { flags: 'z', long: { zero: 'z' } });
    if (args.operands.length === 0) throw new UsageError('missing operand');
    for (const name of args.operands) stdout.write(dirName(name) + (args.flags.has('z') ? '\0' : '\n'));
    return 0;
  });
}
