// sort: sorts lines by bytes (the C locale), or by keys. -n numeric, -r reverse,
// -u one line per run of equal keys, -s stable (no last-resort comparison of whole
// lines), -f fold lower case to upper, -b ignore leading blanks, -t SEP field
// separator, -k F[.C][OPTS][,F[.C][OPTS]] keys (OPTS from "bfnr"). As GNU sort,
// lines whose keys compare equal are ordered by the whole line unless -s or -u.
import { run, complain, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { readTexts, textLines, ByteOutput } from '../util/bytes.js';

interface KeyOptions { numeric: boolean; reverse: boolean; blanks: boolean; fold: boolean }
interface Key extends KeyOptions { startField: number; startChar: number; endField: number; endChar: number; endBlanks: boolean }

const isBlank = (c: string): boolean => c === ' ' || c === '\t';

function parseKeyOptions(s: string, into: KeyOptions, spec: string): void {
  for (const c of s) {
    if (c === 'n') into.numeric = true;
    else if (c === 'r') into.reverse = true;
    else if (c === 'b') into.blanks = true;
    else if (c === 'f') into.fold = true;
    else throw new UsageError(`invalid key specification '${spec}'`);
  }
}

function parseKey(spec: string, global: KeyOptions): Key {
  const m = /^(\d+)(?:\.(\d+))?([a-z]*)(?:,(\d+)(?:\.(\d+))?([a-z]*))?$/.exec(spec);
  if (m === null || Number(m[1]) === 0 || m[2] === '0' || m[4] === '0') throw new UsageError(`invalid key specification '${spec}'`);
  const own: KeyOptions = { numeric: false, reverse: false, blanks: false, fold: false };
  parseKeyOptions((m[3] ?? '') + (m[6] ?? ''), own, spec);
  const hasOwn = own.numeric || own.reverse || own.blanks || own.fold;
  const options = hasOwn ? own : global;
  return {
    ...options,
    startField: Number(m[1]), startChar: m[2] === undefined ? 1 : Number(m[2]),
    endField: m[4] === undefined ? Infinity : Number(m[4]), endChar: m[5] === undefined ? 0 : Number(m[5]),
    endBlanks: (m[6] ?? '').includes('b') || (!hasOwn && global.blanks),
  };
}

// Where each field begins and ends. With a separator, fields lie between separators;
// without, a field is a run of blanks followed by a run of non-blanks.
function fieldBounds(line: string, sep: string | null): [number, number][] {
  const bounds: [number, number][] = [];
  if (sep !== null) {
    let start = 0;
    for (;;) {
      const at = line.indexOf(sep, start);
      if (at < 0) { bounds.push([start, line.length]); return bounds; }
      bounds.push([start, at]);
      start = at + 1;
    }
  }
  let i = 0;
  while (i < line.length) {
    const start = i;
    while (i < line.length && isBlank(line[i] as string)) i++;
    while (i < line.length && !isBlank(line[i] as string)) i++;
    bounds.push([start, i]);
  }
  return bounds;
}

function keyText(line: string, key: Key, sep: string | null): string {
  const bounds = fieldBounds(line, sep);
  const skipBlanks = (at: number, end: number): number => { while (at < end && isBlank(line[at] as string)) at++; return at; };
  let start: number;
  const sf = bounds[key.startField - 1];
  if (sf === undefined) return '';
  start = key.blanks ? skipBlanks(sf[0], sf[1]) : sf[0];
  start = Math.min(start + key.startChar - 1, sf[1]);
  let end: number;
  if (key.endField === Infinity) end = line.length;
  else {
    const ef = bounds[key.endField - 1];
    if (ef === undefined) end = line.length;
    else if (key.endChar === 0) end = ef[1];
    else end = Math.min((key.endBlanks ? skipBlanks(ef[0], ef[1]) : ef[0]) + key.endChar, ef[1]);
  }
  return end <= start ? '' : line.slice(start, end);
}

// GNU's -n: leading blanks, an optional '-', digits and one decimal point; the rest
// of the text is ignored and text without a number counts as zero.
function numberOf(s: string): number {
  const m = /^[ \t]*(-?)(\d*)(?:\.(\d*))?/.exec(s);
  if (m === null) return 0;
  const digits = `${m[2] === '' ? '0' : m[2]}.${m[3] ?? ''}0`;
  const v = Number(digits);
  return m[1] === '-' ? -v : v;
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// A key ready to compare: its text (folded to upper case for -f) and, for -n, its number.
interface Prepared { text: string; number: number }

function prepare(text: string, o: KeyOptions): Prepared {
  return { text: o.fold ? text.toUpperCase() : text, number: o.numeric ? numberOf(text) : 0 };
}

function compareBy(a: Prepared, b: Prepared, o: KeyOptions): number {
  const r = o.numeric ? (a.number < b.number ? -1 : a.number > b.number ? 1 : 0) : compareBytes(a.text, b.text);
  return o.reverse ? -r : r;
}

export function main(argv: string[]): number {
  return run('sort', () => {
    const args = parseArgs(argv.slice(1), {
      flags: 'nrusbfc', options: 'tk',
      long: { 'numeric-sort': 'n', reverse: 'r', unique: 'u', stable: 's', 'ignore-leading-blanks': 'b', 'ignore-case': 'f', 'field-separator': 't', key: 'k', check: 'c' },
    });
    const f = args.flags;
    const global: KeyOptions = { numeric: f.has('n'), reverse: f.has('r'), blanks: f.has('b'), fold: f.has('f') };
    const sepText = args.options.get('t');
    if (sepText !== undefined && sepText.length !== 1) throw new UsageError(sepText === '' ? 'empty tab' : `multi-character tab '${sepText}'`);
    const sep = sepText ?? null;
    const keys = (args.lists.get('k') ?? []).map((k) => parseKey(k, global));
    const { texts, failed } = readTexts('sort', args.operands);
    if (failed) return 2;
    const lines = texts.flatMap(textLines);
    // Each line's keys are cut out once, not at every comparison.
    const keyed = lines.map((line) => ({
      line,
      keys: keys.length === 0 ? [prepare(global.blanks ? line.replace(/^[ \t]+/, '') : line, global)] : keys.map((key) => prepare(keyText(line, key, sep), key)),
    }));
    type Keyed = (typeof keyed)[number];
    const options = keys.length === 0 ? [global] : keys;
    const compareKeys = (a: Keyed, b: Keyed): number => {
      for (let k = 0; k < options.length; k++) {
        const r = compareBy(a.keys[k] as Prepared, b.keys[k] as Prepared, options[k] as KeyOptions);
        if (r !== 0) return r;
      }
      return 0;
    };
    const lastResort = !f.has('s') && !f.has('u');
    const compare = (a: Keyed, b: Keyed): number => {
      const r = compareKeys(a, b);
      if (r !== 0 || !lastResort) return r;
      return global.reverse ? -compareBytes(a.line, b.line) : compareBytes(a.line, b.line);
    };
    if (f.has('c')) {
      for (let i = 1; i < keyed.length; i++) {
        const r = compare(keyed[i - 1] as Keyed, keyed[i] as Keyed);
        if (r > 0 || (f.has('u') && r === 0)) {
          complain('sort', `${args.operands[0] ?? '-'}:${i + 1}: disorder: ${(keyed[i] as Keyed).line}`);
          return 1;
        }
      }
      return 0;
    }
    keyed.sort(compare);
    const out = new ByteOutput();
    let previous: Keyed | null = null;
    for (const k of keyed) {
      if (f.has('u') && previous !== null && compareKeys(previous, k) === 0) continue;
      out.write(k.line + '\n');
      previous = k;
    }
    out.flush();
    return 0;
  });
}
