// DNS messages (RFC 1035 section 4), the part a stub resolver and a small
// authoritative answerer need: one question, A records, name compression read (never
// written). Used by the guest's resolver (user/util/hosts.ts) and by the DNS server
// of `--net user` at 10.0.2.3 (hosts/node/net/dns.ts). Parsing never throws: a
// message that is not well formed is `undefined`, with nothing read past its end.

export const DNS_PORT = 53;
export const DNS_TYPE = { A: 1, CNAME: 5, AAAA: 28, ANY: 255 } as const;
export const DNS_CLASS_IN = 1;
export const DNS_RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
/** The largest message over UDP without EDNS (RFC 1035 4.2.1). */
export const DNS_UDP_MAX = 512;
const HEADER = 12;
/** Compression pointers a name may follow before it is called a loop. */
const MAX_POINTERS = 16;
const MAX_NAME = 253;

export interface DnsQuestion { name: string; type: number; klass: number }
export interface DnsRecord {
  name: string; type: number; klass: number; ttl: number; data: Uint8Array;
  /** A CNAME's target, read where the record lies (its name may point into the message). */
  alias?: string;
}
export interface DnsMessage {
  id: number;
  response: boolean;
  opcode: number;
  /** Authoritative answer, recursion desired, recursion available, truncated. */
  aa: boolean; rd: boolean; ra: boolean; tc: boolean;
  rcode: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
}

/** A query for `name`'s records of `type`, asking for recursion as stub resolvers do. */
export function buildQuery(id: number, name: string, type: number = DNS_TYPE.A): Uint8Array {
  return buildMessage({ id, response: false, opcode: 0, aa: false, rd: true, ra: false, tc: false, rcode: 0, questions: [{ name, type, klass: DNS_CLASS_IN }], answers: [] });
}

/** The message's bytes. Throws RangeError for a name that cannot be written (a label over 63 bytes, a name over 253). */
export function buildMessage(m: DnsMessage): Uint8Array {
  const parts: number[] = [];
  const u16 = (v: number): void => { parts.push((v >>> 8) & 0xff, v & 0xff); };
  u16(m.id);
  u16((m.response ? 0x8000 : 0) | ((m.opcode & 0xf) << 11) | (m.aa ? 0x400 : 0) | (m.tc ? 0x200 : 0) | (m.rd ? 0x100 : 0) | (m.ra ? 0x80 : 0) | (m.rcode & 0xf));
  u16(m.questions.length); u16(m.answers.length); u16(0); u16(0);
  for (const q of m.questions) { putName(parts, q.name); u16(q.type); u16(q.klass); }
  for (const r of m.answers) {
    putName(parts, r.name); u16(r.type); u16(r.klass);
    u16(Math.floor(r.ttl / 65536)); u16(r.ttl & 0xffff);
    u16(r.data.length);
    for (const b of r.data) parts.push(b);
  }
  return Uint8Array.from(parts);
}

function putName(out: number[], name: string): void {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  let total = 0;
  for (const label of labels) {
    if (!/^[\x21-\x7e]+$/.test(label)) throw new RangeError(`DNS label not printable ASCII: ${label}`);
    const bytes = Array.from(label, (c) => c.charCodeAt(0));
    if (bytes.length > 63) throw new RangeError(`DNS label over 63 bytes: ${label}`);
    total += bytes.length + 1;
    out.push(bytes.length, ...bytes);
  }
  if (total > MAX_NAME) throw new RangeError(`DNS name over ${MAX_NAME} bytes: ${name}`);
  out.push(0);
}

/** The message in `b`, or undefined if it is not well formed. */
export function parseMessage(b: Uint8Array): DnsMessage | undefined {
  if (b.length < HEADER) return undefined;
  const u16 = (at: number): number => (b[at]! << 8) | b[at + 1]!;
  const flags = u16(2);
  const m: DnsMessage = {
    id: u16(0), response: (flags & 0x8000) !== 0, opcode: (flags >>> 11) & 0xf,
    aa: (flags & 0x400) !== 0, tc: (flags & 0x200) !== 0, rd: (flags & 0x100) !== 0, ra: (flags & 0x80) !== 0,
    rcode: flags & 0xf, questions: [], answers: [],
  };
  const qd = u16(4), an = u16(6);
  let at = HEADER;
  for (let i = 0; i < qd; i++) {
    const n = readName(b, at);
    if (n === undefined || n.next + 4 > b.length) return undefined;
    m.questions.push({ name: n.name, type: u16(n.next), klass: u16(n.next + 2) });
    at = n.next + 4;
  }
  for (let i = 0; i < an; i++) {
    const n = readName(b, at);
    if (n === undefined || n.next + 10 > b.length) return undefined;
    const length = u16(n.next + 8);
    if (n.next + 10 + length > b.length) return undefined;
    const r: DnsRecord = {
      name: n.name, type: u16(n.next), klass: u16(n.next + 2),
      ttl: u16(n.next + 4) * 65536 + u16(n.next + 6), data: b.slice(n.next + 10, n.next + 10 + length),
    };
    if (r.type === DNS_TYPE.CNAME) r.alias = readName(b.subarray(0, n.next + 10 + length), n.next + 10)?.name;
    m.answers.push(r);
    at = n.next + 10 + length;
  }
  return m;
}

/** The name at `at` (following compression pointers) and where the field after it starts. */
export function readName(b: Uint8Array, at: number): { name: string; next: number } | undefined {
  const labels: string[] = [];
  let next = -1, pointers = 0, length = 0;
  for (;;) {
    if (at >= b.length) return undefined;
    const len = b[at]!;
    if (len === 0) { if (next < 0) next = at + 1; break; }
    if ((len & 0xc0) === 0xc0) {
      if (at + 1 >= b.length || ++pointers > MAX_POINTERS) return undefined;
      if (next < 0) next = at + 2;
      at = ((len & 0x3f) << 8) | b[at + 1]!;
      continue;
    }
    if ((len & 0xc0) !== 0 || at + 1 + len > b.length) return undefined;
    length += len + 1;
    if (length > MAX_NAME) return undefined;
    labels.push(String.fromCharCode(...b.subarray(at + 1, at + 1 + len)));
    at += 1 + len;
  }
  return { name: labels.join('.'), next };
}

/** Names compare without regard to ASCII case (RFC 4343) or a trailing dot. */
export const sameName = (a: string, b: string): boolean => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
