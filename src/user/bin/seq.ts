// seq: prints a sequence of numbers. seq LAST, seq FIRST LAST, seq FIRST INCR LAST.
// -s SEP separator (default newline), -w equal width (zero-padded).
import { run, stdout, UsageError } from '../util/io.js';
import { checkHandOptions } from '../util/args.js';

function decimals(s: string): number {
  const m = /\.(\d+)/.exec(s);
  return m === null ? 0 : (m[1] as string).length;
}

export function main(argv: string[]): number {
  return run('seq', () => {
    checkHandOptions(argv.slice(1), ['-w', '-s']);
    let sep = '\n';
    let width = false;
    const nums: string[] = [];
    const args = argv.slice(1);
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '-s') { sep = args[++i] ?? ''; continue; }
      if (a.startsWith('-s') && a.length > 2) { sep = a.slice(2); continue; }
      if (a === '-w') { width = true; continue; }
      nums.push(a);
    }
    if (nums.length === 0 || nums.length > 3) throw new UsageError(nums.length === 0 ? 'missing operand' : `extra operand '${nums[3]}'`);
    for (const n of nums) if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(n)) throw new UsageError(`invalid floating point argument: '${n}'`);
    const first = nums.length > 1 ? Number(nums[0]) : 1;
    const incr = nums.length === 3 ? Number(nums[1]) : 1;
    const last = Number(nums[nums.length - 1]);
    if (incr === 0) throw new UsageError(`invalid Zero increment value: '${nums[1]}'`);
    const places = Math.max(...nums.slice(0, nums.length === 3 ? 2 : 1).map(decimals));
    const fmt = (v: number): string => v.toFixed(places);
    const count = Math.floor((last - first) / incr + 1e-9) + 1;
    let w = 0;
    if (width && count > 0) w = Math.max(fmt(first).length, fmt(first + (count - 1) * incr).length);
    const pad = (t: string): string => (!width ? t : t.startsWith('-') ? '-' + t.slice(1).padStart(w - 1, '0') : t.padStart(w, '0'));
    for (let k = 0; k < count; k++) stdout.write((k > 0 ? sep : '') + pad(fmt(first + k * incr)));
    if (count > 0) stdout.write('\n');
    return 0;
  });
}
