// tcpdump's filter compiler: an expression's tree (pcap-filter.ts) to a classic BPF
// program (abi/cbpf.ts), which tcpdump attaches to its capture socket. The code is
// the shape libpcap emits, unoptimized: each test loads what it looks at and jumps to
// the program's accept (ret #snaplen) or reject (ret #0) or on to the next test;
// `and`, `or` and `not` only rewire those targets, so each primitive is emitted once
// and every jump goes forward.
//
// A conditional jump reaches at most 255 instructions (its jt and jf are u8). Where a
// target is farther, that jump becomes `jxx k, 0, 1; ja T; ja F` (ja's offset is 32
// bits); `layout` finds those by growing jumps until none is too short.

import {
  LD, LDX, JMP, RET, W, H, B, ABS, IND, LEN, MSH, ALU, AND, JA, JEQ, JGT, JGE, JSET, K,
  type SockFilter,
} from '../../abi/cbpf.js';
import type { Dir, FilterNode, Protocol } from './pcap-filter.js';

type Label = number;
type Item =
  | { kind: 'op'; code: number; k: number }
  | { kind: 'jump'; code: number; k: number; jt: Label; jf: Label }
  | { kind: 'label'; label: Label };

const ETHERTYPE_IP = 0x800, ETHERTYPE_ARP = 0x806;
const IP_PROTOCOL: Record<Exclude<Protocol, 'ip' | 'arp'>, number> = { icmp: 1, tcp: 6, udp: 17 };
// Offsets in an Ethernet frame: the ethertype; IPv4's flags and fragment offset,
// protocol, addresses; ARP's sender and target protocol addresses.
const AT_TYPE = 12, AT_IP = 14, AT_FRAGMENT = 20, AT_PROTOCOL = 23, AT_IP_SRC = 26, AT_IP_DST = 30, AT_ARP_SRC = 28, AT_ARP_DST = 38;

class Emitter {
  readonly items: Item[] = [];
  private labels = 0;

  label(): Label { return this.labels++; }
  place(label: Label): void { this.items.push({ kind: 'label', label }); }
  op(code: number, k: number): void { this.items.push({ kind: 'op', code, k: k >>> 0 }); }
  jump(code: number, k: number, jt: Label, jf: Label): void { this.items.push({ kind: 'jump', code, k: k >>> 0, jt, jf }); }
}

/** Code for `node` that goes to `yes` when it holds and to `no` when not. */
function emit(e: Emitter, node: FilterNode, yes: Label, no: Label): void {
  switch (node.op) {
    case 'and': { const right = e.label(); emit(e, node.left, right, no); e.place(right); emit(e, node.right, yes, no); return; }
    case 'or': { const right = e.label(); emit(e, node.left, yes, right); e.place(right); emit(e, node.right, yes, no); return; }
    case 'not': emit(e, node.inner, no, yes); return;
    case 'less': e.op(LD | W | LEN, 0); e.jump(JMP | JGT | K, node.length, no, yes); return;
    case 'greater': e.op(LD | W | LEN, 0); e.jump(JMP | JGE | K, node.length, yes, no); return;
    case 'proto': emitProtocol(e, node.name, yes, no); return;
    case 'net': emitNet(e, node.dir, node.base, node.mask, yes, no); return;
    case 'ports': emitPorts(e, node.dir, node.low, node.high, yes, no); return;
  }
}

function emitProtocol(e: Emitter, name: Protocol, yes: Label, no: Label): void {
  e.op(LD | H | ABS, AT_TYPE);
  if (name === 'ip' || name === 'arp') { e.jump(JMP | JEQ | K, name === 'ip' ? ETHERTYPE_IP : ETHERTYPE_ARP, yes, no); return; }
  const ip = e.label();
  e.jump(JMP | JEQ | K, ETHERTYPE_IP, ip, no);
  e.place(ip);
  e.op(LD | B | ABS, AT_PROTOCOL);
  e.jump(JMP | JEQ | K, IP_PROTOCOL[name], yes, no);
}

/** `dir` of the words at `src` and `dst`, masked, equal to `base`. */
function emitAddress(e: Emitter, dir: Dir, src: number, dst: number, base: number, mask: number, yes: Label, no: Label): void {
  const one = (at: number, otherwise: Label): void => {
    e.op(LD | W | ABS, at);
    if (mask !== 0xffffffff) e.op(ALU | AND | K, mask);
    e.jump(JMP | JEQ | K, base, yes, otherwise);
  };
  if (dir === 'dst') { one(dst, no); return; }
  if (dir === 'src') { one(src, no); return; }
  const second = e.label();
  one(src, second);
  e.place(second);
  one(dst, no);
}

/** IPv4 addresses, or ARP's sender and target addresses, as pcap-filter's `host` and `net`. */
function emitNet(e: Emitter, dir: Dir, base: number, mask: number, yes: Label, no: Label): void {
  const ip = e.label(), arp = e.label(), arpAddress = e.label();
  e.op(LD | H | ABS, AT_TYPE);
  e.jump(JMP | JEQ | K, ETHERTYPE_IP, ip, arp);
  e.place(ip);
  emitAddress(e, dir, AT_IP_SRC, AT_IP_DST, base, mask, yes, no);
  e.place(arp);
  // A still holds the ethertype.
  e.jump(JMP | JEQ | K, ETHERTYPE_ARP, arpAddress, no);
  e.place(arpAddress);
  emitAddress(e, dir, AT_ARP_SRC, AT_ARP_DST, base, mask, yes, no);
}

/** TCP or UDP ports in [low, high], in a first fragment only, as pcap-filter's `port` and `portrange`. */
function emitPorts(e: Emitter, dir: Dir, low: number, high: number, yes: Label, no: Label): void {
  const ip = e.label(), notTcp = e.label(), transport = e.label(), first = e.label();
  e.op(LD | H | ABS, AT_TYPE);
  e.jump(JMP | JEQ | K, ETHERTYPE_IP, ip, no);
  e.place(ip);
  e.op(LD | B | ABS, AT_PROTOCOL);
  e.jump(JMP | JEQ | K, IP_PROTOCOL.tcp, transport, notTcp);
  e.place(notTcp);
  e.jump(JMP | JEQ | K, IP_PROTOCOL.udp, transport, no);
  e.place(transport);
  e.op(LD | H | ABS, AT_FRAGMENT);
  e.jump(JMP | JSET | K, 0x1fff, no, first);
  e.place(first);
  // X: the IPv4 header's length; the ports are the transport header's first two words.
  e.op(LDX | B | MSH, AT_IP);
  const one = (at: number, otherwise: Label): void => {
    e.op(LD | H | IND, at);
    if (low === high) { e.jump(JMP | JEQ | K, low, yes, otherwise); return; }
    const above = e.label();
    e.jump(JMP | JGE | K, low, above, otherwise);
    e.place(above);
    e.jump(JMP | JGT | K, high, otherwise, yes);
  };
  if (dir === 'src') { one(AT_IP, no); return; }
  if (dir === 'dst') { one(AT_IP + 2, no); return; }
  const second = e.label();
  one(AT_IP, second);
  e.place(second);
  one(AT_IP + 2, no);
}

/** Where each label lands and which jumps need the long form, grown until every short jump reaches. */
function layout(items: readonly Item[]): { at: Map<Label, number>; long: Set<Item> } {
  const long = new Set<Item>();
  for (;;) {
    const at = new Map<Label, number>();
    const start = new Map<Item, number>();
    let pc = 0;
    for (const item of items) {
      if (item.kind === 'label') { at.set(item.label, pc); continue; }
      start.set(item, pc);
      pc += long.has(item) ? 3 : 1;
    }
    let grown = false;
    for (const item of items) {
      if (item.kind !== 'jump' || long.has(item)) continue;
      const from = start.get(item)! + 1;
      if (at.get(item.jt)! - from > 255 || at.get(item.jf)! - from > 255) { long.add(item); grown = true; }
    }
    if (!grown) return { at, long };
  }
}

/**
 * The classic BPF program for an expression's tree (undefined: pass everything): it
 * answers `snaplen` for a frame the expression passes and 0 for one it rejects.
 */
export function compileProgram(tree: FilterNode | undefined, snaplen: number): SockFilter[] {
  const e = new Emitter();
  const yes = e.label(), no = e.label();
  if (tree !== undefined) emit(e, tree, yes, no);
  e.place(yes);
  e.op(RET | K, snaplen);
  e.place(no);
  e.op(RET | K, 0);
  const { at, long } = layout(e.items);
  const out: SockFilter[] = [];
  for (const item of e.items) {
    if (item.kind === 'label') continue;
    if (item.kind === 'op') { out.push({ code: item.code, jt: 0, jf: 0, k: item.k }); continue; }
    const here = out.length;
    if (!long.has(item)) { out.push({ code: item.code, jt: at.get(item.jt)! - here - 1, jf: at.get(item.jf)! - here - 1, k: item.k }); continue; }
    out.push({ code: item.code, jt: 0, jf: 1, k: item.k });
    out.push({ code: JMP | JA, jt: 0, jf: 0, k: at.get(item.jt)! - here - 2 });
    out.push({ code: JMP | JA, jt: 0, jf: 0, k: at.get(item.jf)! - here - 3 });
  }
  // An empty expression is the accept alone.
  return tree === undefined ? out.slice(0, 1) : out;
}
