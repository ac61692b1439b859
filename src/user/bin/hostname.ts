// hostname: the system's node name. The kernel has no settable host name: it is
// the name uname -n reports.
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';

/** The node name (uname -n); kept here so hostname and uname agree. */
export const NODE_NAME = 'kernelkit';

export function main(argv: string[]): number {
  return run('hostname', () => {
    const args = parseArgs(argv.slice(1), { flags: 's', long: { short: 's' } });
    if (args.operands.length > 0) throw new UsageError('setting the host name is not supported');
    stdout.line(NODE_NAME);
    return 0;
  });
}
