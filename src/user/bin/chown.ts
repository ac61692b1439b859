// chown: changes the owner (and group) of files; as chgrp, the group only.
//   chown [-R] [-h] OWNER[:GROUP] FILE...     chown :GROUP FILE...
//   chgrp [-R] [-h] GROUP FILE...
// Names come from /etc/passwd and /etc/group; numbers are taken as they are. Only
// root may give a file away; an owner may change its group to one they are in.
// -h changes a symbolic link itself; -R recurses (without following links).
import { chown, lstat, readdir, isDir, isLnk } from '../libc/index.js';
import { run, complain, reasonOf, UsageError, progName } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { joinPath } from '../util/path.js';
import { lookupUser, groupByName, groupById } from '../util/passwd.js';

function groupId(text: string): number | undefined {
  return groupByName(text)?.gid ?? (/^\d+$/.test(text) ? (groupById(Number(text))?.gid ?? Number(text)) : undefined);
}

function userId(text: string): number | undefined {
  return lookupUser(text)?.uid ?? (/^\d+$/.test(text) ? Number(text) : undefined);
}

export function main(argv: string[]): number {
  const prog = progName(argv, 'chown') === 'chgrp' ? 'chgrp' : 'chown';
  return run(prog, () => {
    const args = parseArgs(argv.slice(1), { flags: 'Rhv', long: { recursive: 'R', 'no-dereference': 'h', verbose: 'v' } });
    const spec = args.operands.shift();
    if (spec === undefined) throw new UsageError('missing operand');
    if (args.operands.length === 0) throw new UsageError(`missing operand after '${spec}'`);
    let uid = -1, gid = -1;
    if (prog === 'chgrp') {
      const g = groupId(spec);
      if (g === undefined) throw new UsageError(`invalid group: '${spec}'`);
      gid = g;
    } else {
      const [u, g] = spec.split(/[:.]/, 2) as [string, string | undefined];
      if (u !== '') {
        const id = userId(u);
        if (id === undefined) throw new UsageError(`invalid user: '${spec}'`);
        uid = id;
      }
      if (g !== undefined && g !== '') {
        const id = groupId(g);
        if (id === undefined) throw new UsageError(`invalid group: '${spec}'`);
        gid = id;
      }
    }
    const follow = !args.flags.has('h');
    let status = 0;
    const change = (p: string): void => {
      try {
        chown(p, uid, gid, follow);
        if (args.flags.has('R')) {
          const st = lstat(p);
          if (isDir(st.mode) && !isLnk(st.mode)) for (const e of readdir(p)) if (e.name !== '.' && e.name !== '..') change(joinPath(p, e.name));
        }
      } catch (e) {
        complain(prog, `changing ownership of '${p}': ${reasonOf(e)}`);
        status = 1;
      }
    };
    for (const p of args.operands) change(p);
    return status;
  });
}
