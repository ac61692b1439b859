// Endpoints: one side of a channel. Two transports behind one interface:
//
// - ShmEndpoint: two shared-memory message rings (one per direction) and the peer
//   thread's doorbell. Sending encodes the message into the ring and rings the bell;
//   the receiving thread's poll loop drains its ring. No thread in between.
// - PortEndpoint: the structured-clone message port (postMessage), kept on purpose as
//   the first-generation baseline: every message is a host event.

import { MessageRing, ringBytes } from '../../lib/ring.js';
import { encode, decode } from '../../lib/codec.js';
import type { Doorbell } from '../../lib/poller.js';
import { isMessage, type Message } from './message.js';

export interface Endpoint {
  send(message: Message): void;
  /** Delivers waiting messages to the handler; true if any were delivered. */
  poll(): boolean;
  setHandler(handler: (message: Message) => void): void;
}

/** The shared memory of one shm channel: ring A->B then ring B->A. */
export function channelMemory(ringCapacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * ringBytes(ringCapacity));
}

export class ShmEndpoint implements Endpoint {
  private readonly out: MessageRing;
  private readonly in: MessageRing;
  private readonly backlog: Uint8Array[] = [];
  private handler: (message: Message) => void = () => {};

  /** `side` 0 sends on the first ring, side 1 on the second. */
  constructor(memory: SharedArrayBuffer, side: 0 | 1, private readonly peerBell: Doorbell) {
    const capacity = memory.byteLength / 2 - 8;
    const a = new MessageRing(memory, 0, capacity);
    const b = new MessageRing(memory, ringBytes(capacity), capacity);
    this.out = side === 0 ? a : b;
    this.in = side === 0 ? b : a;
  }

  setHandler(handler: (message: Message) => void): void { this.handler = handler; }

  send(message: Message): void {
    const bytes = encode(message);
    if (bytes.length > this.out.maxMessage) throw new RangeError(`ipc: message of ${bytes.length} bytes exceeds the channel's ${this.out.maxMessage}`);
    // Keep order: once something waits in the backlog, everything queues behind it.
    if (this.backlog.length > 0 || !this.out.push(bytes)) this.backlog.push(bytes);
    this.peerBell.ring();
  }

  poll(): boolean {
    let worked = false;
    while (this.backlog.length > 0 && this.out.push(this.backlog[0]!)) { this.backlog.shift(); this.peerBell.ring(); worked = true; }
    for (let bytes = this.in.pop(); bytes !== undefined; bytes = this.in.pop()) {
      worked = true;
      const m = decode(bytes);
      if (isMessage(m)) this.handler(m);
    }
    return worked;
  }

  get maxMessage(): number { return this.out.maxMessage; }
}

/** The structural type of a message port (Node's MessagePort/Worker, a browser's). */
export interface PortLike {
  post(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
}

export class PortEndpoint implements Endpoint {
  private handler: (message: Message) => void = () => {};
  constructor(private readonly port: PortLike) {
    port.onMessage((m) => { if (isMessage(m)) this.handler(m); });
  }
  setHandler(handler: (message: Message) => void): void { this.handler = handler; }
  send(message: Message): void { this.port.post(message); }
  poll(): boolean { return false; }
}
