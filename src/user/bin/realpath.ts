// realpath: the canonical absolute name of each FILE (no ".", "..", or symbolic
// links). Every component but the last must exist; -e all of them, -m none.
// -s (no symlinks) only cleans the name; -q hides errors.
import { getcwd } from '../libc/index.js';
import { run, stdout, complain, errorText, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { canonicalPath } from '../util/resolve.js';

// "." and ".." and repeated slashes removed without looking at the file system.
function cleanPath(p: string): string {
  const done: string[] = [];
  for (const c of (p.startsWith('/') ? p : `${getcwd()}/${p}`).split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') done.pop(); else done.push(c);
  }
  return '/' + done.join('/');
}

export function main(argv: string[]): number {
  return run('realpath', () => {
    const args = parseArgs(argv.slice(1), { flags: 'emsqz', long: { 'canonicalize-existing': 'e', 'canonicalize-missing': 'm', 'no-symlinks': 's', strip: 's', quiet: 'q', zero: 'z' } });
    if (args.operands.length === 0) throw new UsageError('missing operand');
    const f = args.flags;
    const must = f.has('e') ? 'all' : f.has('m') ? 'none' : 'parent';
    let status = 0;
    for (const name of args.operands) {
      try {
        stdout.write((f.has('s') ? cleanPath(name) : canonicalPath(name, must)) + (f.has('z') ? '\0' : '\n'));
      } catch (e) {
        if (!f.has('q')) complain('realpath', errorText(e, name));
        status = 1;
      }
    }
    return status;
  });
}
