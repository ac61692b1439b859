// A frame port: one end of a virtual Ethernet cable on the host. The NIC's device
// model, a switch, a TAP device, a pcap tap and the impairment stage all speak it, so
// a back end is a chain of ports (backends.ts). Frames cross a byte stream (the pipe
// between `kernelkit run` and its confined machine, a switch's Unix socket) as a
// 2-byte big-endian length and the frame; a length outside 14..1514 ends the stream
// (the peer is broken or hostile) rather than being resynchronised.

import type { Duplex } from 'node:stream';
import { NIC_MIN_FRAME, NIC_MAX_FRAME } from '../../../abi/device.js';

export interface FramePort {
  /** Sends one frame towards the other end; may drop it. */
  send(frame: Uint8Array): void;
  /** Where frames from the other end go (one handler; set before frames flow). */
  onFrame(handler: (frame: Uint8Array) => void): void;
  close(): void;
  /**
   * Only on a cable that carries large TCP segments whole (segmentation offload, the
   * in-process portPair): sends one with its mss; false when the other end takes no
   * large segments (the sender then sends its frames instead).
   */
  sendLarge?(frame: Uint8Array, mss: number): boolean;
  /** Where large segments from the other end go (with sendLarge). */
  onLarge?(handler: (frame: Uint8Array, mss: number) => void): void;
}

/** Whether a frame's length is one an Ethernet NIC (without FCS and VLAN tag) carries. */
export const frameLengthOk = (n: number): boolean => n >= NIC_MIN_FRAME && n <= NIC_MAX_FRAME;

/** Encodes one frame for a stream. */
export function encodeFrame(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + frame.length);
  out[0] = frame.length >>> 8;
  out[1] = frame.length & 0xff;
  out.set(frame, 2);
  return out;
}

/**
 * Splits a stream into frames. Returns a feeder: give it each chunk; it calls `frame`
 * per whole frame and returns false (and stops) at a bad length.
 */
export function frameSplitter(frame: (f: Uint8Array) => void): (chunk: Uint8Array) => boolean {
  let pending = new Uint8Array(0);
  let broken = false;
  return (chunk) => {
    if (broken) return false;
    const buf = pending.length === 0 ? chunk : concat(pending, chunk);
    let at = 0;
    while (buf.length - at >= 2) {
      const n = (buf[at]! << 8) | buf[at + 1]!;
      if (!frameLengthOk(n)) { broken = true; return false; }
      if (buf.length - at - 2 < n) break;
      frame(buf.slice(at + 2, at + 2 + n));
      at += 2 + n;
    }
    pending = buf.slice(at);
    return true;
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A frame port over a byte stream (a pipe, a Unix socket). `onEnd` runs once when it closes or breaks. */
export function streamPort(stream: Duplex, onEnd?: (why: string) => void): FramePort {
  let handler: (f: Uint8Array) => void = () => {};
  let ended = false;
  const end = (why: string): void => { if (ended) return; ended = true; stream.destroy(); onEnd?.(why); };
  const feed = frameSplitter((f) => handler(f));
  stream.on('data', (chunk: Buffer) => { if (!feed(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))) end('a bad frame length'); });
  stream.on('end', () => end('closed'));
  stream.on('close', () => end('closed'));
  stream.on('error', (e) => end(e.message));
  return {
    // NOTE: a slow reader makes the stream buffer grow; past 1 MiB queued, frames are
    // dropped (as a switch port's queue would) so a stalled peer cannot grow host memory.
    send: (frame) => { if (!ended && frameLengthOk(frame.length) && stream.writableLength < 1 << 20) stream.write(encodeFrame(frame)); },
    onFrame: (h) => { handler = h; },
    close: () => end('closed'),
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
