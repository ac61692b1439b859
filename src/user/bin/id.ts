// id: prints the caller's user and group ids, or those /etc/passwd and /etc/group
// give USER.   -u user id  -g group id  -G all groups  -n names (with -u/-g/-G)  -r real ids
//   uid=1000(user) gid=1000(user) groups=1000(user)
// An effective id that differs from the real one is shown as euid=/egid=.
import { getuid, geteuid, getgid, getegid, getgroups } from '../libc/index.js';
import { run, stdout, UsageError, complain } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { userName, groupName, lookupUser, groupsOf } from '../util/passwd.js';

export function main(argv: string[]): number {
  return run('id', () => {
    const args = parseArgs(argv.slice(1), { flags: 'ugGnr', long: { user: 'u', group: 'g', groups: 'G', name: 'n', real: 'r' } });
    const f = args.flags;
    if (args.operands.length > 1) throw new UsageError(`extra operand '${args.operands[1]}'`);
    let uid: number, euid: number, gid: number, egid: number, groups: number[];
    if (args.operands.length === 1) {
      const u = lookupUser(args.operands[0]!);
      if (u === undefined) { complain('id', `'${args.operands[0]}': no such user`); return 1; }
      uid = euid = u.uid;
      gid = egid = u.gid;
      groups = [u.gid, ...groupsOf(u.name).filter((g) => g !== u.gid)];
    } else {
      uid = getuid(); euid = geteuid(); gid = getgid(); egid = getegid();
      groups = [egid, ...getgroups().filter((g) => g !== egid)];
    }
    const shown = (n: number, name: (n: number) => string): string => (f.has('n') ? name(n) : String(n));
    if (f.has('u')) { stdout.line(shown(f.has('r') ? uid : euid, userName)); return 0; }
    if (f.has('g')) { stdout.line(shown(f.has('r') ? gid : egid, groupName)); return 0; }
    if (f.has('G')) { stdout.line(groups.map((g) => shown(g, groupName)).join(' ')); return 0; }
    let line = `uid=${uid}(${userName(uid)}) gid=${gid}(${groupName(gid)})`;
    if (euid !== uid) line += ` euid=${euid}(${userName(euid)})`;
    if (egid !== gid) line += ` egid=${egid}(${groupName(egid)})`;
    line += ` groups=${groups.map((g) => `${g}(${groupName(g)})`).join(',')}`;
    stdout.line(line);
    return 0;
  });
}
