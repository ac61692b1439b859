// Pathname expansion (globbing): '*', '?' and '[...]' in the unquoted parts of a word
// match names in the filesystem. Pure except for the `listDir` callback the caller
// supplies. A pattern that matches nothing stays as written (POSIX sh behaviour).

/** One character of an expanded word and whether it may act as a glob character. */
export interface GlobChar { ch: string; active: boolean }

/**
 * Whether the word holds an active '*' or '?', or an active '[' that opens a bracket
 * expression (a ']' follows within the same path component, past a leading '!', '^'
 * or ']'). A lone '[' (the test command) is an ordinary character: the word is not a
 * pattern and no directory is read for it, as in bash.
 */
export function hasGlob(chars: readonly GlobChar[]): boolean {
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as GlobChar;
    if (!c.active) continue;
    if (c.ch === '*' || c.ch === '?') return true;
    if (c.ch !== '[') continue;
    let j = i + 1;
    if (chars[j]?.ch === '!' || chars[j]?.ch === '^') j++;
    if (chars[j]?.ch === ']') j++;
    for (; j < chars.length && chars[j]!.ch !== '/'; j++) if (chars[j]!.ch === ']') return true;
  }
  return false;
}

const escapeRegExp = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** A regular expression matching one path component against a pattern segment. */
export function segmentRegExp(seg: readonly GlobChar[]): RegExp {
  let src = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as GlobChar;
    if (!c.active) { src += escapeRegExp(c.ch); continue; }
    if (c.ch === '*') { src += '.*'; continue; }
    if (c.ch === '?') { src += '.'; continue; }
    if (c.ch === '[') {
      // Find the closing ']' (a ']' right after '[' or '[!' is a member).
      let j = i + 1;
      let negate = false;
      if (seg[j]?.ch === '!' || seg[j]?.ch === '^') { negate = true; j++; }
      const start = j;
      if (seg[j]?.ch === ']') j++;
      while (j < seg.length && seg[j]?.ch !== ']') j++;
      if (j >= seg.length) { src += '\\['; continue; }
      let cls = '';
      for (let k = start; k < j; k++) {
        const m = (seg[k] as GlobChar).ch;
        cls += m === '-' && k !== start && k !== j - 1 ? '-' : m.replace(/[\\\]^-]/g, '\\$&');
      }
      src += `[${negate ? '^' : ''}${cls}]`;
      i = j;
      continue;
    }
    src += escapeRegExp(c.ch);
  }
  return new RegExp(`^${src}$`, 's');
}

/**
 * Expands a pattern into the sorted paths it matches, or [] when none does.
 * `listDir(dir)` returns the names in a directory ('' means the working directory),
 * or null when it cannot be read.
 */
export function expandGlob(chars: readonly GlobChar[], listDir: (dir: string) => string[] | null): string[] {
  const segments: GlobChar[][] = [[]];
  for (const c of chars) {
    if (c.ch === '/') segments.push([]);
    else (segments[segments.length - 1] as GlobChar[]).push(c);
  }
  const absolute = chars[0]?.ch === '/';
  if (absolute) segments.shift();
  let paths: string[] = [absolute ? '/' : ''];
  let afterGlob = false;
  segments.forEach((seg, index) => {
    const next: string[] = [];
    const text = seg.map((c) => c.ch).join('');
    for (const base of paths) {
      if (!hasGlob(seg)) {
        if (!afterGlob) next.push(join(base, text));
        else if (text === '' && index === segments.length - 1) { if (listDir(base) !== null) next.push(base + '/'); }
        else if (listDir(base === '' ? '.' : base)?.includes(text) === true) next.push(join(base, text));
        continue;
      }
      const names = listDir(base === '' ? '.' : base);
      if (names === null) continue;
      const re = segmentRegExp(seg);
      const dotOk = seg[0]?.ch === '.';
      for (const name of names.slice().sort()) {
        if (name === '.' || name === '..') continue;
        if (name.startsWith('.') && !dotOk) continue;
        if (re.test(name)) next.push(join(base, name));
      }
    }
    if (hasGlob(seg)) afterGlob = true;
    paths = next;
  });
  if (!hasGlob(chars)) return [];
  return paths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function join(base: string, name: string): string {
  if (base === '') return name;
  if (base.endsWith('/')) return base + name;
  return `${base}/${name}`;
}
