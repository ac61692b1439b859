// fault: arms a fault in a component for its next request.
//   fault COMPONENT crash|wild-write|hang|bad-reply|leak
import { fault } from '../libc/index.js';
import { run, complain, reasonOf, UsageError } from '../util/io.js';
import { checkHandOptions } from '../util/args.js';

const TYPES = ['crash', 'wild-write', 'hang', 'bad-reply', 'leak'];

export function main(argv: string[]): number {
  return run('fault', () => {
    checkHandOptions(argv.slice(1), []);
    const [component, type] = argv.slice(1);
    if (component === undefined || type === undefined || argv.length > 3) throw new UsageError(`usage: fault COMPONENT ${TYPES.join('|')}`);
    if (!TYPES.includes(type)) throw new UsageError(`unknown fault '${type}' (expected ${TYPES.join(', ')})`);
    try {
      fault(component, type);
    } catch (e) {
      complain('fault', `${component}: ${reasonOf(e)}`);
      return 1;
    }
    return 0;
  });
}
