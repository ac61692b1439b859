// The state every part of vfs shares: the mount table, the path walker over it, the
// open-file table, and the lock that keeps appends atomic. One per vfs instance;
// vfs.ts creates it and the call modules (files.ts, names.ts, mounting.ts) take it.

import type { MountTable } from './mounts.js';
import type { Namei } from './namei.js';
import type { HandleTable, KeyedLock } from './handles.js';

export interface VfsCore {
  readonly mounts: MountTable;
  readonly namei: Namei;
  readonly handles: HandleTable;
  readonly appendLock: KeyedLock;
}
