// The orphaned-process-group rule (kernel/proc/orphans.ts) on small tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupsToHangUp, isOrphaned, type GroupMember } from '../../src/kernel/proc/orphans.js';

function table(rows: [pid: number, ppid: number, pgid: number, sid: number, stopped?: boolean, dead?: boolean][]): Map<number, GroupMember> {
  return new Map(rows.map(([pid, ppid, pgid, sid, stopped, dead]) => [pid, { pid, ppid, pgid, sid, stopSignal: stopped === true ? 19 : 0, dead: dead === true }]));
}

test('a group with a parent in another group of the same session is not orphaned', () => {
  // shell 10 (group 10, session 10) with a job in group 20.
  const t = table([[1, 0, 1, 1], [10, 1, 10, 10], [20, 10, 20, 10, true], [21, 20, 20, 10]]);
  assert.equal(isOrphaned(t, 20), false);
  assert.deepEqual(groupsToHangUp(t, [20]), []);
});

test('the shell gone, its stopped job is hung up; a running job or init\'s group is not', () => {
  const t = table([[1, 0, 1, 1], [10, 1, 10, 10, false, true], [20, 1, 20, 10, true], [21, 20, 20, 10], [30, 1, 30, 10]]);
  assert.equal(isOrphaned(t, 20), true);
  assert.equal(isOrphaned(t, 30), true);
  assert.deepEqual(groupsToHangUp(t, [10, 20, 30, 20, 1]), [20]);
});

test('a parent in another session does not keep a group', () => {
  // 40's parent 10 is live and in another group, but in session 10 while 40 is in 40.
  const t = table([[1, 0, 1, 1], [10, 1, 10, 10], [40, 10, 40, 40, true]]);
  assert.equal(isOrphaned(t, 40), true);
  assert.deepEqual(groupsToHangUp(t, [40]), [40]);
});
