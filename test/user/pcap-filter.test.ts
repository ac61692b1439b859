// tcpdump's capture filters (src/user/util/pcap-filter.ts), judged by the host's own
// tcpdump: random well-formed frames (ARP, IPv4 TCP/UDP/ICMP, later fragments, other
// ethertypes) go into one pcap file, random filter expressions from the supported
// grammar are put to both, and both must pass exactly the same frames — tcpdump's own
// evaluator and the classic BPF program it compiles (pcap-compile.ts), checked and run
// by the kernel's checker and interpreter (services/net/socket-filter.ts). Bad
// expressions are refused with a message that names what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { compileFilter, parseFilter, FilterError } from '../../src/user/util/pcap-filter.js';
import { compileProgram } from '../../src/user/util/pcap-compile.js';
import { checkFilter, runFilter } from '../../src/services/net/socket-filter.js';
import { encodeFilter, disassemble, JMP, JA } from '../../src/abi/cbpf.js';
import { buildEthernet, ETHERTYPE } from '../../src/services/net/wire/ethernet.js';
import { buildIpv4, PROTOCOL } from '../../src/services/net/wire/ipv4.js';
import { buildUdp } from '../../src/services/net/wire/udp.js';
import { buildTcp } from '../../src/services/net/wire/tcp.js';
import { buildIcmp } from '../../src/services/net/wire/icmp.js';
import { buildArp } from '../../src/services/net/wire/arp.js';
import { pcapHeader, pcapRecord } from '../../src/services/net/wire/pcap.js';

const ADDRS = ['10.0.2.15', '10.0.2.2', '10.0.3.7', '192.168.1.1'];
const PORTS = [22, 53, 80, 443, 7000, 40000];
const A = new Uint8Array([2, 0, 0, 0, 0, 1]), B = new Uint8Array([2, 0, 0, 0, 0, 2]);
const bytes = (a: string): Uint8Array => new Uint8Array(a.split('.').map(Number));
const num = (a: string): number => a.split('.').reduce((x, p) => ((x << 8) | Number(p)) >>> 0, 0);

type FrameSpec = { kind: 'tcp' | 'udp' | 'icmp' | 'frag' | 'arp' | 'other'; src: string; dst: string; sp: number; dp: number; pad: number };

function frameOf(f: FrameSpec): Uint8Array {
  const src = bytes(f.src), dst = bytes(f.dst), pad = new Uint8Array(f.pad);
  switch (f.kind) {
    case 'tcp': return buildEthernet(B, A, ETHERTYPE.IPV4, buildIpv4({ src, dst, protocol: PROTOCOL.TCP }, buildTcp({ srcPort: f.sp, dstPort: f.dp, seq: 1, ack: 0, flags: 0x02, window: 1000, options: {}, payload: pad }, src, dst)));
    case 'udp': return buildEthernet(B, A, ETHERTYPE.IPV4, buildIpv4({ src, dst, protocol: PROTOCOL.UDP }, buildUdp(f.sp, f.dp, pad, src, dst)));
    case 'icmp': return buildEthernet(B, A, ETHERTYPE.IPV4, buildIpv4({ src, dst, protocol: PROTOCOL.ICMP }, buildIcmp(8, 0, new Uint8Array(4), pad)));
    // A later fragment of a UDP datagram: its first bytes look like ports, but are not.
    case 'frag': return buildEthernet(B, A, ETHERTYPE.IPV4, buildIpv4({ src, dst, protocol: PROTOCOL.UDP, fragmentOffset: 8 }, new Uint8Array([f.sp >> 8, f.sp & 255, f.dp >> 8, f.dp & 255, 0, 8, 0, 0, ...pad])));
    case 'arp': return buildEthernet(B, A, ETHERTYPE.ARP, buildArp({ op: 1, senderMac: A, senderIp: num(f.src), targetMac: new Uint8Array(6), targetIp: num(f.dst) }));
    case 'other': return buildEthernet(B, A, 0x88b5, new Uint8Array(46 + f.pad));
  }
}

const frameSpec: fc.Arbitrary<FrameSpec> = fc.record({
  kind: fc.constantFrom('tcp', 'udp', 'icmp', 'frag', 'arp', 'other'),
  src: fc.constantFrom(...ADDRS), dst: fc.constantFrom(...ADDRS),
  sp: fc.constantFrom(...PORTS), dp: fc.constantFrom(...PORTS),
  pad: fc.integer({ min: 0, max: 120 }),
});

// Expressions from the supported grammar.
const { expr } = fc.letrec<{ expr: string; prim: string }>((tie) => ({
  prim: fc.oneof(
    fc.constantFrom('ip', 'arp', 'tcp', 'udp', 'icmp'),
    fc.tuple(fc.constantFrom('', 'src ', 'dst '), fc.constantFrom(...ADDRS)).map(([d, a]) => `${d}host ${a}`),
    fc.tuple(fc.constantFrom('', 'src ', 'dst '), fc.constantFrom('10.0.0.0/8', '10.0.2.0/24', '192.168.0.0/16', '10.0.3.0 mask 255.255.255.0')).map(([d, n]) => `${d}net ${n}`),
    fc.tuple(fc.constantFrom('', 'tcp ', 'udp '), fc.constantFrom('', 'src ', 'dst '), fc.constantFrom(...PORTS)).map(([p, d, n]) => `${p}${d}port ${n}`),
    fc.tuple(fc.constantFrom('', 'src ', 'dst '), fc.constantFrom('20-60', '400-8000', '7000-7000')).map(([d, r]) => `${d}portrange ${r}`),
    fc.tuple(fc.constantFrom('less', 'greater'), fc.integer({ min: 40, max: 200 })).map(([w, n]) => `${w} ${n}`),
  ),
  expr: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    tie('prim'),
    tie('prim').map((p) => `not ${p}`),
    fc.tuple(tie('expr'), fc.constantFrom('and', 'or', '&&', '||'), tie('expr')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('expr').map((e) => `( ${e} )`),
    tie('expr').map((e) => `! ( ${e} )`),
  ),
}));

test('filters pass exactly the frames the host tcpdump passes, for random frames and expressions', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kk-pcapf-'));
  try {
    const specs = fc.sample(frameSpec, { numRuns: 200, seed: 7 });
    const frames = specs.map(frameOf);
    const file = path.join(dir, 'f.pcap');
    // Frame k at k seconds: tcpdump -tt names it by its time.
    writeFileSync(file, Buffer.concat([pcapHeader(), ...frames.map((f, k) => pcapRecord(f, k * 1e6))]));
    // The last one is long enough that its program needs jumps farther than 255 instructions.
    const long = `${Array.from({ length: 70 }, (_, i) => `host 10.0.9.${i}`).join(' or ')} or dst portrange 400-8000`;
    const expressions = [...fc.sample(expr, { numRuns: 120, seed: 11 }), 'port 80 or 443', 'host 10.0.2.2 or 10.0.3.7 and tcp', 'tcp or udp and not port 53', 'src 10.0.2.15', long];
    for (const e of expressions) {
      const out = execFileSync('tcpdump', ['-r', file, '-tt', '-nn', e], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      // One line per frame, starting with its time (frames of unknown types add hex lines).
      const theirs = out.split('\n').filter((l) => /^\d+\.\d{6} /.test(l)).map((l) => Number(l.split('.')[0]));
      const f = compileFilter(e);
      const ours = frames.flatMap((frame, k) => (f(frame) ? [k] : []));
      assert.deepEqual(ours, theirs, `filter '${e}'`);
      // What the kernel runs: the program as bytes, through its checker, then its interpreter.
      const program = checkFilter(encodeFilter(compileProgram(parseFilter(e), 65535)));
      const kernel = frames.flatMap((frame, k) => (runFilter(program, frame) > 0 ? [k] : []));
      assert.deepEqual(kernel, theirs, `compiled filter '${e}'`);
      if (e === long) assert.ok(program.some((insn) => insn.code === (JMP | JA)), 'the long expression takes long jumps');
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("tcpdump -d prints a program in libpcap's words", () => {
  // Where libpcap's optimizer has nothing to take out, both print the same program.
  for (const e of ['ip', 'arp', 'greater 100']) {
    const theirs = execFileSync('tcpdump', ['-d', e], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
    assert.equal(compileProgram(parseFilter(e), 262144).map(disassemble).join('\n'), theirs, e);
  }
});

test('bad expressions are refused with what is wrong; an empty one passes everything', () => {
  const cases: [string, RegExp][] = [
    ['host', /an address expected at the end/],
    ['host 10.0.0.300', /'10\.0\.0\.300' is not an IPv4 address/],
    ['port 70000', /'70000' is not a port number/],
    ['net 10.0.2.1/24', /non-network bits set/],
    ['net 10.0.0.0/33', /prefix length must be 0-32/],
    ['tcp udp', /unexpected 'udp'/],
    ['( tcp', /'\)' expected/],
    ['tcp and', /a primitive expected at the end/],
    ['frobnicate', /'frobnicate' is not a primitive/],
    ['portrange 5', /'5' is not a port range/],
    ['tcp & udp', /cannot read|not a primitive/],
  ];
  for (const [e, want] of cases) {
    assert.throws(() => compileFilter(e), (err: unknown) => err instanceof FilterError && want.test(err.message), e);
  }
  const all = compileFilter('');
  assert.equal(all(frameOf({ kind: 'other', src: ADDRS[0]!, dst: ADDRS[1]!, sp: 1, dp: 2, pad: 0 })), true);
  assert.equal(all(new Uint8Array(3)), true, 'no filter: every frame, however short');
  assert.equal(compileFilter('not tcp')(new Uint8Array(3)), false, 'a frame too short to be Ethernet passes no filter');
});
