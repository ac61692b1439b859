// The glue between the stack (stack/) and the `nic` driver (services/nic/): turns the
// driver's service into the stack's Link (link.ts) and runs the receive loop that feeds
// every arriving frame to the stack. The driver is a peer like any other: a direct call
// when both sit in the kernel domain, a message on a channel otherwise.
//
// Transmit does not wait: the stack sends synchronously (link.ts), so each frame is
// handed to the driver and the call's outcome only counted. A frame whose call fails
// (the driver crashed and is restarting, its ring is full) is lost, as on a wire; TCP
// retransmits it. The receive loop asks for a batch of frames at a time (one call, one
// wake-up for up to RECEIVE_BATCH frames) and, when the driver fails, waits a little
// and asks again: after a restart the new driver finds the frames the device queued.

import type { Link } from './link.js';
import type { NicService } from '../../abi/services.js';

const RECEIVE_BATCH = 64;
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

/** Opens the link on driver `nic` and starts feeding `deliver` with the frames that arrive. */
export async function openNicLink(nic: NicService, deliver: (frame: Uint8Array) => void, log: (line: string) => void = () => {}): Promise<NicLink> {
  const info = await nic.info();
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
      for (const f of frames) {
        stats.received++;
        deliver(f);
      }
    }
  }
  void receiveLoop();

  return {
    mac: info.mac,
    mtu: info.mtu,
    stats,
    transmit(frame: Uint8Array): void {
      nic.transmit(frame).then((queued) => { if (queued) stats.sent++; else stats.sendFailed++; }, () => { stats.sendFailed++; });
    },
    stop(): void { running = false; },
  };
}
