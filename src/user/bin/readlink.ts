// readlink: the target of each symbolic link. -f canonicalizes (every component but
// the last must exist), -e (all must exist), -m (none need); -n omits the newline.
// Exits 1, silently, for a file that is not a link.
import { readlink } from '../libc/index.js';
import { run, stdout, complain, errorText, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { canonicalPath } from '../util/resolve.js';

export function main(argv: string[]): number {
  return run('readlink', () => {
    const args = parseArgs(argv.slice(1), { flags: 'femnqsvz', long: { canonicalize: 'f', 'canonicalize-existing': 'e', 'canonicalize-missing': 'm', 'no-newline': 'n', quiet: 'q', silent: 's', verbose: 'v', zero: 'z' } });
    if (args.operands.length === 0) throw new UsageError('missing operand');
    const f = args.flags;
    const must = f.has('e') ? 'all' : f.has('m') ? 'none' : f.has('f') ? 'parent' : null;
    const end = f.has('z') ? '\0' : f.has('n') && args.operands.length === 1 ? '' : '\n';
    let status = 0;
    for (const name of args.operands) {
      try {
        stdout.write((must === null ? readlink(name) : canonicalPath(name, must)) + end);
      } catch (e) {
        if (f.has('v')) complain('readlink', errorText(e, name));
        status = 1;
      }
    }
    return status;
  });
}
