// tcpdump: captures the frames eth0 receives and sends through an AF_PACKET socket
// (root only, as on Linux) and prints one line per frame in tcpdump's -n format (ARP,
// IPv4 with ICMP, TCP and UDP; anything else by its ethertype), or with -w writes them
// to FILE in libpcap's format, which tcpdump -r, tshark and Wireshark read. -c COUNT
// stops after COUNT frames; otherwise it runs until killed (each record is written as
// it comes, so the file is whole at any moment). Reads only: nothing is sent.
// Operands are a capture filter (pcap-filter's syntax, a subset: util/pcap-filter.ts):
// only the frames it passes are shown, written and counted. It is compiled to classic
// BPF (util/pcap-compile.ts) and attached to the socket (SO_ATTACH_FILTER), so the
// kernel runs it and rejected frames never reach tcpdump, as on Linux; if the kernel
// refuses the program (longer than 4096 instructions) tcpdump filters what it reads
// itself. -d prints the compiled program, as libpcap's tcpdump -d does, and exits.
import * as libc from '../libc/index.js';
import { AF, SOCK, O, MSG, SOL_SOCKET, Errno, SysError } from '../libc/index.js';
import { ETH_P_ALL_BE, PACKET_OUTGOING } from '../../abi/net.js';
import { run, stdout, complain, UsageError } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';
import { parseFilter, filterOf, FilterError, type Filter, type FilterNode } from '../util/pcap-filter.js';
import { compileProgram } from '../util/pcap-compile.js';
import { encodeFilter, disassemble, RET, K, SO_DETACH_FILTER, type SockFilter } from '../../abi/cbpf.js';

const PCAP_MAGIC = 0xa1b2c3d4, LINKTYPE_ETHERNET = 1, SNAPLEN = 65535;

export function main(argv: string[]): number {
  return run('tcpdump', () => {
    const args = parseArgs(argv.slice(1), { flags: 'nqd', options: 'cwi' });
    let tree: FilterNode | undefined;
    try { tree = parseFilter(args.operands.join(' ')); } catch (e) {
      if (e instanceof FilterError) throw new UsageError(`filter: ${e.message}`);
      throw e;
    }
    const program = compileProgram(tree, SNAPLEN);
    if (args.flags.has('d')) { stdout.write(program.map(disassemble).join('\n') + '\n'); return 0; }
    const dev = args.options.get('i') ?? 'eth0';
    if (dev !== 'eth0') throw new UsageError(`${dev}: only eth0 can be captured`);
    const count = args.options.has('c') ? parseCount(args.options.get('c')!, 'count') : Infinity;
    const file = args.options.get('w');
    let sock: number;
    try { sock = libc.socket(AF.PACKET, SOCK.RAW, ETH_P_ALL_BE); } catch (e) {
      if (e instanceof SysError && e.errno === Errno.EPERM) throw new Error(`${dev}: You don't have permission to capture on that device (root only)`);
      if (e instanceof SysError && e.errno === Errno.ENODEV) throw new Error(`${dev}: No such device (the machine has no network device; boot it with --net)`);
      throw e;
    }
    const filter = attach(sock, tree, program);
    const out = file === undefined ? undefined : file === '-' ? 1 : libc.open(file, O.WRONLY | O.CREAT | O.TRUNC, 0o644);
    if (out !== undefined) libc.write(out, pcapHeader());
    else complain('tcpdump', 'listening on eth0, link-type EN10MB (Ethernet), snapshot length 65535 bytes');
    let captured = 0;
    while (captured < count) {
      const { data, from } = libc.recvfrom(sock, SNAPLEN);
      if (data.length === 0) break;
      const ns = libc.clockGettime(0);
      if (filter !== undefined && !filter(data)) continue;
      captured++;
      if (out !== undefined) libc.write(out, pcapRecord(ns, data));
      else stdout.write(`${clock(ns)} ${from.port === PACKET_OUTGOING ? 'Out' : 'In '} ${describe(data)}\n`);
    }
    if (out !== undefined && out !== 1) libc.close(out);
    // Frames the filter passed (all frames, when tcpdump filtered itself) and those the
    // kernel then dropped because this socket's queue was full (we read too slowly).
    const { packets, drops } = libc.packetStats(sock);
    libc.close(sock);
    complain('tcpdump', `${captured} packet${captured === 1 ? '' : 's'} captured`);
    complain('tcpdump', `${packets} packet${packets === 1 ? '' : 's'} received by filter`);
    complain('tcpdump', `${drops} packet${drops === 1 ? '' : 's'} dropped by kernel`);
    return 0;
  });
}

/**
 * Attaches the compiled filter to the socket; undefined when the kernel runs it (or
 * there is none), else the filter tcpdump must run on what it reads itself.
 *
 * NOTE: frames that came between socket() and the filter are in the queue unfiltered.
 * As libpcap does on Linux, a filter that rejects everything goes first, the queue is
 * emptied and its counts reset, and only then the real filter replaces it, so no frame
 * that came after it is thrown away with them.
 */
function attach(sock: number, tree: FilterNode | undefined, program: SockFilter[]): Filter | undefined {
  if (tree === undefined) return undefined;
  try {
    libc.attachFilter(sock, encodeFilter([{ code: RET | K, jt: 0, jf: 0, k: 0 }]));
    while (libc.recv(sock, SNAPLEN, MSG.DONTWAIT).length > 0) { /* a frame from before the filter */ }
  } catch (e) {
    if (!(e instanceof SysError)) throw e; // EAGAIN: the queue is empty
  }
  libc.packetStats(sock);
  try { libc.attachFilter(sock, encodeFilter(program)); return undefined; } catch (e) {
    if (!(e instanceof SysError)) throw e;
    libc.setsockopt(sock, SOL_SOCKET, SO_DETACH_FILTER, 0);
    return filterOf(tree);
  }
}

function pcapHeader(): Uint8Array {
  const h = new Uint8Array(24);
  const v = new DataView(h.buffer);
  v.setUint32(0, PCAP_MAGIC, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, SNAPLEN, true);
  v.setUint32(20, LINKTYPE_ETHERNET, true);
  return h;
}

function pcapRecord(ns: number, frame: Uint8Array): Uint8Array {
  const r = new Uint8Array(16 + frame.length);
  const v = new DataView(r.buffer);
  const us = Math.floor(ns / 1000);
  v.setUint32(0, Math.floor(us / 1e6), true);
  v.setUint32(4, us % 1e6, true);
  v.setUint32(8, frame.length, true);
  v.setUint32(12, frame.length, true);
  r.set(frame, 16);
  return r;
}

/** HH:MM:SS.uuuuuu (UTC) of a CLOCK_REALTIME reading in ns. */
function clock(ns: number): string {
  const us = Math.floor(ns / 1000);
  const d = new Date(Math.floor(us / 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(us % 1e6).padStart(6, '0')}`;
}

const mac = (b: Uint8Array, at: number): string => [...b.subarray(at, at + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
const ip = (b: Uint8Array, at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/**
 * TCP options between `from` and `to` as tcpdump prints them: `, options [mss 1460,nop,
 * wscale 7,nop,nop,sackOK]`, SACK blocks as `sack 2 {a:b}{c:d}` (sequence numbers as on
 * the wire). An option that runs past the header ends the list with `bad opt`.
 */
function tcpOptions(f: Uint8Array, from: number, to: number): string {
  const out: string[] = [];
  for (let i = from; i < to;) {
    const kind = f[i]!;
    if (kind === 0) { out.push('eol'); break; }
    if (kind === 1) { out.push('nop'); i++; continue; }
    const len = i + 1 < to ? f[i + 1]! : 0;
    if (len < 2 || i + len > to) { out.push('bad opt'); break; }
    if (kind === 2 && len === 4) out.push(`mss ${u16(f, i + 2)}`);
    else if (kind === 3 && len === 3) out.push(`wscale ${f[i + 2]!}`);
    else if (kind === 4 && len === 2) out.push('sackOK');
    else if (kind === 5 && (len - 2) % 8 === 0) {
      const blocks: string[] = [];
      for (let at = i + 2; at < i + len; at += 8) blocks.push(`{${u32(f, at)}:${u32(f, at + 4)}}`);
      out.push(`sack ${blocks.length} ${blocks.join('')}`);
    } else if (kind === 8 && len === 10) out.push(`TS val ${u32(f, i + 2)} ecr ${u32(f, i + 6)}`);
    else out.push(`unknown-${kind}`);
    i += len;
  }
  return out.length > 0 ? `, options [${out.join(',')}]` : '';
}

/** One frame in tcpdump -n's words. Never throws: a short frame says so. */
export function describe(f: Uint8Array): string {
  if (f.length < 14) return `truncated frame, length ${f.length}`;
  const type = u16(f, 12);
  if (type === 0x0806) {
    if (f.length < 42) return `ARP, truncated, length ${f.length - 14}`;
    const op = u16(f, 20);
    if (op === 1) return `ARP, Request who-has ${ip(f, 38)} tell ${ip(f, 28)}, length ${f.length - 14}`;
    if (op === 2) return `ARP, Reply ${ip(f, 28)} is-at ${mac(f, 22)}, length ${f.length - 14}`;
    return `ARP, op ${op}, length ${f.length - 14}`;
  }
  if (type !== 0x0800) return `${mac(f, 6)} > ${mac(f, 0)}, ethertype 0x${type.toString(16).padStart(4, '0')}, length ${f.length}`;
  const at = 14;
  if (f.length < at + 20 || f[at]! >> 4 !== 4) return `IP, truncated, length ${f.length - 14}`;
  const ihl = (f[at]! & 0xf) * 4, total = u16(f, at + 2), proto = f[at + 9]!, frag = u16(f, at + 6);
  const src = ip(f, at + 12), dst = ip(f, at + 16), body = at + ihl, payload = Math.max(0, total - ihl);
  if ((frag & 0x1fff) !== 0) return `IP ${src} > ${dst}: ip-proto-${proto}, fragment offset ${(frag & 0x1fff) * 8}, length ${payload}`;
  if (proto === 1 && f.length >= body + 8) {
    const t = f[body]!;
    const name = t === 8 ? 'echo request' : t === 0 ? 'echo reply' : t === 3 ? 'destination unreachable' : t === 11 ? 'time exceeded' : `type ${t}`;
    const echo = t === 8 || t === 0 ? `, id ${u16(f, body + 4)}, seq ${u16(f, body + 6)}` : '';
    return `IP ${src} > ${dst}: ICMP ${name}${echo}, length ${payload}`;
  }
  if (proto === 17 && f.length >= body + 8) return `IP ${src}.${u16(f, body)} > ${dst}.${u16(f, body + 2)}: UDP, length ${Math.max(0, u16(f, body + 4) - 8)}`;
  if (proto === 6 && f.length >= body + 20) {
    const flagsByte = f[body + 13]!, off = (f[body + 12]! >> 4) * 4, len = Math.max(0, payload - off);
    const flags = [[0x02, 'S'], [0x01, 'F'], [0x04, 'R'], [0x08, 'P'], [0x10, '.']].filter(([bit]) => (flagsByte & (bit as number)) !== 0).map(([, c]) => c).join('') || 'none';
    const seq = u32(f, body + 4), ack = u32(f, body + 8);
    const opts = off > 20 ? tcpOptions(f, body + 20, Math.min(body + off, f.length)) : '';
    return `IP ${src}.${u16(f, body)} > ${dst}.${u16(f, body + 2)}: Flags [${flags}]${len > 0 ? `, seq ${seq}:${(seq + len) >>> 0}` : (flagsByte & 0x07) !== 0 ? `, seq ${seq}` : ''}${(flagsByte & 0x10) !== 0 ? `, ack ${ack}` : ''}, win ${u16(f, body + 14)}${opts}, length ${len}`;
  }
  return `IP ${src} > ${dst}: ip-proto-${proto}, length ${payload}`;
}
