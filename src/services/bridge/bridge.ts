// bridge: an Ethernet learning bridge between a machine's two network devices, the
// drivers `nic` (eth0) and `nic1` (eth1). It is what claim C7 of the lab is about
// ("bridging two network devices inside the kernel avoids context switches"): placed
// in the kernel domain, its calls to both drivers are direct calls in the kernel
// thread; in its own server (`microkernel`), each batch of frames it takes and each
// frame it sends on is a message on a channel between two server threads.
//
// Two loops, one per direction: ask one driver for a batch of frames (one call for up
// to BATCH frames), learn each source address on the side it came from, and hand each
// frame to the other driver unless its destination was learned on the side it came
// from (IEEE 802.1D's filtering). The learning table is bounded like the host's
// switch (hosts/node/net/switch.ts): at most MAX_LEARNED addresses, oldest forgotten
// first. A frame the other driver refuses (its ring is full, it is restarting) is
// dropped and counted, as a bridge with no buffer left drops it; the sending
// machine's TCP retransmits.

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { BridgeService, BridgeStats, NicService } from '../../abi/services.js';

export const manifest: Manifest = {
  name: 'bridge',
  description: 'Ethernet learning bridge between eth0 (nic) and eth1 (nic1)',
  uses: ['nic', 'nic1'],
};

/** Frames asked for per receive call. */
const BATCH = 64;
/** Most addresses the bridge remembers. */
const MAX_LEARNED = 1024;
/** Pause before asking a failing driver again (ms). */
const RETRY_MS = 50;

/** The learning table: a MAC address (as a number) -> the side (0: eth0, 1: eth1) it was last seen on. */
export class LearningTable {
  private readonly side = new Map<number, 0 | 1>();
  constructor(private readonly max = MAX_LEARNED) {}
  get size(): number { return this.side.size; }
  /** Learns `mac` on `side`; a new address past the bound evicts the oldest. */
  learn(mac: number, side: 0 | 1): void {
    if (this.side.get(mac) === side) return;
    this.side.delete(mac);
    if (this.side.size >= this.max) this.side.delete(this.side.keys().next().value!);
    this.side.set(mac, side);
  }
  lookup(mac: number): 0 | 1 | undefined { return this.side.get(mac); }
}

// A MAC address as one number: 48 bits fit a double exactly.
const macAt = (f: Uint8Array, at: number): number => f[at]! * 2 ** 40 + f[at + 1]! * 2 ** 32 + ((f[at + 2]! << 24) >>> 0) + (f[at + 3]! << 16) + (f[at + 4]! << 8) + f[at + 5]!;

export function create(ctx: ComponentContext): ComponentInstance & BridgeService {
  const nics: [NicService, NicService] = [ctx.peer<NicService>('nic'), ctx.peer<NicService>('nic1')];
  const table = new LearningTable();
  const stats: BridgeStats = { forwarded: 0, flooded: 0, filtered: 0, dropped: 0, learned: 0 };
  let running = true;

  async function forward(from: 0 | 1): Promise<void> {
    const to: 0 | 1 = from === 0 ? 1 : 0;
    let failures = 0;
    while (running) {
      let frames: Uint8Array[];
      try {
        // NOTE: await; parks in the driver until frames arrive.
        frames = await nics[from].receive(BATCH);
      } catch (e) {
        if (!running) return;
        if (failures++ % 100 === 0) ctx.log(`bridge: eth${from}: receive failed (${e instanceof Error ? e.message : String(e)}); retrying`);
        await new Promise<void>((r) => { setTimeout(r, RETRY_MS); });
        continue;
      }
      const sends: Promise<boolean>[] = [];
      for (const f of frames) {
        const source = macAt(f, 6), destination = macAt(f, 0);
        // A multicast source address is not a station's: never learned.
        if ((f[6]! & 1) === 0) table.learn(source, from);
        const where = (f[0]! & 1) === 1 ? undefined : table.lookup(destination);
        if (where === from) { stats.filtered++; continue; }
        if (where === undefined) stats.flooded++;
        sends.push(nics[to].transmit(f));
      }
      // Every frame of the batch is handed over before any answer is awaited: under
      // `microkernel` the calls travel together on the channel.
      for (const s of sends) {
        try { if (await s) stats.forwarded++; else stats.dropped++; } catch { stats.dropped++; }
      }
    }
  }

  return {
    async init(): Promise<void> {
      void forward(0);
      void forward(1);
      ctx.log('bridge: forwarding between eth0 and eth1');
    },
    async shutdown(): Promise<void> { running = false; },
    async stats(): Promise<BridgeStats> { return { ...stats, learned: table.size }; },
  };
}
