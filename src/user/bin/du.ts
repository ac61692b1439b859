// du: disk usage of files and directory trees, in 1K blocks (-h human-readable,
// -s only the total of each argument, -a every file too, -c a grand total).
// Hard-linked files count once.
import { lstat, readdir, isDir, type DirEntry } from '../libc/index.js';
import { run, complain, reasonOf, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { joinPath } from '../util/path.js';
import { humanSize } from '../util/format.js';

export function main(argv: string[]): number {
  return run('du', () => {
    const args = parseArgs(argv.slice(1), { flags: 'shack', options: 'd', long: { summarize: 's', 'human-readable': 'h', all: 'a', total: 'c', 'max-depth': 'd' } });
    const human = args.flags.has('h');
    const maxDepth = args.flags.has('s') ? 0 : args.options.has('d') ? Number(args.options.get('d')) : Infinity;
    const seen = new Set<string>();
    let status = 0;
    const show = (bytes: number, path: string): void => {
      stdout.line(`${human ? humanSize(bytes) : String(Math.ceil(bytes / 1024))}\t${path}`);
    };
    // Returns the bytes used under `path` (blocks of 512 bytes, as st_blocks counts).
    const walk = (path: string, depth: number): number => {
      let st;
      try { st = lstat(path); } catch (e) { complain('du', `cannot access '${path}': ${reasonOf(e)}`); status = 1; return 0; }
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) return 0;
      seen.add(key);
      let bytes = st.blocks * 512;
      if (isDir(st.mode)) {
        let entries: DirEntry[];
        try { entries = readdir(path); } catch (e) { complain('du', `cannot read directory '${path}': ${reasonOf(e)}`); status = 1; entries = []; }
        for (const e of entries) {
          if (e.name === '.' || e.name === '..') continue;
          bytes += walk(joinPath(path, e.name), depth + 1);
        }
        if (depth <= maxDepth) show(bytes, path);
      } else if (depth === 0 || (args.flags.has('a') && depth <= maxDepth)) {
        show(bytes, path);
      }
      return bytes;
    };
    let total = 0;
    for (const p of args.operands.length > 0 ? args.operands : ['.']) total += walk(p, 0);
    if (args.flags.has('c')) show(total, 'total');
    return status;
  });
}
