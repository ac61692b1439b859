// Path-string helpers for programs (no syscalls): join, base name, directory name.

/** Joins two path parts with exactly one '/'. */
export function joinPath(dir: string, name: string): string {
  if (name.startsWith('/')) return name;
  if (dir === '') return name;
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** The last component, ignoring trailing slashes ("/a/b/" → "b", "/" → "/"). */
export function baseName(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return p.startsWith('/') ? '/' : '';
  const slash = trimmed.lastIndexOf('/');
  return slash >= 0 ? trimmed.slice(slash + 1) : trimmed;
}

/** Everything but the last component ("/a/b" → "/a", "b" → "."). */
export function dirName(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return p.startsWith('/') ? '/' : '.';
  const slash = trimmed.lastIndexOf('/');
  if (slash < 0) return '.';
  const d = trimmed.slice(0, slash).replace(/\/+$/, '');
  return d === '' ? '/' : d;
}
