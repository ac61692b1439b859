// The user and group databases: /etc/passwd (name:x:uid:gid:gecos:home:shell) and
// /etc/group (name:x:gid:member,member), read the way getpwnam(3) and getgrnam(3)
// read them. Malformed lines are skipped; a missing file is an empty database.

import { readFile } from '../libc/index.js';

export interface Passwd { name: string; uid: number; gid: number; gecos: string; home: string; shell: string }
export interface Group { name: string; gid: number; members: string[] }

const decoder = new TextDecoder();

function lines(path: string): string[][] {
  let text: string;
  try { text = decoder.decode(readFile(path)); } catch { return []; }
  return text.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).map((l) => l.split(':'));
}

const id = (s: string | undefined): number | undefined => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);

export function users(): Passwd[] {
  const out: Passwd[] = [];
  for (const f of lines('/etc/passwd')) {
    const uid = id(f[2]), gid = id(f[3]);
    if (f.length < 7 || uid === undefined || gid === undefined) continue;
    out.push({ name: f[0]!, uid, gid, gecos: f[4]!, home: f[5]!, shell: f[6]! });
  }
  return out;
}

export function groups(): Group[] {
  const out: Group[] = [];
  for (const f of lines('/etc/group')) {
    const gid = id(f[2]);
    if (f.length < 4 || gid === undefined) continue;
    out.push({ name: f[0]!, gid, members: f[3]!.split(',').filter((m) => m.length > 0) });
  }
  return out;
}

export const userByName = (name: string): Passwd | undefined => users().find((u) => u.name === name);
export const userById = (uid: number): Passwd | undefined => users().find((u) => u.uid === uid);
export const groupByName = (name: string): Group | undefined => groups().find((g) => g.name === name);
export const groupById = (gid: number): Group | undefined => groups().find((g) => g.gid === gid);

/** A user's name, or the number when /etc/passwd has none. */
export const userName = (uid: number): string => userById(uid)?.name ?? String(uid);
export const groupName = (gid: number): string => groupById(gid)?.name ?? String(gid);

/** The supplementary groups /etc/group lists `user` in. */
export const groupsOf = (user: string): number[] => groups().filter((g) => g.members.includes(user)).map((g) => g.gid);

/** A user named or numbered by `text`. */
export function lookupUser(text: string): Passwd | undefined {
  return userByName(text) ?? (id(text) !== undefined ? userById(Number(text)) : undefined);
}
