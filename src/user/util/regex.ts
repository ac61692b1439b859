// POSIX regular expressions (basic, BRE, and extended, ERE, with the GNU extensions
// \+ \? \| \< \> \w \s) translated to JavaScript RegExp source, for grep and sed.
// Bracket expressions keep their POSIX meaning: a backslash inside is literal,
// ']' first is a member, and [:class:] names the C locale's classes.

const classes: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: '0-9A-Za-z', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v', blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~', print: ' -~', graph: '!-~', cntrl: '\\x00-\\x1f\\x7f', xdigit: '0-9A-Fa-f',
};

const escapeChar = (c: string): string => (/[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c);

/** Escapes every character of `s` that RegExp would treat as special. */
export const escapeRegExp = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

// A bracket expression starting at re[i] === '[': its JS form and the index after it.
function bracket(re: string, i: number): [string, number] {
  let j = i + 1;
  let out = '[';
  if (re[j] === '^') { out += '^'; j++; }
  let first = true;
  for (; j < re.length; j++) {
    const c = re[j] as string;
    if (c === ']' && !first) return [out + ']', j + 1];
    first = false;
    const named = /^\[([:.=])([a-z]+|.)\1\]/.exec(re.slice(j));
    if (named !== null) {
      const name = named[2] as string;
      if (named[1] === ':') {
        const members = classes[name];
        if (members === undefined) throw new Error(`invalid character class '${name}'`);
        out += members;
      } else {
        out += escapeChar(name);
      }
      j += named[0].length - 1;
      continue;
    }
    out += c === '-' ? '-' : escapeChar(c);
  }
  throw new Error('unterminated [');
}

/** The JS source for a POSIX regular expression (`extended`: ERE, else BRE). */
export function posixToJs(re: string, extended: boolean): string {
  let out = '';
  // Where an expression (or a group, or an alternative) starts: '*' is literal there in a BRE.
  let atStart = true;
  for (let i = 0; i < re.length; i++) {
    const c = re[i] as string;
    const wasStart = atStart;
    atStart = false;
    if (c === '[') {
      const [text, next] = bracket(re, i);
      out += text;
      i = next - 1;
      continue;
    }
    if (c === '\\' && i + 1 < re.length) {
      const n = re[++i] as string;
      if (!extended && '(|'.includes(n)) { out += n; atStart = true; continue; }
      if (!extended && '){}+?'.includes(n)) { out += n; continue; }
      if (n === '<' || n === '>') { out += '\\b'; continue; }
      if (n === 'n') { out += '\\n'; continue; }
      if (n === 't') { out += '\\t'; continue; }
      if (/[1-9wWsSbB]/.test(n)) { out += `\\${n}`; continue; }
      out += escapeChar(n);
      continue;
    }
    if (extended) {
      if (c === '(' || c === '|') atStart = true;
      if (c === '^') atStart = true;
      if (c === '*' && wasStart) { out += '\\*'; continue; }
      if (c === '{' && !/^\{\d+(,\d*)?\}/.test(re.slice(i))) { out += '\\{'; continue; }
      out += c;
      continue;
    }
    if (c === '*' && wasStart) { out += '\\*'; continue; }
    if (c === '^') {
      if (wasStart) { out += '^'; atStart = true; } else out += '\\^';
      continue;
    }
    if (c === '$') {
      const rest = re.slice(i + 1);
      out += rest === '' || rest.startsWith('\\)') || rest.startsWith('\\|') ? '$' : '\\$';
      continue;
    }
    if ('(){}|+?'.includes(c)) { out += `\\${c}`; continue; }
    out += c;
  }
  return out;
}
