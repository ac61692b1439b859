// The glue between the stack (stack/) and the `nic` driver (services/nic/): turns the
// driver's service into the stack's Link (link.ts) and runs the receive loop that feeds
// every arriving frame to the stack. The driver is a peer like any other: a direct call
// when both sit in the kernel domain, a message on a channel otherwise.
//
// Transmit does not wait: the stack sends synchronously (link.ts), so frames are
// queued here and handed to the driver together at the end of the current turn (one
// `transmitMany` call per TRANSMIT_BATCH frames: one message and one doorbell for a
// burst of segments, not one per segment); the call's outcome is only counted. A frame
// whose call fails (the driver crashed and is restarting, its ring is full) is lost,
// as on a wire; TCP retransmits it. The receive loop asks for a batch of frames at a time (one call, one
// wake-up for up to RECEIVE_BATCH frames) and, when the driver fails, waits a little
// and asks again: after a restart the new driver finds the frames the device queued.
//
// Segmentation offload: the link asks the driver for NIC_F_TSO and NIC_F_GRO (unless
// `offload: false`); with TSO accepted it offers the stack `gsoMax` (the largest IPv4
// datagram), and a large TCP segment the stack hands over goes to the driver whole with
// its mss (a batch's `mss` list, 0 for ordinary frames). With GRO the driver may return
// large segments, which the stack takes as the run of segments they stand for.

import type { Link } from './link.js';
import type { NicService } from '../../abi/services.js';
import { NIC_F_TSO, NIC_F_GRO } from '../../abi/device.js';

const RECEIVE_BATCH = 64;
/** Most frames one transmitMany carries (about 97 KB: a message the channels take in a few pieces). */
const TRANSMIT_BATCH = 64;
/** Bytes one transmitMany carries at most (large segments make a few frames many bytes). */
const TRANSMIT_BATCH_BYTES = 256 * 1024;
/** The largest IPv4 datagram a large segment may be (the IPv4 length field's limit). */
const GSO_MAX = 65535;
/** Pause before asking a failing driver again (ms). */
const RETRY_MS = 50;

export interface NicLinkStats {
  received: number;
  sent: number;
  /** Frames the driver refused or lost (ring full, restarting, malformed). */
  sendFailed: number;
  /** Receive calls that failed (the driver died during one). */
  receiveFailed: number;
}

export interface NicLink extends Link {
  readonly stats: NicLinkStats;
  /** Ends the receive loop (its last call may stay parked in the driver until a frame comes). */
  stop(): void;
}

/** The largest mss whose frames fit `mtu` with the headers of the large segment `f` (Ethernet, IPv4, TCP). */
export function largestMss(f: Uint8Array, mtu: number): number {
  const ip = (f[14]! & 0x0f) * 4, tcp = ((f[14 + ip + 12] ?? 0x50) >> 4) * 4;
  return mtu - ip - tcp;
}

/** Opens the link on driver `nic` and starts feeding `deliver` with the frames that arrive, a batch at a time. */
export async function openNicLink(nic: NicService, deliver: (frames: Uint8Array[]) => void, log: (line: string) => void = () => {}, options: { offload?: boolean } = {}): Promise<NicLink> {
  const info = await nic.info();
  let features = 0;
  if (options.offload !== false) {
    try { features = await nic.offload(NIC_F_TSO | NIC_F_GRO); } catch (e) { log(`eth0: no offload (${e instanceof Error ? e.message : String(e)})`); }
  }
  const stats: NicLinkStats = { received: 0, sent: 0, sendFailed: 0, receiveFailed: 0 };
  let running = true;

  async function receiveLoop(): Promise<void> {
    while (running) {
      let frames: Uint8Array[];
      try {
        // NOTE: await; parks in the driver until frames arrive.
        frames = await nic.receive(RECEIVE_BATCH);
      } catch (e) {
        if (!running) return;
        stats.receiveFailed++;
        if (stats.receiveFailed === 1 || stats.receiveFailed % 100 === 0) log(`eth0: receive failed (${e instanceof Error ? e.message : String(e)}); retrying`);
        await new Promise<void>((r) => { setTimeout(r, RETRY_MS); });
        continue;
      }
      stats.received += frames.length;
      if (frames.length > 0) deliver(frames);
    }
  }
  void receiveLoop();

  // Frames the stack sent in this turn, in order; flush hands them to the driver.
  let outgoing: Uint8Array[] = [];
  // Each frame's mss when the turn queued a large segment (0 for ordinary frames), else undefined.
  let outgoingMss: number[] | undefined;
  function flush(): void {
    const frames = outgoing, mss = outgoingMss;
    outgoing = [];
    outgoingMss = undefined;
    for (let at = 0; at < frames.length;) {
      let end = Math.min(frames.length, at + TRANSMIT_BATCH);
      if (mss !== undefined) {
        let bytes = 0;
        for (let i = at; i < end; i++) { bytes += frames[i]!.length; if (bytes > TRANSMIT_BATCH_BYTES && i > at) { end = i; break; } }
      }
      const batch = at === 0 && end === frames.length ? frames : frames.slice(at, end);
      const sent = mss === undefined ? nic.transmitMany(batch) : nic.transmitMany(batch, mss.slice(at, end));
      sent.then((queued) => { stats.sent += queued; stats.sendFailed += batch.length - queued; }, () => { stats.sendFailed += batch.length; });
      at = end;
    }
  }

  return {
    mac: info.mac,
    mtu: info.mtu,
    gsoMax: (features & NIC_F_TSO) !== 0 ? GSO_MAX : 0,
    stats,
    transmit(frame: Uint8Array, mss?: number): void {
      if (mss !== undefined && mss > 0) {
        if (outgoingMss === undefined) outgoingMss = outgoing.map(() => 0);
        outgoingMss.push(mss);
      } else outgoingMss?.push(0);
      outgoing.push(frame);
      // NOTE: a resolved promise, not queueMicrotask: Node wraps each queueMicrotask
      // callback in an AsyncResource, a measurable cost per segment.
      if (outgoing.length === 1) void Promise.resolve().then(flush);
    },
    stop(): void { running = false; },
  };
}
