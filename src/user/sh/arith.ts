// Arithmetic expansion $(( )): integer expressions as in POSIX sh, evaluated by
// precedence climbing. Names are variables (unset or empty = 0); $-expansions have
// already been replaced by the caller. Pure.

/** A bad expression: division by zero, a stray token, a non-number variable. */
export class ArithmeticError extends Error {
  constructor(message: string) { super(message); this.name = 'ArithmeticError'; }
}

const BINARY: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6,
  '<': 7, '<=': 7, '>': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10, '**': 11,
};

function tokenize(src: string): string[] {
  const out: string[] = [];
  const re = /\s*(0[xX][0-9a-fA-F]+|\d+|[A-Za-z_][A-Za-z0-9_]*|\*\*|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%()<>!~&|^])/y;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (m === null) throw new ArithmeticError(`syntax error in expression (error token is "${src.slice(pos).trim()}")`);
    out.push(m[1] as string);
    pos = re.lastIndex;
  }
  return out;
}

/** Evaluates an arithmetic expression; `getVar` reads variables. */
export function evaluateArithmetic(src: string, getVar: (name: string) => string | undefined): number {
  const tokens = tokenize(src);
  let i = 0;
  const value = (name: string): number => {
    const v = (getVar(name) ?? '').trim();
    if (v === '') return 0;
    if (!/^-?\d+$/.test(v)) throw new ArithmeticError(`${name}: value is not an integer: '${v}'`);
    return Number(v);
  };
  const primary = (): number => {
    const t = tokens[i++];
    if (t === undefined) throw new ArithmeticError('syntax error: operand expected');
    if (t === '(') {
      const v = expression(1);
      if (tokens[i++] !== ')') throw new ArithmeticError("syntax error: ')' expected");
      return v;
    }
    if (t === '-') return -primary();
    if (t === '+') return primary();
    if (t === '!') return primary() === 0 ? 1 : 0;
    if (t === '~') return ~primary();
    if (/^0[xX]/.test(t)) return parseInt(t, 16);
    if (/^\d/.test(t)) return t.length > 1 && t.startsWith('0') ? parseInt(t, 8) : Number(t);
    if (/^[A-Za-z_]/.test(t)) return value(t);
    throw new ArithmeticError(`syntax error: operand expected (error token is "${t}")`);
  };
  const apply = (op: string, a: number, b: number): number => {
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/': if (b === 0) throw new ArithmeticError('division by 0'); return Math.trunc(a / b);
      case '%': if (b === 0) throw new ArithmeticError('division by 0'); return a % b;
      case '**': if (b < 0) throw new ArithmeticError('exponent less than 0'); return Math.trunc(a ** b);
      case '<<': return a << b;
      case '>>': return a >> b;
      case '<': return a < b ? 1 : 0;
      case '<=': return a <= b ? 1 : 0;
      case '>': return a > b ? 1 : 0;
      case '>=': return a >= b ? 1 : 0;
      case '==': return a === b ? 1 : 0;
      case '!=': return a !== b ? 1 : 0;
      case '&': return a & b;
      case '^': return a ^ b;
      case '|': return a | b;
      case '&&': return a !== 0 && b !== 0 ? 1 : 0;
      default: return a !== 0 || b !== 0 ? 1 : 0;
    }
  };
  const expression = (minPrec: number): number => {
    let left = primary();
    for (;;) {
      const op = tokens[i];
      const prec = op === undefined ? undefined : BINARY[op];
      if (prec === undefined || prec < minPrec) return left;
      i++;
      // '**' groups to the right, everything else to the left.
      const right = expression(op === '**' ? prec : prec + 1);
      left = apply(op as string, left, right);
    }
  };
  if (tokens.length === 0) return 0;
  const v = expression(1);
  if (i < tokens.length) throw new ArithmeticError(`syntax error in expression (error token is "${tokens[i]}")`);
  return v;
}
