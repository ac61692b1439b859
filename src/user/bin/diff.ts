// diff: compares two files line by line. The default output is the normal format
// ("5a6,7", "< old", "---", "> new"); -u (or -U N) the unified format with N lines
// of context (3), headed by "--- NAME\tMTIME" and "+++ NAME\tMTIME", or by the names
// given with --label (twice). -q only says whether they differ. The changes are the
// ones GNU diff picks (util/diffseq.ts), so outputs match byte for byte. Exits 0
// when equal, 1 when different, 2 on trouble ('-' is stdin).
import { stat, clockGettime, CLOCK } from '../libc/index.js';
import { run, UsageError, HelpRequest, complain, errorText } from '../util/io.js';
import { parseCount } from '../util/args.js';
import { readInput, latin1, ByteOutput } from '../util/bytes.js';
import { editScript } from '../util/diffseq.js';
import { strftime } from '../util/strftime.js';

const NO_NEWLINE = '\\ No newline at end of file\n';

// Lines with their '\n' (the last may lack one): a missing newline makes a line differ.
function splitKeeping(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines;
}

const show = (prefix: string, line: string): string => prefix + line + (line.endsWith('\n') ? '' : '\n' + NO_NEWLINE);

interface Change { a: number; aEnd: number; b: number; bEnd: number }

function changesOf(deleted: boolean[], inserted: boolean[]): Change[] {
  const changes: Change[] = [];
  let i = 0;
  let j = 0;
  while (i < deleted.length || j < inserted.length) {
    if (i < deleted.length && j < inserted.length && !deleted[i] && !inserted[j]) { i++; j++; continue; }
    const c: Change = { a: i, aEnd: i, b: j, bEnd: j };
    while (i < deleted.length && deleted[i]) i++;
    while (j < inserted.length && inserted[j]) j++;
    c.aEnd = i;
    c.bEnd = j;
    changes.push(c);
  }
  return changes;
}

function normal(a: string[], b: string[], changes: Change[]): string {
  const range = (s: number, e: number): string => (e - s === 1 ? `${s + 1}` : `${s + 1},${e}`);
  let out = '';
  for (const c of changes) {
    const op = c.aEnd > c.a && c.bEnd > c.b ? 'c' : c.aEnd > c.a ? 'd' : 'a';
    out += `${op === 'a' ? String(c.a) : range(c.a, c.aEnd)}${op}${op === 'd' ? String(c.b) : range(c.b, c.bEnd)}\n`;
    for (let k = c.a; k < c.aEnd; k++) out += show('< ', a[k] as string);
    if (op === 'c') out += '---\n';
    for (let k = c.b; k < c.bEnd; k++) out += show('> ', b[k] as string);
  }
  return out;
}

function unified(a: string[], b: string[], changes: Change[], context: number): string {
  const range = (from: number, count: number): string => (count === 1 ? `${from + 1}` : count === 0 ? `${from},0` : `${from + 1},${count}`);
  let out = '';
  let k = 0;
  while (k < changes.length) {
    let last = k;
    while (last + 1 < changes.length && (changes[last + 1] as Change).a - (changes[last] as Change).aEnd <= 2 * context) last++;
    const first = changes[k] as Change;
    const end = changes[last] as Change;
    const aFrom = Math.max(0, first.a - context);
    const bFrom = first.b - (first.a - aFrom);
    const aTo = Math.min(a.length, end.aEnd + context);
    const bTo = Math.min(b.length, end.bEnd + (aTo - end.aEnd));
    out += `@@ -${range(aFrom, aTo - aFrom)} +${range(bFrom, bTo - bFrom)} @@\n`;
    let i = aFrom;
    let j = bFrom;
    for (let c = k; c <= last; c++) {
      const ch = changes[c] as Change;
      for (; i < ch.a; i++, j++) out += show(' ', a[i] as string);
      for (; i < ch.aEnd; i++) out += show('-', a[i] as string);
      for (; j < ch.bEnd; j++) out += show('+', b[j] as string);
    }
    for (; i < aTo; i++, j++) out += show(' ', a[i] as string);
    k = last + 1;
  }
  return out;
}

export function main(argv: string[]): number {
  return run('diff', () => {
    let format: 'normal' | 'unified' = 'normal';
    let context = 3;
    let brief = false;
    const labels: string[] = [];
    const files: string[] = [];
    const args = argv.slice(1);
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] as string;
      const value = (): string => {
        const v = args[++i];
        if (v === undefined) throw new UsageError(`option '${arg}' requires an argument`);
        return v;
      };
      if (arg === '--') { files.push(...args.slice(i + 1)); break; }
      if (arg === '--help') throw new HelpRequest();
      if (arg === '-u' || arg === '--unified') format = 'unified';
      else if (arg === '-U') { format = 'unified'; context = parseCount(value(), 'context length'); } else if (/^-U\d+$/.test(arg)) { format = 'unified'; context = Number(arg.slice(2)); } else if (arg.startsWith('--unified=')) { format = 'unified'; context = parseCount(arg.slice(10), 'context length'); } else if (arg === '--label') labels.push(value());
      else if (arg.startsWith('--label=')) labels.push(arg.slice(8));
      else if (arg === '-q' || arg === '--brief') brief = true;
      else if (arg.startsWith('-') && arg !== '-') throw new UsageError(arg.startsWith('--') ? `unrecognized option '${arg}'` : `invalid option -- '${arg.slice(1, 2)}'`);
      else files.push(arg);
    }
    if (files.length < 2) throw new UsageError(files.length === 0 ? 'missing operand' : `missing operand after '${files[0]}'`);
    if (files.length > 2) throw new UsageError(`extra operand '${files[2]}'`);
    const [nameA, nameB] = files as [string, string];
    const texts: string[] = [];
    for (const f of files) {
      try { texts.push(latin1(readInput(f))); } catch (e) { complain('diff', errorText(e, f)); return 2; }
    }
    const [textA, textB] = texts as [string, string];
    if (textA === textB) return 0;
    const out = new ByteOutput();
    if (brief) { out.write(`Files ${nameA} and ${nameB} differ\n`); out.flush(); return 1; }
    if (textA.includes('\0') || textB.includes('\0')) { out.write(`Binary files ${nameA} and ${nameB} differ\n`); out.flush(); return 1; }
    const a = splitKeeping(textA);
    const b = splitKeeping(textB);
    const { deleted, inserted } = editScript(a, b, format === 'unified' ? context : 0);
    const changes = changesOf(deleted, inserted);
    if (format === 'normal') out.write(normal(a, b, changes));
    else {
      const header = (name: string, label: string | undefined): string => {
        if (label !== undefined) return label;
        const ns = name === '-' ? clockGettime(CLOCK.REALTIME) : stat(name).mtimeNs;
        return `${name}\t${strftime('%Y-%m-%d %H:%M:%S.%N %z', ns)}`;
      };
      out.write(`--- ${header(nameA, labels[0])}\n+++ ${header(nameB, labels[1])}\n`);
      out.write(unified(a, b, changes, context));
    }
    out.flush();
    return 1;
  });
}
