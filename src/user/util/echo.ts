// echo's argument handling, shared by /bin/echo and the shell's builtin echo:
// -n (no newline), -e (backslash escapes), -E (no escapes, the default).

/** Interprets \n, \t, \\, \a, \b, \e, \f, \r, \v, \0NNN, \xHH; \c stops all output. */
export function echoEscapes(s: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\' || i + 1 >= s.length) { out += c; continue; }
    const n = s[++i] as string;
    switch (n) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '\\': out += '\\'; break;
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'e': out += '\x1b'; break;
      case 'f': out += '\f'; break;
      case 'r': out += '\r'; break;
      case 'v': out += '\v'; break;
      case 'c': return { text: out, stop: true };
      case '0': {
        const m = /^[0-7]{0,3}/.exec(s.slice(i + 1))?.[0] ?? '';
        out += String.fromCharCode(parseInt(m === '' ? '0' : m, 8) & 0xff);
        i += m.length;
        break;
      }
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1))?.[0];
        if (m === undefined) { out += '\\x'; break; }
        out += String.fromCharCode(parseInt(m, 16));
        i += m.length;
        break;
      }
      default: out += '\\' + n;
    }
  }
  return { text: out, stop: false };
}

/** The text echo prints for its arguments (argv without argv[0]). */
export function echoText(args: readonly string[]): string {
  let newline = true;
  let escapes = false;
  let i = 0;
  // Options are only leading words made entirely of n, e, E (as in GNU echo).
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (!/^-[neE]+$/.test(a)) break;
    for (const c of a.slice(1)) {
      if (c === 'n') newline = false;
      else if (c === 'e') escapes = true;
      else escapes = false;
    }
  }
  const words = args.slice(i);
  if (!escapes) return words.join(' ') + (newline ? '\n' : '');
  let out = '';
  for (let k = 0; k < words.length; k++) {
    const r = echoEscapes(words[k] as string);
    out += (k > 0 ? ' ' : '') + r.text;
    if (r.stop) return out;
  }
  return out + (newline ? '\n' : '');
}
