// tr: translates, deletes or squeezes bytes. tr [-c] [-d] [-s] SET1 [SET2]. Sets
// hold characters, escapes (\n \t \\ \NNN octal ...), ranges a-z, classes
// [:alpha:] [:digit:] [:lower:] [:upper:] [:space:] [:alnum:] [:punct:] [:blank:]
// [:cntrl:] [:print:] [:graph:] [:xdigit:], and [c*N] / [c*] repeats (in SET2). SET2
// is padded with its last character to SET1's length. -c uses every byte not in
// SET1, in ascending order.
import { run, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { readTexts, ByteOutput } from '../util/bytes.js';

const range = (lo: number, hi: number): string => {
  let s = '';
  for (let c = lo; c <= hi; c++) s += String.fromCharCode(c);
  return s;
};
const all = range(0, 255);
const classes: Record<string, string> = {
  alpha: range(65, 90) + range(97, 122), digit: range(48, 57), lower: range(97, 122), upper: range(65, 90),
  space: '\t\n\v\f\r ', blank: '\t ', alnum: range(48, 57) + range(65, 90) + range(97, 122),
  punct: all.slice(33, 127).replace(/[0-9A-Za-z]/g, ''), cntrl: range(0, 31) + '\x7f',
  print: range(32, 126), graph: range(33, 126), xdigit: '0123456789ABCDEFabcdef',
};
const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\' };

// One character of a set at `i`, with escapes: the character and where the next begins.
function charAt(s: string, i: number): [string, number] {
  const c = s[i] as string;
  if (c !== '\\' || i + 1 >= s.length) return [c, i + 1];
  const octal = /^[0-7]{1,3}/.exec(s.slice(i + 1));
  if (octal !== null) return [String.fromCharCode(parseInt(octal[0], 8) & 255), i + 1 + octal[0].length];
  const next = s[i + 1] as string;
  return [escapes[next] ?? next, i + 2];
}


/** Expands a set to its list of characters; a "[c*]" in SET2 fills to `fillTo`. */
export function expandSet(s: string, fillTo = -1): string {
  const parts: { text: string; fill: boolean }[] = [];
  let i = 0;
  while (i < s.length) {
    const cls = /^\[:([a-z]+):\]/.exec(s.slice(i));
    if (cls !== null) {
      const members = classes[cls[1] as string];
      if (members === undefined) throw new UsageError(`invalid character class '${cls[1]}'`);
      parts.push({ text: members, fill: false });
      i += cls[0].length;
      continue;
    }
    if (s[i] === '[' && i + 2 < s.length) {
      const [c, after] = charAt(s, i + 1);
      const rep = /^\*(\d*)\]/.exec(s.slice(after));
      if (s[after] === '*' && rep !== null) {
        const count = rep[1] === '' ? 0 : parseInt(rep[1] as string, (rep[1] as string).startsWith('0') ? 8 : 10);
        parts.push(count === 0 ? { text: c, fill: true } : { text: c.repeat(count), fill: false });
        i = after + rep[0].length;
        continue;
      }
    }
    const [c, after] = charAt(s, i);
    if (s[after] === '-' && after + 1 < s.length) {
      const [hi, end] = charAt(s, after + 1);
      if (hi.charCodeAt(0) < c.charCodeAt(0)) throw new UsageError(`range-endpoints of '${c}-${hi}' are in reverse collating sequence order`);
      parts.push({ text: range(c.charCodeAt(0), hi.charCodeAt(0)), fill: false });
      i = end;
      continue;
    }
    parts.push({ text: c, fill: false });
    i = after;
  }
  const fixed = parts.reduce((n, p) => n + (p.fill ? 0 : p.text.length), 0);
  return parts.map((p) => (p.fill ? p.text.repeat(Math.max(0, fillTo - fixed)) : p.text)).join('');
}

export function main(argv: string[]): number {
  return run('tr', () => {
    const args = parseArgs(argv.slice(1), { flags: 'cCds', long: { complement: 'c', delete: 'd', 'squeeze-repeats': 's' } });
    const f = args.flags;
    const complement = f.has('c') || f.has('C');
    const del = f.has('d');
    const squeeze = f.has('s');
    const [s1, s2] = args.operands;
    const wanted = del ? (squeeze ? 2 : 1) : squeeze ? 1 : 2;
    if (s1 === undefined) throw new UsageError('missing operand');
    if (args.operands.length < wanted) throw new UsageError(`missing operand after '${args.operands[args.operands.length - 1]}'`);
    if (args.operands.length > 2 || (args.operands.length === 2 && del && !squeeze)) throw new UsageError(`extra operand '${args.operands[args.operands.length - 1]}'`);
    let set1 = expandSet(s1);
    if (complement) set1 = [...all].filter((c) => !set1.includes(c)).join('');
    const in1 = new Set(set1);
    const map = new Map<string, string>();
    let squeezeSet = in1;
    if (s2 !== undefined) {
      let set2 = expandSet(s2, set1.length);
      if (!del) {
        if (set2 === '') throw new UsageError('when not truncating set1, string2 must be non-empty');
        if (set2.length < set1.length) set2 += (set2[set2.length - 1] as string).repeat(set1.length - set2.length);
        for (let k = 0; k < set1.length; k++) map.set(set1[k] as string, set2[k] as string);
      }
      squeezeSet = new Set(set2);
    }
    const { texts, failed } = readTexts('tr', []);
    const out = new ByteOutput();
    let last = '';
    let piece = '';
    for (const ch of texts[0] ?? '') {
      if (del && in1.has(ch)) continue;
      const c = map.get(ch) ?? ch;
      if (squeeze && c === last && squeezeSet.has(c)) continue;
      piece += c;
      last = c;
      if (piece.length >= 8192) { out.write(piece); piece = ''; }
    }
    out.write(piece);
    out.flush();
    return failed ? 1 : 0;
  });
}
