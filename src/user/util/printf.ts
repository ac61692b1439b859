// printf's formatting, shared by /bin/printf and the shell builtin: the format's
// backslash escapes, conversions %s %b %c %d %i %u %o %x %X %f %F %e %E %g %G %%
// with flags (- + space 0 #), width and precision (numbers or *); the format is
// reused while arguments remain.

import { echoEscapes } from './echo.js';

/** printf's output and whether an argument was not a valid number. */
export function formatPrintf(format: string, args: readonly string[]): { text: string; badNumber: string | null } {
  let out = '';
  let badNumber: string | null = null;
  let argIndex = 0;
  const next = (): string | undefined => args[argIndex++];
  const number = (s: string | undefined): number => {
    if (s === undefined || s === '') return 0;
    if (/^['"]./.test(s)) return s.codePointAt(1) ?? 0;
    const t = s.trim();
    const n = /^[-+]?0[xX][0-9a-fA-F]+$/.test(t) ? parseInt(t, 16) : /^[-+]?0[0-7]+$/.test(t) ? parseInt(t, 8) : Number(t);
    if (!Number.isFinite(n)) { badNumber ??= s; return 0; }
    return n;
  };
  const pad = (body: string, flags: string, width: number, numeric: boolean): string => {
    if (body.length >= width) return body;
    if (flags.includes('-')) return body.padEnd(width);
    if (flags.includes('0') && numeric) {
      const sign = /^[-+ ]/.test(body) ? body[0] as string : '';
      const prefix = /^[-+ ]?0[xX]/.test(body) ? body.slice(sign.length, sign.length + 2) : '';
      const digits = body.slice(sign.length + prefix.length);
      return sign + prefix + digits.padStart(width - sign.length - prefix.length, '0');
    }
    return body.padStart(width);
  };
  do {
    const start = argIndex;
    for (let i = 0; i < format.length; i++) {
      const c = format[i] as string;
      if (c === '\\') {
        const m = /^\\(0[0-7]{0,3}|[0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)/s.exec(format.slice(i));
        const seq = m?.[0] ?? '\\';
        const escaped = /^\\[1-7]/.test(seq) ? '\\0' + seq.slice(1) : seq;
        const r = echoEscapes(escaped);
        if (r.stop) return { text: out + r.text, badNumber };
        out += r.text;
        i += seq.length - 1;
        continue;
      }
      if (c !== '%') { out += c; continue; }
      const m = /^%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d*))?([sbcdiuoxXfFeEgG%])/.exec(format.slice(i));
      if (m === null) { out += c; continue; }
      i += m[0].length - 1;
      const flags = m[1] ?? '';
      const conv = m[4] as string;
      if (conv === '%') { out += '%'; continue; }
      const width = m[2] === '*' ? number(next()) : Number(m[2] ?? 0);
      const precText = m[3] === '*' ? String(number(next())) : m[3];
      const precision = precText === undefined ? undefined : Number(precText === '' ? 0 : precText);
      const arg = next();
      let body: string;
      switch (conv) {
        case 's': body = (arg ?? '').slice(0, precision ?? Infinity); break;
        case 'b': { const r = echoEscapes(arg ?? ''); body = r.text.slice(0, precision ?? Infinity); if (r.stop) return { text: out + pad(body, flags, width, false), badNumber }; break; }
        case 'c': body = (arg ?? '').slice(0, 1); break;
        case 'd': case 'i': case 'u': {
          const n = Math.trunc(number(arg));
          body = Math.abs(n).toString();
          if (precision !== undefined) body = body.padStart(precision, '0');
          body = (n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + body;
          break;
        }
        case 'o': case 'x': case 'X': {
          const n = Math.trunc(number(arg));
          const u = n < 0 ? BigInt.asUintN(64, BigInt(n)) : BigInt(n);
          body = u.toString(conv === 'o' ? 8 : 16);
          if (conv === 'X') body = body.toUpperCase();
          if (precision !== undefined) body = body.padStart(precision, '0');
          if (flags.includes('#') && n !== 0) body = (conv === 'o' ? '0' : conv === 'x' ? '0x' : '0X') + body;
          break;
        }
        default: {
          const n = number(arg);
          const p = precision ?? 6;
          if (conv === 'f' || conv === 'F') body = n.toFixed(p);
          else if (conv === 'e' || conv === 'E') body = n.toExponential(p).replace(/e([+-])(\d)$/, 'e$10$2');
          else {
            const g = Number(n.toPrecision(p === 0 ? 1 : p));
            const exp = g === 0 ? 0 : Math.floor(Math.log10(Math.abs(g)));
            body = exp < -4 || exp >= (p === 0 ? 1 : p) ? g.toExponential().replace(/e([+-])(\d)$/, 'e$10$2') : String(g);
          }
          if (conv === 'E' || conv === 'G') body = body.toUpperCase();
          if (n >= 0 && flags.includes('+')) body = '+' + body;
          else if (n >= 0 && flags.includes(' ')) body = ' ' + body;
        }
      }
      out += pad(body, flags, width, !'sbc'.includes(conv));
    }
    if (argIndex === start) break;
  } while (argIndex < args.length);
  return { text: out, badNumber };
}
