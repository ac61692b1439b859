// Endpoints: one side of a channel. Two transports behind one interface:
//
// - ShmEndpoint: two shared-memory message rings (one per direction) and the peer
//   thread's doorbell. Sending encodes the message (with the channel's wire, wire.ts)
//   into the ring and rings the bell; the receiving thread's poll loop drains its
//   ring. No thread in between.
// - PortEndpoint: the structured-clone message port (postMessage), kept on purpose as
//   the first-generation baseline: every message is a host event.

import { MessageRing, ringBytes } from '../../lib/ring.js';
import type { Doorbell } from '../../lib/poller.js';
import { isMessage, type Message } from './message.js';
import { codecWire, KIND_CODEC, type Wire } from './wire.js';

export interface Endpoint {
  send(message: Message): void;
  /**
   * Whether `send` is done with the message when it returns (it laid it out in shared
   * memory), so the sender may reuse the object. A port may hold on to it (an
   * in-process port delivers the object itself, later).
   */
  readonly sendCopies: boolean;
  /**
   * The size in bytes of the last message sent or delivered, and whether it was in a
   * fixed layout (wire.ts): valid only right after the send, or in the handler during
   * the delivery (a traced call reads them there, rpc.ts). -1 where the size is not
   * visible (a structured clone).
   */
  readonly lastBytes: number;
  readonly lastFixed: boolean;
  /**
   * Whether the thread at the other end was asleep when the last message was sent (the
   * send woke it): a caller waiting synchronously for its answer sleeps at once instead
   * of spinning. False where it is not visible (a port).
   */
  readonly peerAsleep: boolean;
  /** Delivers waiting messages to the handler; true if any were delivered. */
  poll(): boolean;
  setHandler(handler: (message: Message) => void): void;
}

/** The shared memory of one shm channel: ring A->B then ring B->A. */
export function channelMemory(ringCapacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * ringBytes(ringCapacity));
}

// Each ring record starts with a flag byte: WHOLE, or a fragment of a message larger
// than a ring record can be (MORE ... LAST), reassembled by the receiver.
const WHOLE = 0, MORE = 1, LAST = 2;

export class ShmEndpoint implements Endpoint {
  private readonly out: MessageRing;
  private readonly in: MessageRing;
  private readonly backlog: Uint8Array[] = [];
  private readonly fragments: Uint8Array[] = [];
  private handler: (message: Message) => void = () => {};
  // Size and layout of the last record sent or delivered.
  private lastLength = 0;
  private lastKind = -1;
  private peerSlept = false;
  readonly sendCopies = true;

  /** `side` 0 sends on the first ring, side 1 on the second. */
  constructor(memory: SharedArrayBuffer, side: 0 | 1, private readonly peerBell: Doorbell, private readonly wire: Wire = codecWire) {
    const capacity = memory.byteLength / 2 - 8;
    const a = new MessageRing(memory, 0, capacity);
    const b = new MessageRing(memory, ringBytes(capacity), capacity);
    this.out = side === 0 ? a : b;
    this.in = side === 0 ? b : a;
  }

  setHandler(handler: (message: Message) => void): void { this.handler = handler; }

  private record(flag: number, body: Uint8Array): Uint8Array {
    const r = new Uint8Array(body.length + 1);
    r[0] = flag;
    r.set(body, 1);
    return r;
  }

  send(message: Message): void {
    // The wire leaves byte 0 for the flag; its record is its own reused buffer, copied
    // into the ring here (or into the backlog when the ring is full).
    const length = this.wire.lay(message);
    const record = this.wire.record;
    this.lastLength = length;
    this.lastKind = length > 1 ? record[1]! : -1;
    const max = this.out.maxMessage - 1;
    if (length - 1 <= max) { record[0] = WHOLE; this.queue(record, length); }
    else {
      const bytes = record.subarray(1, length);
      for (let at = 0; at < bytes.length; at += max) {
        const part = this.record(at + max >= bytes.length ? LAST : MORE, bytes.subarray(at, at + max));
        this.queue(part, part.length);
      }
    }
    this.peerSlept = this.peerBell.ring();
  }

  private queue(record: Uint8Array, length: number): void {
    // Keep order: once something waits in the backlog, everything queues behind it.
    if (this.backlog.length > 0 || !this.out.push(record, length)) this.backlog.push(record.slice(0, length));
  }

  poll(): boolean {
    let worked = false;
    while (this.backlog.length > 0 && this.out.push(this.backlog[0]!)) { this.backlog.shift(); this.peerBell.ring(); worked = true; }
    let freedRoom = false;
    const ring = this.in;
    const data = ring.bytes;
    for (let len = ring.peek(); len >= 0; len = ring.peek()) {
      worked = true;
      const at = ring.peekAt;
      const flag = data[at];
      if (flag === WHOLE) {
        // Decoded in place (the wire copies out what the message keeps), then the room
        // goes back to the sender before the handler runs.
        const m = this.wire.decode(data, at, len);
        this.noteDelivered(data, at, len);
        ring.advance();
        if (m !== undefined) this.handler(m);
        continue;
      }
      // A large message: the sender may be waiting for room to push the next part.
      freedRoom = true;
      this.fragments.push(data.slice(at + 1, at + len));
      ring.advance();
      if (flag === LAST) {
        const total = this.fragments.reduce((n, f) => n + f.length, 0);
        const whole = new Uint8Array(total + 1);
        let pos = 1;
        for (const f of this.fragments.splice(0)) { whole.set(f, pos); pos += f.length; }
        const m = this.wire.decode(whole, 0, whole.length, true);
        this.noteDelivered(whole, 0, whole.length);
        if (m !== undefined) this.handler(m);
      }
    }
    if (freedRoom) this.peerBell.ring();
    return worked;
  }

  private noteDelivered(buf: Uint8Array, at: number, len: number): void {
    this.lastLength = len;
    this.lastKind = len > 1 ? buf[at + 1]! : -1;
  }

  get lastBytes(): number { return this.lastLength; }
  get peerAsleep(): boolean { return this.peerSlept; }
  get lastFixed(): boolean { return this.lastKind >= 0 && this.wire !== codecWire && this.lastKind !== KIND_CODEC; }

  /** Messages queued behind a full ring. */
  get backlogged(): number { return this.backlog.length; }
}

/** The structural type of a message port (Node's MessagePort/Worker, a browser's). */
export interface PortLike {
  post(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
}

export class PortEndpoint implements Endpoint {
  private handler: (message: Message) => void = () => {};
  readonly lastBytes = -1;
  readonly lastFixed = false;
  readonly sendCopies = false;
  readonly peerAsleep = false;
  constructor(private readonly port: PortLike) {
    port.onMessage((m) => { if (isMessage(m)) this.handler(m); });
  }
  setHandler(handler: (message: Message) => void): void { this.handler = handler; }
  send(message: Message): void { this.port.post(message); }
  poll(): boolean { return false; }
}
