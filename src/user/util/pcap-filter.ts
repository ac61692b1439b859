// Capture filter expressions for tcpdump: a subset of pcap-filter(7), with its syntax
// and its precedence, evaluated on each captured Ethernet frame.
//
//   primitives   ip|arp|tcp|udp|icmp          the frame's protocol
//                [src|dst] host ADDR           IPv4 source/destination (or either);
//                                              for ARP, the sender/target address
//                [src|dst] net ADDR/LEN        the same, by prefix (ADDR mask M too)
//                [src|dst] port N              TCP or UDP port (first fragments only)
//                [src|dst] portrange N-M
//                less N, greater N             frame length <= N, >= N
//   operators    not|!  and|&&  or||  ( )      not binds tightest; and and or have
//                                              equal precedence and group left to right,
//                                              as pcap-filter says ("a or b and c" is
//                                              "(a or b) and c")
//   shorthands   `src ADDR` is `src host ADDR`; a primitive without its keyword takes
//                the last one given (`port 80 or 443`, `host a or b`), as tcpdump does.
//
// `parseFilter` gives the expression's tree; pcap-compile.ts compiles it to a classic
// BPF program, which tcpdump attaches to its capture socket so that the kernel runs it
// and frames it rejects never reach tcpdump, as on Linux. `compileFilter` evaluates the
// same tree in tcpdump, for when the kernel refuses the program (longer than 4096
// instructions).

export type Filter = (frame: Uint8Array) => boolean;

export class FilterError extends Error {}

export type Dir = 'src' | 'dst' | 'either';
type Kind = 'host' | 'net' | 'port' | 'portrange';

interface Header { ethertype: number; ipSrc?: number; ipDst?: number; proto?: number; srcPort?: number; dstPort?: number }

const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** What a filter looks at, from a frame; fields a short frame does not hold are left out. */
function header(f: Uint8Array): Header | undefined {
  if (f.length < 14) return undefined;
  const ethertype = u16(f, 12);
  if (ethertype === 0x0806) return f.length >= 42 ? { ethertype, ipSrc: u32(f, 28), ipDst: u32(f, 38) } : { ethertype };
  if (ethertype !== 0x0800 || f.length < 34 || f[14]! >> 4 !== 4) return { ethertype };
  const ihl = (f[14]! & 0xf) * 4, proto = f[23]!, body = 14 + ihl;
  const h: Header = { ethertype, ipSrc: u32(f, 26), ipDst: u32(f, 30), proto };
  // Ports are in the first fragment only (pcap-filter's port tests the same).
  if ((proto === 6 || proto === 17) && (u16(f, 20) & 0x1fff) === 0 && f.length >= body + 4) { h.srcPort = u16(f, body); h.dstPort = u16(f, body + 2); }
  return h;
}

function parseAddr(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new FilterError(`'${text}' is not an IPv4 address`);
  return parts.reduce((a, p) => ((a << 8) | Number(p)) >>> 0, 0);
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new FilterError(`'${text}' is not a port number`);
  return Number(text);
}

const maskOf = (len: number): number => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

/** Splits an expression (the operands of tcpdump, joined by spaces) into tokens. */
function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /\s*(\(|\)|&&|\|\||!|[^\s()!&|]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(text)) !== null) { out.push(m[1]!); at = re.lastIndex; }
  if (text.slice(at).trim().length > 0) throw new FilterError(`cannot read '${text.slice(at).trim()}'`);
  return out;
}

const PROTOCOLS: Record<string, (h: Header) => boolean> = {
  ip: (h) => h.ethertype === 0x0800,
  arp: (h) => h.ethertype === 0x0806,
  tcp: (h) => h.ethertype === 0x0800 && h.proto === 6,
  udp: (h) => h.ethertype === 0x0800 && h.proto === 17,
  icmp: (h) => h.ethertype === 0x0800 && h.proto === 1,
};

/**
 * A parsed expression. `host` is `net` with a full mask and `port` is `portrange`
 * with one port, so each test has one shape for both evaluators: `compileFilter`
 * below and the BPF compiler (pcap-compile.ts).
 */
export type FilterNode =
  | { op: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { op: 'not'; inner: FilterNode }
  | { op: 'proto'; name: Protocol }
  | { op: 'less' | 'greater'; length: number }
  | { op: 'net'; dir: Dir; base: number; mask: number }
  | { op: 'ports'; dir: Dir; low: number; high: number };

export type Protocol = 'ip' | 'arp' | 'tcp' | 'udp' | 'icmp';

/** The tree of an expression, or undefined for an empty one; throws FilterError saying what is wrong. */
export function parseFilter(expression: string): FilterNode | undefined {
  const tokens = tokenize(expression);
  if (tokens.length === 0) return undefined;
  let at = 0;
  // The last qualifiers given, for a bare address or number after and/or (`port 53 or 80`).
  let last: { dir: Dir; kind: Kind } | undefined;
  const peek = (): string | undefined => tokens[at];
  const take = (what: string): string => {
    const t = tokens[at++];
    if (t === undefined) throw new FilterError(`${what} expected at the end of the expression`);
    return t;
  };

  const value = (dir: Dir, kind: Kind): FilterNode => {
    last = { dir, kind };
    const text = take(kind === 'host' ? 'an address' : kind === 'net' ? 'a network' : kind === 'port' ? 'a port' : 'a port range');
    if (kind === 'host') return { op: 'net', dir, base: parseAddr(text), mask: 0xffffffff };
    if (kind === 'net') {
      let base: number, mask: number;
      if (text.includes('/')) {
        const [a, l] = text.split('/');
        if (!/^\d{1,2}$/.test(l!) || Number(l) > 32) throw new FilterError(`'${text}': the prefix length must be 0-32`);
        base = parseAddr(a!); mask = maskOf(Number(l));
      } else if (peek() === 'mask') {
        at++;
        base = parseAddr(text); mask = parseAddr(take('a mask'));
      } else { base = parseAddr(text); mask = 0xffffffff; }
      if (((base & ~mask) >>> 0) !== 0) throw new FilterError(`'${text}': non-network bits set in the address`);
      return { op: 'net', dir, base, mask };
    }
    if (kind === 'port') { const port = parsePort(text); return { op: 'ports', dir, low: port, high: port }; }
    const m = /^(\d+)-(\d+)$/.exec(text);
    if (m === null) throw new FilterError(`'${text}' is not a port range (N-M)`);
    const lo = parsePort(m[1]!), hi = parsePort(m[2]!);
    return { op: 'ports', dir, low: Math.min(lo, hi), high: Math.max(lo, hi) };
  };

  const primitive = (): FilterNode => {
    const t = take('a primitive');
    if (t === '(') {
      const inner = alternation();
      if (take("')'") !== ')') throw new FilterError("')' expected");
      return inner;
    }
    if (t === 'not' || t === '!') return { op: 'not', inner: primitive() };
    if (Object.hasOwn(PROTOCOLS, t)) {
      // `tcp port 80`, `udp src port 53`: the protocol narrows the primitive after it.
      const proto: FilterNode = { op: 'proto', name: t as Protocol };
      const next = peek();
      if (next === 'src' || next === 'dst' || next === 'host' || next === 'net' || next === 'port' || next === 'portrange') return { op: 'and', left: proto, right: primitive() };
      return proto;
    }
    if (t === 'less' || t === 'greater') {
      const text = take('a length');
      if (!/^\d+$/.test(text)) throw new FilterError(`'${text}' is not a length`);
      return { op: t, length: Number(text) };
    }
    let dir: Dir = 'either';
    let word = t;
    if (word === 'src' || word === 'dst') {
      dir = word;
      const next = peek();
      if (next === 'host' || next === 'net' || next === 'port' || next === 'portrange') word = take('a qualifier');
      else return value(dir, 'host');
    }
    if (word === 'host' || word === 'net' || word === 'port' || word === 'portrange') return value(dir, word);
    // A bare value: the qualifiers of the primitive before it.
    if (last !== undefined && /^[\d.]+(\/\d+)?$|^\d+-\d+$/.test(word)) { at--; return value(last.dir, last.kind); }
    throw new FilterError(`'${word}' is not a primitive this tcpdump knows (ip, arp, tcp, udp, icmp, host, net, port, portrange, src, dst, less, greater)`);
  };

  // and and or: equal precedence, left to right.
  const alternation = (): FilterNode => {
    let left = primitive();
    for (;;) {
      const op = peek();
      if (op === 'and' || op === '&&') { at++; left = { op: 'and', left, right: primitive() }; }
      else if (op === 'or' || op === '||') { at++; left = { op: 'or', left, right: primitive() }; }
      else return left;
    }
  };

  const tree = alternation();
  if (at < tokens.length) throw new FilterError(`unexpected '${tokens[at]}'`);
  return tree;
}

/** Whether `node` holds for a frame's header `h` and length `length`. */
function holds(node: FilterNode, h: Header, length: number): boolean {
  const pick = (s: number | undefined, d: number | undefined, dir: Dir, f: (v: number | undefined) => boolean): boolean =>
    (dir === 'src' ? f(s) : dir === 'dst' ? f(d) : f(s) || f(d));
  switch (node.op) {
    case 'and': return holds(node.left, h, length) && holds(node.right, h, length);
    case 'or': return holds(node.left, h, length) || holds(node.right, h, length);
    case 'not': return !holds(node.inner, h, length);
    case 'proto': return PROTOCOLS[node.name]!(h);
    case 'less': return length <= node.length;
    case 'greater': return length >= node.length;
    case 'net': return pick(h.ipSrc, h.ipDst, node.dir, (v) => v !== undefined && ((v & node.mask) >>> 0) === node.base);
    case 'ports': return pick(h.srcPort, h.dstPort, node.dir, (v) => v !== undefined && v >= node.low && v <= node.high);
  }
}

/**
 * A capture filter from an expression, run in tcpdump on each frame it reads (when
 * the kernel could not take the compiled program); throws FilterError saying what is
 * wrong. An empty expression passes everything.
 */
export function compileFilter(expression: string): Filter {
  return filterOf(parseFilter(expression));
}

/** The capture filter of an expression's tree (undefined: pass everything). */
export function filterOf(tree: FilterNode | undefined): Filter {
  if (tree === undefined) return () => true;
  return (frame) => {
    const h = header(frame);
    return h !== undefined && holds(tree, h, frame.length);
  };
}
