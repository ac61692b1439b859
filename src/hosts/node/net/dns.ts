// The DNS server of `--net user` at 10.0.2.3 (QEMU's slirp has one there too). It
// answers only from a table made at start — the host's /etc/hosts and the host's
// name — and asks nobody else: no query leaves this process, which keeps the rule that
// the guest reaches nothing but the host's loopback. An address on the host's loopback
// (127.0.0.0/8) is answered as the gateway 10.0.2.2, the guest's way to it; the names
// of the loopback itself ("localhost") are left to the guest's own /etc/hosts.

import { parseAddress } from '../../../services/net/stack/address.js';
import { DNS_CLASS_IN, DNS_RCODE, DNS_TYPE, DNS_UDP_MAX, buildMessage, parseMessage, type DnsQuestion, type DnsRecord } from '../../../lib/dns.js';

/** Seconds a guest may keep an answer: short, the table is the host's and may change between boots. */
const TTL = 60;

/** name (lower case) -> its IPv4 addresses, in the file's order. */
export type DnsTable = ReadonlyMap<string, readonly string[]>;

/** The table for `hostsText` (an /etc/hosts) and the host's name, loopback addresses as `gateway`. */
export function hostsTable(hostsText: string, hostname: string, gateway: string): DnsTable {
  const table = new Map<string, string[]>();
  const add = (name: string, addr: string): void => {
    const key = name.toLowerCase().replace(/\.$/, '');
    if (key === '' || key === 'localhost' || key.endsWith('.localhost') || key === 'localhost.localdomain') return;
    const list = table.get(key) ?? [];
    if (!list.includes(addr)) list.push(addr);
    table.set(key, list);
  };
  for (const line of hostsText.split('\n')) {
    const [addr, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (addr === undefined || parseAddress(addr) === undefined) continue;
    for (const name of names) add(name, addr.startsWith('127.') ? gateway : addr);
  }
  if (!table.has(hostname.toLowerCase())) add(hostname, gateway);
  return table;
}

/**
 * The answer to the datagram `query`, or undefined when it gets none (not a DNS query
 * at all, or a response: answering those could make two servers talk forever).
 */
export function answerQuery(query: Uint8Array, table: DnsTable): Uint8Array | undefined {
  if (query.length < 12 || (query[2]! & 0x80) !== 0) return undefined;
  const m = parseMessage(query);
  const message = (rcode: number, questions: DnsQuestion[], answers: DnsRecord[]): Uint8Array => buildMessage({
    id: (query[0]! << 8) | query[1]!, response: true, opcode: (query[2]! >>> 3) & 0xf, aa: true, tc: false,
    rd: (query[2]! & 1) !== 0, ra: false, rcode, questions, answers,
  });
  // The question is repeated in the answer; one whose name cannot be written back (a
  // label of bytes that are not printable ASCII) is refused without it.
  const reply = (rcode: number, answers: DnsRecord[] = []): Uint8Array => {
    try { return message(rcode, m?.questions.length === 1 ? m.questions : [], answers); } catch { return message(DNS_RCODE.FORMERR, [], []); }
  };
  if (m === undefined) return reply(DNS_RCODE.FORMERR);
  if (m.opcode !== 0) return reply(DNS_RCODE.NOTIMP);
  if (m.questions.length !== 1) return reply(DNS_RCODE.FORMERR);
  const q = m.questions[0]!;
  if (q.klass !== DNS_CLASS_IN) return reply(DNS_RCODE.REFUSED);
  const addrs = table.get(q.name.toLowerCase());
  if (addrs === undefined) return reply(DNS_RCODE.NXDOMAIN);
  // A name we know has only A records: any other type is "no data" (NOERROR, no answers).
  if (q.type !== DNS_TYPE.A && q.type !== DNS_TYPE.ANY) return reply(DNS_RCODE.NOERROR);
  const answers = addrs.map((a) => ({ name: q.name, type: DNS_TYPE.A, klass: DNS_CLASS_IN, ttl: TTL, data: Uint8Array.from(a.split('.').map(Number)) }));
  // Whole answers within 512 bytes (no truncation flag needed for what fits).
  let out = reply(DNS_RCODE.NOERROR, answers);
  while (out.length > DNS_UDP_MAX && answers.length > 1) { answers.pop(); out = reply(DNS_RCODE.NOERROR, answers); }
  return out;
}
