// A packetdrill-style script format for the TCP core, run against one stack on a fake
// clock. The stack is 10.0.0.1; the script plays the peer 10.0.0.2. Each line:
//
//   +0.100 < P. 1:1001(1000) ack 1 win 512          inject a segment from the peer
//   +0     > . 1:1(0) ack 1001 win 1663             expect the stack to send exactly this, now
//   +0     listen 8080 | connect 8080 | accept | write N | read N | eof | close | shutdown
//          | nodelay | keepalive | state NAME | error ERRNO | rcvbuf N | set NAME=VALUE
//          | board N (the bytes the sender's SACK scoreboard holds)
//
// Times are seconds: "+T" after the previous line, or "T" absolute. Flags are
// packetdrill's (S F R P and "." for ACK). Sequence numbers are relative, as in
// packetdrill: the peer's from its ISN (1000000 on the wire), the stack's from the ISS
// it chose, learned from its first SYN. `<mss N,wscale N,sackOK,sack A:B C:D>` on a
// segment sets (in) or checks (out) its options (SACK blocks relative like the
// sequence numbers they name: the stack's for `<`, the peer's for `>`); `win` on an expected segment checks the raw field.
// Every byte the peer sends and every byte the application writes follow a known
// pattern, so `read` checks content and an expected segment checks its payload. A
// segment the stack sends that no `>` line expects fails the script (at the next line
// that is not a `>`, and at the end), as in packetdrill.

import assert from 'node:assert/strict';
import { FakeClock, TestLink, ip, mac } from './harness.js';
import { Stack } from '../../../src/services/net/stack/stack.js';
import { ARP_LIMITS } from '../../../src/services/net/stack/arp.js';
import type { Connection } from '../../../src/services/net/stack/tcp/connection.js';
import type { Listener } from '../../../src/services/net/stack/tcp/tcp.js';
import type { TcpTunables } from '../../../src/services/net/stack/tcp/tunables.js';
import { ETHERTYPE, buildEthernet, parseEthernet } from '../../../src/services/net/wire/ethernet.js';
import { PROTOCOL, buildIpv4, parseIpv4 } from '../../../src/services/net/wire/ipv4.js';
import { FLAG, buildTcp, parseTcp, type TcpOptions, type TcpSegment } from '../../../src/services/net/wire/tcp.js';
import { toBytes } from '../../../src/services/net/stack/address.js';
import { Errno } from '../../../src/abi/errno.js';

const LOCAL = ip('10.0.0.1'), REMOTE = ip('10.0.0.2');
const PEER_ISN = 1_000_000;
const PEER_PORT = 50000, LOCAL_PORT = 40000;
/** Byte i of the peer's stream, and of the application's. */
export const peerByte = (i: number): number => (i * 7 + 3) & 0xff;
export const appByte = (i: number): number => (i * 13 + 5) & 0xff;

const FLAG_CHARS: Record<string, number> = { S: FLAG.SYN, F: FLAG.FIN, R: FLAG.RST, P: FLAG.PSH, '.': FLAG.ACK };

interface SegmentLine { dir: '<' | '>'; flags: number; start: number; end: number; length: number; ack?: number; win?: number; options?: TcpOptions; sack?: [number, number][] }

function parseSegment(dir: '<' | '>', rest: string, where: string): SegmentLine {
  const m = /^([SFRP.]+)\s+(\d+):(\d+)\((\d+)\)(.*)$/.exec(rest);
  if (m === null) throw new Error(`${where}: cannot parse segment "${rest}"`);
  let flags = 0;
  for (const c of m[1]!) flags |= FLAG_CHARS[c]!;
  const line: SegmentLine = { dir, flags, start: Number(m[2]), end: Number(m[3]), length: Number(m[4]) };
  if (line.end - line.start !== line.length) throw new Error(`${where}: ${line.start}:${line.end} is not ${line.length} bytes`);
  let tail = m[5]!.trim();
  const opts = /<([^>]*)>/.exec(tail);
  if (opts !== null) {
    line.options = {};
    for (const o of opts[1]!.split(',').map((x) => x.trim()).filter((x) => x.length > 0)) {
      const [name, value, ...more] = o.split(/\s+/);
      if (name === 'mss') line.options.mss = Number(value);
      else if (name === 'wscale') line.options.windowScale = Number(value);
      else if (name === 'sackOK') line.options.sackPermitted = true;
      else if (name === 'sack') {
        line.sack = [value!, ...more].map((b) => {
          const r = /^(\d+):(\d+)$/.exec(b);
          if (r === null) throw new Error(`${where}: bad SACK block ${b}`);
          return [Number(r[1]), Number(r[2])] as [number, number];
        });
      } else if (name !== 'nop') throw new Error(`${where}: unknown option ${name}`);
    }
    tail = tail.replace(opts[0], '').trim();
  }
  const words = tail.split(/\s+/).filter((w) => w.length > 0);
  for (let i = 0; i < words.length; i += 2) {
    const v = Number(words[i + 1]);
    if (!Number.isFinite(v)) throw new Error(`${where}: bad value for ${words[i]}`);
    if (words[i] === 'ack') line.ack = v;
    else if (words[i] === 'win') line.win = v;
    else throw new Error(`${where}: unknown field ${words[i]}`);
  }
  return line;
}

const flagText = (f: number): string => Object.entries(FLAG_CHARS).filter(([, v]) => (f & v) !== 0).map(([k]) => k).join('') || '-';

/** Runs one script; throws (an assertion error naming the line) when the stack does otherwise. */
export function runScript(text: string, name = 'script'): { stack: Stack; connection: Connection | undefined } {
  const clock = new FakeClock();
  const link = new TestLink(mac(1));
  const sent: { at: number; frame: Uint8Array }[] = [];
  link.sink = (frame) => sent.push({ at: clock.now(), frame });
  const tunables: Partial<TcpTunables> = {};
  let stack: Stack | undefined;
  let listener: Listener | undefined;
  let conn: Connection | undefined;
  let localPort = 8080, remotePort = PEER_PORT;
  let iss: number | undefined;
  let receiveBuffer = 65536, sendBuffer = 65536;
  let written = 0, read = 0;
  let now = 0;
  const need = (): Stack => {
    if (stack === undefined) {
      stack = new Stack(clock, { random: () => 0.25, tcp: tunables, arp: { ...ARP_LIMITS, entryLifetime: 1e12 } });
      stack.attach(link, { address: LOCAL, prefix: 24 });
      stack.interface!.arp.learn(REMOTE, mac(2), 0);
    }
    return stack;
  };
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!.replace(/#.*$/, '').trim();
    if (raw.length === 0) continue;
    const where = `${name}:${n + 1} "${raw}"`;
    const m = /^(\+?)(\d*\.?\d+)\s+(.*)$/.exec(raw);
    if (m === null) throw new Error(`${where}: a line starts with a time`);
    now = m[1] === '+' ? now + Number(m[2]) * 1000 : Number(m[2]) * 1000;
    now = Math.round(now * 1000) / 1000;
    const body = m[3]!;
    const s = need();
    clock.advance(now);
    if (!body.startsWith('>')) {
      const extra = sent.shift();
      if (extra !== undefined) throw new Error(`${where}: the stack sent a segment no line expects: ${describe(extra.frame, iss)} at ${extra.at / 1000}`);
    }
    if (body.startsWith('<') || body.startsWith('>')) {
      const seg = parseSegment(body[0] as '<' | '>', body.slice(1).trim(), where);
      if (seg.dir === '<') {
        const payload = Uint8Array.from({ length: seg.length }, (_, i) => peerByte(seg.start - 1 + i));
        const ack = seg.ack === undefined ? 0 : ((iss ?? 0) + seg.ack) >>> 0;
        const options: TcpOptions = { ...seg.options, ...(seg.sack === undefined ? {} : { sack: seg.sack.map(([a, b]) => [((iss ?? 0) + a) >>> 0, ((iss ?? 0) + b) >>> 0] as const) }) };
        const t: TcpSegment = { srcPort: remotePort, dstPort: localPort, seq: (PEER_ISN + seg.start) >>> 0, ack, flags: seg.flags, window: seg.win ?? 65535, options, payload };
        const packet = buildIpv4({ src: toBytes(REMOTE), dst: toBytes(LOCAL), protocol: PROTOCOL.TCP }, buildTcp(t, toBytes(REMOTE), toBytes(LOCAL)));
        s.receive(buildEthernet(mac(1), mac(2), ETHERTYPE.IPV4, packet));
      } else {
        const got = sent.shift();
        if (got === undefined) throw new Error(`${where}: nothing sent by ${now / 1000}`);
        const t = tcpOf(got.frame);
        assert.ok(t !== undefined, `${where}: not a TCP segment`);
        if ((t.flags & FLAG.SYN) !== 0) iss = t.seq;
        const rel = (x: number): number => (x - (iss ?? 0)) >>> 0;
        const desc = describe(got.frame, iss);
        assert.equal(got.at, now, `${where}: sent at ${got.at / 1000}: ${desc}`);
        assert.equal(flagText(t.flags), flagText(seg.flags), `${where}: flags of ${desc}`);
        assert.equal(rel(t.seq), seg.start, `${where}: seq of ${desc}`);
        assert.equal(t.payload.length, seg.length, `${where}: length of ${desc}`);
        if (seg.ack !== undefined) assert.equal((t.ack - PEER_ISN) >>> 0, seg.ack, `${where}: ack of ${desc}`);
        if (seg.win !== undefined) assert.equal(t.window, seg.win, `${where}: window of ${desc}`);
        if (seg.options !== undefined || seg.sack !== undefined) {
          const { sack, ...rest } = t.options;
          const want: unknown[] = (seg.sack ?? []).map(([a, b]) => [a, b]);
          const got: unknown[] = (sack ?? []).map(([a, b]) => [(a - PEER_ISN) >>> 0, (b - PEER_ISN) >>> 0]);
          assert.deepEqual(rest, seg.options ?? {}, `${where}: options of ${desc}`);
          assert.deepEqual(got, want, `${where}: SACK blocks of ${desc}`);
        }
        for (let i = 0; i < t.payload.length; i++) {
          if (t.payload[i] !== appByte(seg.start - 1 + i)) throw new Error(`${where}: payload byte ${i} differs`);
        }
      }
      continue;
    }
    const [cmd, arg] = body.split(/\s+/);
    switch (cmd) {
      case 'set': { const [k, v] = arg!.split('='); (tunables as Record<string, number>)[k!] = Number(v); if (stack !== undefined) (stack.tcp.tunables as unknown as Record<string, number>)[k!] = Number(v); break; }
      case 'rcvbuf': receiveBuffer = Number(arg); break;
      case 'sndbuf': sendBuffer = Number(arg); break;
      case 'listen': localPort = Number(arg ?? 8080); listener = s.tcp.listen(localPort, 8, { receive: receiveBuffer, send: sendBuffer }); break;
      case 'connect':
        localPort = LOCAL_PORT; remotePort = Number(arg ?? 8080);
        conn = s.tcp.connect(localPort, REMOTE, remotePort, { receive: receiveBuffer, send: sendBuffer });
        break;
      case 'accept': {
        assert.ok(listener !== undefined, `${where}: no listener`);
        const c = listener.ready.shift();
        assert.ok(c !== undefined, `${where}: no connection to accept`);
        c.listener = undefined;
        conn = c;
        break;
      }
      case 'write': {
        const k = Number(arg);
        const data = Uint8Array.from({ length: k }, (_, i) => appByte(written + i));
        const took = conn!.write(data);
        assert.equal(took, k, `${where}: wrote ${took}`);
        written += took;
        break;
      }
      case 'read': {
        const k = Number(arg);
        const data = conn!.read(k);
        assert.equal(data.length, k, `${where}: read ${data.length} bytes`);
        for (let i = 0; i < k; i++) if (data[i] !== peerByte(read + i)) throw new Error(`${where}: byte ${read + i} differs`);
        read += k;
        break;
      }
      case 'eof': assert.ok(conn!.atEnd, `${where}: not at end of stream (${conn!.rx.size} unread, fin ${conn!.finReceived})`); break;
      case 'close': conn!.close(); break;
      case 'shutdown': conn!.shutdownWrite(); break;
      case 'nodelay': conn!.noDelay = true; break;
      case 'keepalive': conn!.keepAlive = true; conn!.armKeepalive(); break;
      case 'state': assert.equal(conn!.state, arg, `${where}: state`); break;
      case 'error': assert.equal(conn!.error, (Errno as Record<string, number>)[arg!] ?? Number(arg), `${where}: error ${conn!.error}`); break;
      case 'connections': assert.equal(s.tcp.connections.size, Number(arg), `${where}: connections`); break;
      case 'rto': assert.equal(conn!.rto.rto, Number(arg), `${where}: rto`); break;
      case 'board': assert.equal(conn!.board.bytes, Number(arg), `${where}: scoreboard bytes`); break;
      default: throw new Error(`${where}: unknown command ${cmd}`);
    }
    s.settle();
  }
  const extra = sent.shift();
  if (extra !== undefined) throw new Error(`${name}: at the end, the stack sent a segment no line expects: ${describe(extra.frame, iss)} at ${extra.at / 1000}`);
  return { stack: stack!, connection: conn };
}

function tcpOf(frame: Uint8Array): TcpSegment | undefined {
  const e = parseEthernet(frame);
  const p = e === undefined ? undefined : parseIpv4(e.payload);
  return p === undefined ? undefined : parseTcp(p.payload, p.src, p.dst);
}

function describe(frame: Uint8Array, iss: number | undefined): string {
  const t = tcpOf(frame);
  if (t === undefined) return 'a frame that is not TCP';
  const s = (t.seq - (iss ?? t.seq)) >>> 0;
  const o = [
    ...(t.options.mss !== undefined ? [`mss ${t.options.mss}`] : []), ...(t.options.windowScale !== undefined ? [`wscale ${t.options.windowScale}`] : []),
    ...(t.options.sackPermitted === true ? ['sackOK'] : []), ...(t.options.sack !== undefined ? [`sack ${t.options.sack.map(([a, b]) => `${(a - PEER_ISN) >>> 0}:${(b - PEER_ISN) >>> 0}`).join(' ')}`] : []),
  ];
  return `${flagText(t.flags)} ${s}:${s + t.payload.length}(${t.payload.length}) ack ${(t.ack - PEER_ISN) >>> 0} win ${t.window}${o.length > 0 ? ` <${o.join(',')}>` : ''}`;
}
