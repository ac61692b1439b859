// Name resolution, as a stub resolver does it: a dotted quad stands for itself; a name
// is looked up in /etc/hosts (first match; "localhost" is 127.0.0.1 even without the
// file), then asked of each nameserver in /etc/resolv.conf over UDP (the image names
// 10.0.2.3, the DNS server of `--net user`). A nameserver that does not answer is
// asked again once after ATTEMPT_MS and then given up, so an unknown name costs at most
// a few seconds on a network with no DNS server.
import * as libc from '../libc/index.js';
import { close, parseIpv4, SysError, Errno, AF, SOCK, POLL, CLOCK, inet } from '../libc/index.js';
import { DNS_PORT, DNS_RCODE, DNS_TYPE, DNS_UDP_MAX, buildQuery, parseMessage, sameName, type DnsRecord } from '../../lib/dns.js';

const ATTEMPT_MS = 1000;
const ATTEMPTS = 2;
/** Nameservers asked, at most (glibc's MAXNS). */
const MAX_NAMESERVERS = 3;

const nowMs = (): number => libc.clockGettime(CLOCK.MONOTONIC) / 1e6;

/** The IPv4 address `name` stands for; SysError(ENOENT) when neither /etc/hosts nor a nameserver knows it. */
export function resolveHost(name: string): string {
  if (parseIpv4(name) !== undefined) return name;
  for (const line of readText('/etc/hosts').split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    if (fields.length >= 2 && parseIpv4(fields[0]!) !== undefined && fields.slice(1).includes(name)) return fields[0]!;
  }
  if (name === 'localhost') return '127.0.0.1';
  const found = askNameservers(name);
  if (found !== undefined) return found;
  throw new SysError(Errno.ENOENT, 'resolve', `${name}: unknown host`);
}

/** The nameservers /etc/resolv.conf names (`nameserver ADDR` lines, IPv4 only). */
export function nameservers(): string[] {
  const out: string[] = [];
  for (const line of readText('/etc/resolv.conf').split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m !== null && parseIpv4(m[1]!) !== undefined && out.length < MAX_NAMESERVERS) out.push(m[1]!);
  }
  return out;
}

/** What the nameservers say of `name`'s address: the first A record, or undefined. */
function askNameservers(name: string): string | undefined {
  for (const server of nameservers()) {
    const answer = queryNameserver(server, name);
    if (answer.kind === 'address') return answer.address;
    if (answer.kind !== 'unanswered') return undefined; // an answer: asking on would not change it
  }
  return undefined;
}

/** A nameserver's answer: an address, no such name (NXDOMAIN), no address for it, another error code, or none. */
export type DnsAnswer =
  | { kind: 'address'; address: string } | { kind: 'no such name' } | { kind: 'no address' }
  | { kind: 'error'; rcode: number } | { kind: 'unanswered' };

// One nameserver, ATTEMPTS tries. A connected socket: only the server's datagrams
// arrive, and an ICMP "port unreachable" ends the wait at once (ECONNREFUSED).
/** Asks `server` (an IPv4 address) for `name`'s A record. */
export function queryNameserver(server: string, name: string): DnsAnswer {
  if (!/^[\x21-\x7e]+$/.test(name) || name.length > 253 || name.split('.').some((l) => l.length > 63)) return { kind: 'no such name' };
  let fd: number;
  try { fd = libc.socket(AF.INET, SOCK.DGRAM); } catch { return { kind: 'unanswered' }; }
  try {
    libc.connect(fd, inet(server, DNS_PORT));
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const r = libc.getrandom(2);
      const id = (r[0]! << 8) | r[1]!;
      libc.send(fd, buildQuery(id, name, DNS_TYPE.A));
      const deadline = nowMs() + ATTEMPT_MS;
      for (let left = ATTEMPT_MS; left > 0; left = deadline - nowMs()) {
        const fds = [{ fd, events: POLL.IN, revents: 0 }];
        if (libc.poll(fds, Math.ceil(left)) === 0) break;
        const m = parseMessage(libc.recv(fd, DNS_UDP_MAX));
        // Not the answer to this question (a late answer to the last try, a stray): wait on.
        if (m === undefined || !m.response || m.id !== id || m.questions.length !== 1 || !sameName(m.questions[0]!.name, name)) continue;
        if (m.rcode === DNS_RCODE.NXDOMAIN) return { kind: 'no such name' };
        if (m.rcode !== DNS_RCODE.NOERROR) return { kind: 'error', rcode: m.rcode };
        const address = firstAddress(m.answers, name);
        return address === undefined ? { kind: 'no address' } : { kind: 'address', address };
      }
    }
    return { kind: 'unanswered' };
  } catch {
    return { kind: 'unanswered' }; // no route, refused: this server cannot answer
  } finally {
    close(fd);
  }
}

// The A record for `name`, following CNAMEs within the answer (at most a few).
function firstAddress(answers: readonly DnsRecord[], name: string): string | undefined {
  let target = name;
  for (let hops = 0; hops < 8; hops++) {
    const a = answers.find((r) => r.type === DNS_TYPE.A && r.data.length === 4 && sameName(r.name, target));
    if (a !== undefined) return Array.from(a.data).join('.');
    const alias = answers.find((r) => r.type === DNS_TYPE.CNAME && r.alias !== undefined && sameName(r.name, target));
    if (alias === undefined) return undefined;
    target = alias.alias!;
  }
  return undefined;
}

/** A configuration file's text; empty when it cannot be read. */
function readText(path: string): string {
  try { return new TextDecoder().decode(libc.readFile(path)); } catch { return ''; }
}
