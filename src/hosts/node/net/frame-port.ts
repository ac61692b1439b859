// A frame port: one end of a virtual Ethernet cable on the host. The NIC's device
// model, a switch, a TAP device, a pcap tap and the impairment stage all speak it, so
// a back end is a chain of ports (backends.ts).
//
// Frames cross a byte stream (the pipe between `kernelkit run` and its confined
// machine, a switch's Unix socket) as records:
//
//   frame           2-byte big-endian length (14..1514), the frame
//   large segment   0xffff, 4-byte big-endian length (1515..14 + 65535), 2-byte mss, the bytes
//
// Any other first word ends the stream (the peer is broken or hostile) rather than
// being resynchronised. A large segment (segmentation offload, lib/gso.ts) is sent
// only to a peer that said it takes them: each end that does sends a hello, itself an
// ordinary frame (HELLO_TYPE to a link-local group address), so a peer that knows
// only frames passes it on or drops it as an unknown protocol, never ends the stream
// for it, and never sees a large segment. The end that connects offers (`'offer'`);
// the end that accepts answers an offer (`'answer'`); either takes large segments from
// the other once it has heard its hello.

import type { Duplex } from 'node:stream';
import { NIC_MIN_FRAME, NIC_MAX_FRAME, NIC_MAX_GSO_FRAME, NIC_DEFAULT_MTU } from '../../../abi/device.js';
import { gsoShape, wireFrames } from '../../../lib/gso.js';

export interface FramePort {
  /** Sends one frame towards the other end; may drop it. */
  send(frame: Uint8Array): void;
  /** Where frames from the other end go (one handler; set before frames flow). */
  onFrame(handler: (frame: Uint8Array) => void): void;
  close(): void;
  /**
   * Only on a cable that may carry large TCP segments whole (segmentation offload: the
   * in-process portPair, a stream port, a switch): sends one with its mss; false when
   * the other end takes no large segments (the sender then sends its frames instead).
   */
  sendLarge?(frame: Uint8Array, mss: number): boolean;
  /** Where large segments from the other end go (with sendLarge). */
  onLarge?(handler: (frame: Uint8Array, mss: number) => void): void;
}

/** Whether a frame's length is one an Ethernet NIC (without FCS and VLAN tag) carries. */
export const frameLengthOk = (n: number): boolean => n >= NIC_MIN_FRAME && n <= NIC_MAX_FRAME;

/** Whether a large segment's length is one a device carries (longer than a frame, at most NIC_MAX_GSO_FRAME). */
export const largeLengthOk = (n: number): boolean => n > NIC_MAX_FRAME && n <= NIC_MAX_GSO_FRAME;

/** The first word of a large segment's record: no frame has this length. */
const LARGE_MARK = 0xffff;
const LARGE_HEADER = 8;

/** Encodes one frame for a stream. */
export function encodeFrame(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + frame.length);
  out[0] = frame.length >>> 8;
  out[1] = frame.length & 0xff;
  out.set(frame, 2);
  return out;
}

/** The header of a large segment's record (the bytes follow it). Caller must check largeLengthOk. */
export function encodeLargeHeader(length: number, mss: number): Uint8Array {
  const out = new Uint8Array(LARGE_HEADER);
  const v = new DataView(out.buffer);
  v.setUint16(0, LARGE_MARK);
  v.setUint32(2, length);
  v.setUint16(6, mss);
  return out;
}

/** Where a stream's records go; without `large`, a large segment's record ends the stream. */
export interface RecordHandlers {
  frame(f: Uint8Array): void;
  large?(f: Uint8Array, mss: number): void;
}

/**
 * Splits a stream into records. Returns a feeder: give it each chunk; it calls the
 * handlers per whole record and returns false (and stops for good) at a bad length.
 * A record's buffer is allocated once its length is known and filled as bytes come,
 * so a peer dribbling a large segment a byte at a time costs no re-copying.
 */
export function frameSplitter(to: ((f: Uint8Array) => void) | RecordHandlers): (chunk: Uint8Array) => boolean {
  const handlers: RecordHandlers = typeof to === 'function' ? { frame: to } : to;
  const head = new Uint8Array(LARGE_HEADER);
  let headLength = 0;
  let body: Uint8Array | undefined, filled = 0, mss = -1; // mss -1: the record is a frame
  let broken = false;
  // A record's header is complete: its body, or undefined when the length is bad.
  const open = (): Uint8Array | undefined => {
    const word = (head[0]! << 8) | head[1]!;
    if (word !== LARGE_MARK) { mss = -1; return frameLengthOk(word) ? new Uint8Array(word) : undefined; }
    const v = new DataView(head.buffer);
    const length = v.getUint32(2);
    mss = v.getUint16(6);
    return handlers.large !== undefined && largeLengthOk(length) ? new Uint8Array(length) : undefined;
  };
  return (chunk) => {
    let at = 0;
    while (!broken && at < chunk.length) {
      if (body === undefined) {
        const want = headLength >= 2 && ((head[0]! << 8) | head[1]!) === LARGE_MARK ? LARGE_HEADER : 2;
        const take = Math.min(want - headLength, chunk.length - at);
        head.set(chunk.subarray(at, at + take), headLength);
        headLength += take;
        at += take;
        if (headLength < want || (want === 2 && ((head[0]! << 8) | head[1]!) === LARGE_MARK)) continue;
        body = open();
        if (body === undefined) { broken = true; break; }
        filled = 0;
      }
      const take = Math.min(body.length - filled, chunk.length - at);
      body.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled < body.length) continue;
      const record = body;
      body = undefined;
      headLength = 0;
      if (mss < 0) handlers.frame(record); else handlers.large!(record, mss);
    }
    return !broken;
  };
}

/** HELLO_TYPE: IEEE 802's local experimental EtherType, which no stack of ours takes. */
const HELLO_TYPE = 0x88b5;
/** A link-local group address (IEEE 802.1D reserves 01:80:c2:00:00:00..0f; a bridge should not forward them). */
const HELLO_DST = Uint8Array.of(0x01, 0x80, 0xc2, 0x00, 0x00, 0x0f);
const HELLO_MAGIC = new TextEncoder().encode('kernelkit large segments');
/** The version of the large segment's record; a hello naming another is ignored. */
const LARGE_VERSION = 1;
const HELLO_LENGTH = 14 + HELLO_MAGIC.length + 2;

export type LargeRole = 'offer' | 'answer';

/** The hello frame that says "I take large segments" (sent by the connecting end: an offer; by the accepting end: an answer). */
export function helloFrame(role: LargeRole): Uint8Array {
  const f = new Uint8Array(HELLO_LENGTH);
  f.set(HELLO_DST);
  f[12] = HELLO_TYPE >> 8;
  f[13] = HELLO_TYPE & 0xff;
  f.set(HELLO_MAGIC, 14);
  f[14 + HELLO_MAGIC.length] = LARGE_VERSION;
  f[15 + HELLO_MAGIC.length] = role === 'offer' ? 1 : 2;
  return f;
}

/** What a frame says when it is a hello: its role, 'other' for a version or role we do not know; undefined for any other frame. */
export function parseHello(f: Uint8Array): LargeRole | 'other' | undefined {
  if (f.length !== HELLO_LENGTH || f[12] !== HELLO_TYPE >> 8 || f[13] !== (HELLO_TYPE & 0xff)) return undefined;
  for (let i = 0; i < 6; i++) if (f[i] !== HELLO_DST[i]) return undefined;
  for (let i = 0; i < HELLO_MAGIC.length; i++) if (f[14 + i] !== HELLO_MAGIC[i]) return undefined;
  if (f[14 + HELLO_MAGIC.length] !== LARGE_VERSION) return 'other';
  const role = f[15 + HELLO_MAGIC.length];
  return role === 1 ? 'offer' : role === 2 ? 'answer' : 'other';
}

/** The frames a large segment stands for at the default MTU (none when it is malformed). */
export const framesOf = (frame: Uint8Array, mss: number): Uint8Array[] => wireFrames(frame, mss, NIC_DEFAULT_MTU);

/**
 * Sends a large segment through `to` whole when it carries it so, else as the frames
 * it stands for at the default MTU (none when it is malformed).
 */
export function sendLargeOrFrames(to: FramePort, frame: Uint8Array, mss: number): void {
  if (to.sendLarge?.(frame, mss) === true) return;
  for (const f of framesOf(frame, mss)) to.send(f);
}

/** Joins two ports back to back (a relay): frames and large segments cross both ways. */
export function joinPorts(a: FramePort, b: FramePort): void {
  a.onFrame((f) => b.send(f));
  b.onFrame((f) => a.send(f));
  a.onLarge?.((f, mss) => sendLargeOrFrames(b, f, mss));
  b.onLarge?.((f, mss) => sendLargeOrFrames(a, f, mss));
}

/** What a stream port did with large segments. */
export interface LargeCounts {
  /** Sent whole. */
  sent: number;
  /** Received whole and passed on. */
  received: number;
  /** Received and dropped: not a large segment a device would carry (lib/gso.ts gsoShape). */
  bad: number;
}

export interface StreamPort extends FramePort {
  /** Whether the other end said it takes large segments. */
  readonly peerTakesLarge: () => boolean;
  readonly large: LargeCounts;
}

/** Most bytes queued towards a peer that does not read; past them records are dropped. */
const MAX_QUEUED = 1 << 20;

/**
 * A frame port over a byte stream (a pipe, a Unix socket). `onEnd` runs once when it
 * closes or breaks. With `role`, it takes large segments (see the top of this file);
 * without, it speaks frames only and a large segment's record ends the stream.
 */
export function streamPort(stream: Duplex, onEnd?: (why: string) => void, role?: LargeRole): StreamPort {
  let handler: (f: Uint8Array) => void = () => {};
  let largeHandler: ((f: Uint8Array, mss: number) => void) | undefined;
  let ended = false, weTake = role === 'offer', peerTakes = false;
  const large: LargeCounts = { sent: 0, received: 0, bad: 0 };
  const end = (why: string): void => { if (ended) return; ended = true; stream.destroy(); onEnd?.(why); };
  // NOTE: a slow reader makes the stream buffer grow; past MAX_QUEUED, records are
  // dropped (as a switch port's queue would) so a stalled peer cannot grow host memory.
  const room = (): boolean => !ended && stream.writableLength < MAX_QUEUED;
  const send = (f: Uint8Array): void => { if (room() && frameLengthOk(f.length)) stream.write(encodeFrame(f)); };
  const hello = (f: Uint8Array): boolean => {
    const said = parseHello(f);
    if (said === undefined) return false;
    if (role === 'answer' && said === 'offer') {
      if (!weTake) send(helloFrame('answer'));
      weTake = peerTakes = true;
    } else if (role === 'offer' && said === 'answer') peerTakes = true;
    return true;
  };
  const takeLarge = (f: Uint8Array, mss: number): void => {
    if (ended) return;
    if (!weTake) { end('a large segment before it was offered'); return; }
    if (gsoShape(f, mss, NIC_DEFAULT_MTU) === undefined) { large.bad++; return; }
    large.received++;
    if (largeHandler !== undefined) largeHandler(f, mss);
    else for (const x of framesOf(f, mss)) handler(x);
  };
  const feed = frameSplitter({
    frame: (f) => { if (!ended && !hello(f)) handler(f); },
    ...(role === undefined ? {} : { large: takeLarge }),
  });
  stream.on('data', (chunk: Buffer) => { if (!feed(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))) end('a bad record length'); });
  stream.on('end', () => end('closed'));
  stream.on('close', () => end('closed'));
  stream.on('error', (e) => end(e.message));
  if (role === 'offer') send(helloFrame('offer'));
  return {
    send,
    onFrame: (h) => { handler = h; },
    close: () => end('closed'),
    peerTakesLarge: () => peerTakes,
    large,
    ...(role === undefined ? {} : {
      sendLarge: (f: Uint8Array, mss: number): boolean => {
        if (!peerTakes || !largeLengthOk(f.length) || !Number.isInteger(mss) || mss < 0 || mss > 0xffff) return false;
        if (room()) { stream.write(encodeLargeHeader(f.length, mss)); stream.write(f); large.sent++; }
        return true;
      },
      onLarge: (h: (f: Uint8Array, mss: number) => void): void => { largeHandler = h; },
    }),
  };
}

/** Two ports joined back to back (tests, and the machine when its back end runs in the same process). */
export function portPair(): [FramePort, FramePort] {
  let toA: (f: Uint8Array) => void = () => {}, toB: (f: Uint8Array) => void = () => {};
  type Large = (f: Uint8Array, mss: number) => void;
  let largeToA: Large | undefined, largeToB: Large | undefined;
  let open = true;
  const a: FramePort = {
    send: (f) => { if (open) toB(f); }, onFrame: (h) => { toA = h; }, close: () => { open = false; },
    sendLarge: (f, mss) => { if (largeToB === undefined) return false; if (open) largeToB(f, mss); return true; },
    onLarge: (h) => { largeToA = h; },
  };
  const b: FramePort = {
    send: (f) => { if (open) toA(f); }, onFrame: (h) => { toB = h; }, close: () => { open = false; },
    sendLarge: (f, mss) => { if (largeToA === undefined) return false; if (open) largeToA(f, mss); return true; },
    onLarge: (h) => { largeToB = h; },
  };
  return [a, b];
}
