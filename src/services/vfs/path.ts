// Path strings as vfs takes them apart: limits (PATH_MAX, NAME_MAX, counted in UTF-8
// bytes as Linux does), components, and the trailing slash that turns "must be a
// directory" on. Pure functions; the walk itself is in namei.ts.

import { Errno, fail } from '../../abi/errno.js';

/** Longest path, including its terminating NUL (Linux PATH_MAX). */
export const PATH_MAX = 4096;
/** Longest single component (Linux NAME_MAX). */
export const NAME_MAX = 255;
/** Symbolic links followed in one resolution before ELOOP (Linux MAXSYMLINKS). */
export const MAX_SYMLINKS = 40;

const encoder = new TextEncoder();

/** Whether one component exceeds NAME_MAX bytes (UTF-8 is never shorter than UTF-16 units). */
export function nameTooLong(name: string): boolean {
  return name.length > NAME_MAX || (name.length * 3 > NAME_MAX && encoder.encode(name).length > NAME_MAX);
}

export interface SplitPath {
  readonly absolute: boolean;
  /** Non-empty components, '.' and '..' included. */
  readonly components: string[];
  /** The path ends in '/' after a component: the last one must be a directory. */
  readonly trailingSlash: boolean;
}

/** Checks a path's limits and splits it. Empty paths are ENOENT, as in Linux. */
export function splitPath(path: string): SplitPath {
  if (path.length === 0) fail(Errno.ENOENT);
  if (path.includes('\0')) fail(Errno.EINVAL, 'path contains NUL');
  // UTF-8 takes at most 3 bytes per UTF-16 unit: short strings skip the encoding (it
  // was the largest cost of a stat in profiles).
  if (path.length * 3 >= PATH_MAX && encoder.encode(path).length >= PATH_MAX) fail(Errno.ENAMETOOLONG);
  const components = path.split('/').filter((c) => c.length > 0);
  for (const c of components) if (nameTooLong(c)) fail(Errno.ENAMETOOLONG);
  return { absolute: path.startsWith('/'), components, trailingSlash: components.length > 0 && path.endsWith('/') };
}

/** The absolute path of a list of names from the root. */
export function joinAbsolute(names: readonly string[]): string {
  return '/' + names.join('/');
}
