// mkdir: makes directories. -p: make parents as needed, no error if it exists.
// -m MODE: octal permission bits.
import { mkdir, stat, isDir, SysError, Errno } from '../libc/index.js';
import { run, complain, reasonOf, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';

function makeParents(path: string, mode: number): void {
  const parts = path.split('/');
  let prefix = path.startsWith('/') ? '/' : '';
  for (const part of parts) {
    if (part === '') continue;
    prefix = prefix === '' || prefix.endsWith('/') ? prefix + part : `${prefix}/${part}`;
    try {
      mkdir(prefix, mode);
    } catch (e) {
      if (!(e instanceof SysError && e.errno === Errno.EEXIST)) throw e;
      if (!isDir(stat(prefix).mode)) throw new SysError(Errno.ENOTDIR, 'mkdir');
    }
  }
}

export function main(argv: string[]): number {
  return run('mkdir', () => {
    const args = parseArgs(argv.slice(1), { flags: 'pv', options: 'm', long: { parents: 'p', mode: 'm', verbose: 'v' } });
    if (args.operands.length === 0) throw new UsageError('missing operand');
    const modeText = args.options.get('m');
    if (modeText !== undefined && !/^[0-7]{1,4}$/.test(modeText)) throw new UsageError(`invalid mode '${modeText}'`);
    const mode = modeText === undefined ? 0o755 : parseInt(modeText, 8);
    let status = 0;
    for (const p of args.operands) {
      try {
        if (args.flags.has('p')) makeParents(p, mode);
        else mkdir(p, mode);
      } catch (e) {
        complain('mkdir', `cannot create directory '${p}': ${reasonOf(e)}`);
        status = 1;
      }
    }
    return status;
  });
}
