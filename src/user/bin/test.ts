// test (also installed as '['): evaluates a condition; exit 0 true, 1 false, 2 error.
// The expression language is in util/test-expr.ts.
import { run, UsageError, HelpRequest } from '../util/io.js';
import { evaluateTest } from '../util/test-expr.js';

export { evaluateTest };

export function main(argv: string[]): number {
  return run('test', () => {
    if (argv.length === 2 && argv[1] === '--help') throw new HelpRequest();
    let args = argv.slice(1);
    if ((argv[0] ?? '').endsWith('[')) {
      if (args[args.length - 1] !== ']') throw new UsageError("missing ']'");
      args = args.slice(0, -1);
    }
    return evaluateTest(args) ? 0 : 1;
  });
}
