// Orphaned process groups (POSIX, "orphaned process group"; Linux kernel/exit.c
// kill_orphaned_pgrp): when an exit leaves a process group with no member whose
// parent is in another group of the same session, nobody is left who could continue
// its stopped members with job control. If any member of such a group is stopped,
// every member gets SIGHUP and then SIGCONT, so a stopped job whose shell went away
// does not stay stopped for ever.
//
// The groups to look at are the exiting process's own and its children's (they are
// the only ones whose link to a controlling parent the exit can cut). The kernel's
// process table holds pgid, sid, ppid and the stop state, so the check needs no
// component.

/** What the check needs of a process. */
export interface GroupMember { pid: number; ppid: number; pgid: number; sid: number; dead: boolean; stopSignal: number }

/** True when no live member of `pgid` has a live parent in another group of the same session. */
export function isOrphaned(procs: ReadonlyMap<number, GroupMember>, pgid: number): boolean {
  for (const p of procs.values()) {
    if (p.dead || p.pgid !== pgid) continue;
    const parent = procs.get(p.ppid);
    if (parent !== undefined && !parent.dead && parent.pgid !== pgid && parent.sid === p.sid) return false;
  }
  return true;
}

/**
 * The groups among `candidates` that the exit left orphaned with a stopped member:
 * each is sent SIGHUP then SIGCONT. Init's group (1) is never hung up.
 */
export function groupsToHangUp(procs: ReadonlyMap<number, GroupMember>, candidates: Iterable<number>): number[] {
  const out: number[] = [];
  for (const pgid of new Set(candidates)) {
    if (pgid <= 1) continue;
    const members = [...procs.values()].filter((p) => !p.dead && p.pgid === pgid);
    if (!members.some((p) => p.stopSignal !== 0)) continue;
    if (isOrphaned(procs, pgid)) out.push(pgid);
  }
  return out;
}
