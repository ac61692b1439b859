// The machines of the lab's network section, booted in this process and wired with
// in-memory cables (hosts/node/net/frame-port.ts portPair): no switch process, no
// socket, no TAP device, so every frame crosses exactly the path the benchmark is
// about — guest stack, nic driver, device rings, the host's device model — and the
// host's cable in between is one function call.
//
//   guestPair: machine A (tcpbench -r, then loopback inside A) <-> machine B (tcpbench -t)
//   bridgeMachine: host frames -> eth0 -> nic -> bridge -> nic1 -> eth1 -> host frames
//   linuxLoopback: Node's own TCP sockets on 127.0.0.1 (the host's stack: the reference)
//
// bench-net.ts runs these in rounds and turns them into figures.

import net from 'node:net';
import { runMachine, type MachineOptions } from '../hosts/node/machine.js';
import { loadPreset, placementFor } from '../hosts/presets.js';
import { portPair, type FramePort } from '../hosts/node/net/frame-port.js';
import { seededRandom } from '../lib/random.js';
import { impairer, NO_IMPAIRMENTS } from '../hosts/node/net/impair.js';
import { macFromSeed, parseIp } from '../hosts/node/net/backends.js';
import { MEASURING_PARAMS } from './boot.js';
import { summarize, round } from './stats.js';

/** One line tcpbench printed (src/user/bin/tcpbench.ts). */
export interface TcpLine { role: 'recv' | 'send'; label: string; bytes: number; ms: number; MBps: number; adler32: number }

export function parseTcpLines(text: string): TcpLine[] {
  const out: TcpLine[] = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      const x = JSON.parse(l) as TcpLine;
      if ((x.role === 'recv' || x.role === 'send') && typeof x.bytes === 'number' && typeof x.ms === 'number') out.push(x);
    } catch { /* not ours */ }
  }
  return out;
}

/** Request/response round trips (tcpbench -q: one byte each way over a TCP_NODELAY connection), in µs. */
export interface RoundTrips { label: string; rounds: number; p50_us: number; p99_us: number; mean_us: number }

/** tcpbench's round-trip lines in a machine's output. */
export function parseRoundTrips(text: string): RoundTrips[] {
  const out: RoundTrips[] = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      const x = JSON.parse(l) as RoundTrips & { role?: string };
      if (x.role === 'rr' && typeof x.p50_us === 'number' && typeof x.p99_us === 'number' && typeof x.rounds === 'number') out.push({ label: x.label, rounds: x.rounds, p50_us: x.p50_us, p99_us: x.p99_us, mean_us: x.mean_us });
    } catch { /* not ours */ }
  }
  return out;
}

/** A transfer as both ends saw it: intact when the byte counts and Adler-32s agree. */
export interface Transfer { label: string; bytes: number; ms: number; MBps: number; intact: boolean; /** The receiver's Adler-32 of what it read (guest transfers). */ adler32?: number }

/** Pairs each receiver line with the sender line of the same label, in order. */
export function transfers(lines: TcpLine[], label: string, expectedBytes: number): Transfer[] {
  const recv = lines.filter((l) => l.role === 'recv' && l.label === label), send = lines.filter((l) => l.role === 'send' && l.label === label);
  return recv.map((r, i) => {
    const s = send[i];
    return { label, bytes: r.bytes, ms: r.ms, MBps: r.MBps, intact: s !== undefined && r.bytes === expectedBytes && s.bytes === r.bytes && s.adler32 === r.adler32, adler32: r.adler32 };
  });
}

/** Collects a machine's console output as text. */
function sink(): { push: (b: Uint8Array) => void; text: () => string } {
  const parts: Buffer[] = [];
  return { push: (b) => { parts.push(Buffer.from(b)); }, text: () => Buffer.concat(parts).toString('utf8') };
}

function machineOptions(preset: string, init: string, stdout: (b: Uint8Array) => void, stderr: (b: Uint8Array) => void, signal: AbortSignal): MachineOptions {
  const p = loadPreset(preset);
  return {
    preset: p.name, placement: placementFor(p), ipc: p.ipc, init: ['/bin/sh', '-c', init], stdin: 'none', stdout, stderr, signal,
    watchdogMs: 10000, params: MEASURING_PARAMS,
  };
}

const A_ADDRESS = '10.0.9.1', B_ADDRESS = '10.0.9.2';
const GUEST_PORT = 5001, LOOPBACK_PORT = 5002, RR_PORT = 5003, RR_LOOPBACK_PORT = 5004;
// The benchmark's sockets set no SO_RCVBUF or SO_SNDBUF, as a program that sets none
// on Linux: they start at the default (212992 bytes) and autotune (docs/net.md,
// "Buffer autotuning" and "Socket buffers").

export interface PairOptions {
  preset: string;
  bytes: number;
  /** Transfers per boot, each on its own connection. */
  count: number;
  /** Also run `count` transfers over 127.0.0.1 inside machine A. */
  loopback: boolean;
  /** Gives up after this long (ms); the machines are aborted. */
  timeoutMs: number;
  /** The cable between A and B (default: a direct one); a bridge machine can sit in between. */
  cables?: [FramePort, FramePort];
  /**
   * Keep A up until B is done (then stop it). Over a lossy cable A's last segments (its
   * FIN, the ACK of B's) may need retransmitting after A's receiver has finished; a
   * machine that halted then would leave B waiting for ever.
   */
  holdReceiver?: boolean;
  /** Segmentation offload on both NICs (default on; false: the devices offer none). */
  offload?: boolean;
  /** After the transfers, this many request/response round trips B -> A and (with `loopback`) inside A (tcpbench -q; 0 or none: no round trips). */
  rr?: number;
}

export interface PairResult { guest: Transfer[]; loopback: Transfer[]; rr: { guest?: RoundTrips; loopback?: RoundTrips }; failure?: string }

/**
 * Boots machine A (the receiver) and, once it listens, machine B (the sender) with the
 * same preset, and runs `count` transfers of `bytes` from B to A through both stacks
 * and NICs; then the same over 127.0.0.1 inside A.
 */
export async function guestPair(o: PairOptions): Promise<PairResult> {
  const [a, b] = o.cables ?? portPair();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no result after ${o.timeoutMs} ms`)), o.timeoutMs);
  const outA = sink(), errA = sink(), outB = sink(), errB = sink();
  const loop = o.loopback ? `; tcpbench -r -n ${o.count} -L loopback ${LOOPBACK_PORT} & tcpbench -t -n ${o.count} -L loopback 127.0.0.1 ${LOOPBACK_PORT} ${o.bytes}; wait` : '';
  // A says on stderr when it listens, so B (which retries a refused connect) is booted then.
  let listening: () => void = () => {};
  const ready = new Promise<void>((resolve) => { listening = resolve; });
  const ip = (s: string): { address: number; prefix: number } => parseIp(`${s}/24`);
  // A's own switch: the run's abort, or B being done when A is held.
  const stopA = new AbortController();
  controller.signal.addEventListener('abort', () => stopA.abort(controller.signal.reason), { once: true });
  const hold = o.holdReceiver === true ? '; sleep 3600' : '';
  // Round trips after the transfers: A echoes B's (B retries its connect until A listens) and times its own over 127.0.0.1.
  const rr = o.rr ?? 0;
  const rrA = rr > 0 ? `; tcpbench -r -e ${RR_PORT} & ${o.loopback ? `tcpbench -r -e ${RR_LOOPBACK_PORT} & tcpbench -t -q ${rr} -L loopback-rr 127.0.0.1 ${RR_LOOPBACK_PORT}; ` : ''}wait` : '';
  const rrB = rr > 0 ? `; tcpbench -t -q ${rr} -L guest-rr ${A_ADDRESS} ${RR_PORT}` : '';
  const runA = runMachine({
    ...machineOptions(o.preset, `tcpbench -r -v -n ${o.count} -L guest ${GUEST_PORT}${loop}${rrA}${hold}`, outA.push,
      (x) => { errA.push(x); if (errA.text().includes('listening')) listening(); }, stopA.signal),
    nic: { mac: macFromSeed('bench-a'), port: a, ...ip(A_ADDRESS), offload: o.offload !== false },
  }).finally(() => listening());
  let statusB = -1;
  const runB = ready.then(() => (controller.signal.aborted ? -1 : runMachine({
    ...machineOptions(o.preset, `tcpbench -t -n ${o.count} -L guest ${A_ADDRESS} ${GUEST_PORT} ${o.bytes}${rrB}`, outB.push, errB.push, controller.signal),
    nic: { mac: macFromSeed('bench-b'), port: b, ...ip(B_ADDRESS), offload: o.offload !== false },
  }))).then((s) => { statusB = s; return s; });
  if (o.holdReceiver === true) { await runB; stopA.abort(new Error('the sender is done')); }
  const statusA = await runA;
  await runB;
  clearTimeout(timer);
  const lines = [...parseTcpLines(outA.text()), ...parseTcpLines(outB.text())];
  const trips = [...parseRoundTrips(outA.text()), ...parseRoundTrips(outB.text())];
  const result: PairResult = { guest: transfers(lines, 'guest', o.bytes), loopback: transfers(lines, 'loopback', o.bytes), rr: { guest: trips.find((t) => t.label === 'guest-rr'), loopback: trips.find((t) => t.label === 'loopback-rr') } };
  const wanted = o.count * (o.loopback ? 2 : 1);
  if (result.guest.length + result.loopback.length < wanted) {
    const last = (t: string): string => t.trim().split('\n').filter((l) => l.length > 0).slice(-1)[0] ?? '';
    result.failure = `not measured: ${result.guest.length + result.loopback.length} of ${wanted} transfers on ${o.preset} (status ${statusA}/${statusB})${controller.signal.aborted ? `: ${String((controller.signal.reason as Error).message)}` : ''}: ${last(errA.text()) || last(errB.text())}`;
  }
  return result;
}

/** Linux's own TCP over 127.0.0.1 (Node sockets in this process): `count` transfers of `bytes`. */
export async function linuxLoopback(bytes: number, count: number): Promise<Transfer[]> {
  const out: Transfer[] = [];
  const chunk = Buffer.alloc(65536);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131 + 7) & 0xff;
  for (let k = 0; k < count; k++) {
    out.push(await new Promise<Transfer>((resolve, reject) => {
      let got = 0, first = 0;
      const server = net.createServer((s) => {
        s.on('data', (d: Buffer) => { if (got === 0) first = performance.now(); got += d.length; });
        s.on('end', () => {
          const ms = performance.now() - first;
          s.end();
          server.close();
          resolve({ label: 'linux', bytes: got, ms, MBps: got / 1e6 / (ms / 1000), intact: got === bytes });
        });
      });
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const c = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', () => {
          let sent = 0;
          const pump = (): void => {
            while (sent < bytes) {
              const n = Math.min(chunk.length, bytes - sent);
              sent += n;
              if (!c.write(n === chunk.length ? chunk : chunk.subarray(0, n))) { c.once('drain', pump); return; }
            }
            c.end();
          };
          pump();
        });
        c.on('error', reject);
        c.resume();
      });
    }));
  }
  return out;
}

/** Linux's own TCP request/response over 127.0.0.1 (Node sockets in this process, TCP_NODELAY): `rounds` round trips of one byte each way after 20 of warm-up. */
export async function linuxRoundTrips(rounds: number): Promise<RoundTrips> {
  const server = net.createServer((s) => { s.setNoDelay(true); s.on('data', (d: Buffer) => s.write(d)); s.on('end', () => s.end()); });
  await new Promise<void>((resolve, reject) => { server.on('error', reject); server.listen(0, '127.0.0.1', resolve); });
  const c = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  c.setNoDelay(true);
  await new Promise<void>((resolve, reject) => { c.once('connect', resolve); c.once('error', reject); });
  const us: number[] = [];
  const one = Buffer.from([0x5a]);
  for (let k = 0; k < 20 + rounds; k++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => { c.once('data', () => resolve()); c.write(one); });
    if (k >= 20) us.push((performance.now() - t0) * 1000);
  }
  c.end();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const s = summarize(us);
  return { label: 'linux-rr', rounds, p50_us: round(s.median, 1), p99_us: round(s.p99, 1), mean_us: round(s.mean, 1) };
}

/** What a bridge machine forwarded in one blast. */
export interface BridgeBlast { frames: number; sent: number; lost: number; ms: number; framesPerS: number; MBps: number; intact: boolean; failure?: string }

const FRAME_BYTES = 1514;
/** Frames in flight at most: below the receive ring's slots, so a full ring is the bridge's fault, not the host's. */
const WINDOW = 128;
/** Nothing forwarded for this long: the frames in flight are presumed lost. */
const STALL_MS = 1000;

/** The frame with sequence number `seq` from `src` to `dst`: a seeded payload the receiver checks byte for byte. */
export function blastFrame(dst: Uint8Array, src: Uint8Array, seq: number, length = FRAME_BYTES): Uint8Array {
  const f = new Uint8Array(length);
  f.set(dst, 0); f.set(src, 6);
  f[12] = 0x88; f[13] = 0xb5;   // IEEE 802 local experimental EtherType
  new DataView(f.buffer).setUint32(14, seq);
  for (let i = 18; i < length; i++) f[i] = (seq * 31 + i * 7) & 0xff;
  return f;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export const BLAST_SRC = macFromSeed('blast-src'), BLAST_DST = macFromSeed('blast-dst');

/**
 * Boots a bridge machine of `preset` (nic, nic1 and bridge placed as the preset
 * places them), waits until a broadcast from eth1's side comes out of eth0 (the bridge
 * is forwarding, and has learned BLAST_DST on eth1), then sends `frames` frames into
 * eth0 with at most WINDOW in flight and takes them out of eth1, each checked byte for
 * byte. `use` may take over instead of the blast (tests): it gets the host's two ends.
 */
export async function bridgeMachine<T>(preset: string, timeoutMs: number, use: (ends: [FramePort, FramePort], signal: AbortSignal) => Promise<T>): Promise<{ value?: T; failure?: string; status: number; log: string }> {
  const [in0, out0] = portPair(), [in1, out1] = portPair();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no result after ${timeoutMs} ms`)), timeoutMs);
  const err = sink();
  const machine = runMachine({
    ...machineOptions(preset, 'while true; do sleep 3600; done', () => {}, err.push, controller.signal),
    bridge: { macs: [macFromSeed('bridge-eth0'), macFromSeed('bridge-eth1')], ports: [in0, in1] },
  });
  let value: T | undefined, failure: string | undefined;
  try { value = await use([out0, out1], controller.signal); } catch (e) { failure = `not measured: ${e instanceof Error ? e.message : String(e)}`; }
  clearTimeout(timer);
  if (!controller.signal.aborted) controller.abort(new Error('done'));
  const status = await machine;
  return { ...(value !== undefined ? { value } : {}), ...(failure !== undefined ? { failure } : {}), status, log: err.text() };
}

/** Sends broadcasts from `from` (source `src`) every 20 ms until one comes out at `to`. */
export async function awaitForwarding(from: FramePort, to: FramePort, src: Uint8Array, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const hello = blastFrame(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff), src, 0xffffffff, 64);
    const tick = setInterval(() => { from.send(hello); }, 20);
    const stop = (): void => { clearInterval(tick); signal.removeEventListener('abort', abort); };
    const abort = (): void => { stop(); reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')); };
    signal.addEventListener('abort', abort, { once: true });
    to.onFrame((f) => { if (sameBytes(f, hello)) { stop(); resolve(); } });
    from.send(hello);
  });
}

/** `count` blasts of `frames` frames each through one bridge machine (see bridgeMachine). */
export async function blasts(ends: [FramePort, FramePort], frames: number, count: number, signal: AbortSignal): Promise<BridgeBlast[]> {
  await awaitForwarding(ends[1], ends[0], BLAST_DST, signal);
  const out: BridgeBlast[] = [];
  for (let k = 0; k < count; k++) out.push(await blast(ends, frames, signal));
  return out;
}

/** One blast: eth0's host end in, eth1's out (the bridge forwards already). */
export async function blast(ends: [FramePort, FramePort], frames: number, signal: AbortSignal): Promise<BridgeBlast> {
  const [into, outOf] = ends;
  return new Promise<BridgeBlast>((resolve, reject) => {
    const seen = new Uint8Array(frames);
    // presumed: frames in flight given up for lost after a stall (they may still come).
    let sent = 0, received = 0, presumed = 0, presumedBelow = 0, intact = true, lastProgress = performance.now();
    const t0 = performance.now();
    let tEnd = t0, done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearInterval(watch);
      const ms = tEnd - t0;
      resolve({ frames: received, sent, lost: frames - received, ms, framesPerS: received / (ms / 1000), MBps: (received * FRAME_BYTES) / 1e6 / (ms / 1000), intact });
    };
    // Refilled in bursts of half a window, so the device raises one interrupt's worth
    // of frames at a time rather than one frame per frame forwarded.
    const fill = (): void => {
      if (sent - received - presumed <= WINDOW / 2) while (sent < frames && sent - received - presumed < WINDOW) into.send(blastFrame(BLAST_DST, BLAST_SRC, sent++));
      if (received + presumed >= frames) finish();
    };
    outOf.onFrame((f) => {
      if (f.length !== FRAME_BYTES) return;   // a hello still on its way
      const seq = new DataView(f.buffer, f.byteOffset).getUint32(14);
      // Whole and each once: anything else is a bridge that damaged the stream.
      if (seq >= sent || seen[seq] === 1 || !sameBytes(f, blastFrame(BLAST_DST, BLAST_SRC, seq))) { intact = false; return; }
      seen[seq] = 1;
      received++;
      if (presumed > 0 && seq < presumedBelow) presumed--;
      tEnd = lastProgress = performance.now();
      fill();
    });
    // A frame the bridge dropped leaves nothing to see: after STALL_MS with nothing
    // arriving, what is in flight is presumed lost and the window opens again.
    const watch = setInterval(() => {
      if (signal.aborted) { clearInterval(watch); reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')); return; }
      if (performance.now() - lastProgress < STALL_MS) return;
      presumed = sent - received;
      presumedBelow = sent;
      lastProgress = performance.now();
      fill();
    }, 50);
    fill();
  });
}

/** What a lossy cable saw and did: frames it dropped, and the sender's data segments. */
export interface LossyStats { dropped: number; dataSegments: number; retransmitted: number }

/**
 * A cable that drops each frame, either way, with probability `loss` (one seeded
 * generator: the same seed and frames give the same drops), and counts the TCP data
 * segments the second end (the sender, B) puts on it: a segment whose (port, sequence
 * number) it sent before is a retransmission, as the wire sees it.
 */
export function lossyCable(loss: number, seed: number): { cables: [FramePort, FramePort]; stats: LossyStats } {
  const [a, b] = portPair();
  const random = seededRandom(seed);
  const counts = { dropped: 0, corrupted: 0, reordered: 0 };
  const impair = { ...NO_IMPAIRMENTS, loss, seed };
  const toA = impairer(impair, random, counts), toB = impairer(impair, random, counts);
  const seen = new Set<string>();
  const stats: LossyStats = { get dropped() { return counts.dropped; }, dataSegments: 0, retransmitted: 0 };
  const note = (f: Uint8Array): void => {
    if (f.length < 54 || f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== 6) return;
    const ihl = (f[14]! & 0xf) * 4, total = (f[16]! << 8) | f[17]!, tcp = 14 + ihl;
    if (f.length < tcp + 20) return;
    if (total - ihl - (f[tcp + 12]! >> 4) * 4 <= 0) return;
    stats.dataSegments++;
    const key = `${(f[tcp]! << 8) | f[tcp + 1]!}:${((f[tcp + 4]! << 24) | (f[tcp + 5]! << 16) | (f[tcp + 6]! << 8) | f[tcp + 7]!) >>> 0}`;
    if (seen.has(key)) stats.retransmitted++; else seen.add(key);
  };
  const sender: FramePort = {
    send(f) { note(f); for (const x of toA(f)) b.send(x); },
    onFrame(handler) { b.onFrame((f) => { for (const x of toB(f)) handler(x); }); },
    close() { b.close(); },
  };
  return { cables: [a, sender], stats };
}
