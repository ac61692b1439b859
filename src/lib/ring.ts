// Single-producer single-consumer rings over shared memory.
//
// ByteRing: a stream of bytes (console input/output).
// MessageRing: whole messages of variable length, each a u32 length then the bytes;
// a length of 0xffffffff is a wrap marker (the rest of the ring is skipped). Messages
// that cannot fit at all are refused by `push` (returns false) so the caller can wait.
//
// Layout of both: Int32 [head, tail] at `headerOffset` (head: next byte the consumer
// reads; tail: next byte the producer writes; both grow without bound modulo 2^31 and
// are reduced modulo capacity), then `capacity` data bytes. The producer publishes
// with a release store of tail after writing the bytes; the consumer publishes head
// after reading. Atomics give the ordering on every host.

const HEAD = 0;
const TAIL = 1;
export const RING_HEADER_BYTES = 8;
const WRAP = 0xffffffff;
const INDEX_MASK = 0x7fffffff;
// Messages up to this many bytes are copied into the ring by a loop (no view made).
const SHORT = 64;

export function ringBytes(capacity: number): number {
  return RING_HEADER_BYTES + capacity;
}

class RingBase {
  protected readonly ctl: Int32Array;
  protected readonly data: Uint8Array;
  protected readonly view: DataView;

  constructor(buffer: SharedArrayBuffer, offset: number, readonly capacity: number) {
    if (offset % 4 !== 0) throw new RangeError('ring: header must be 4-byte aligned');
    this.ctl = new Int32Array(buffer, offset, 2);
    this.data = new Uint8Array(buffer, offset + RING_HEADER_BYTES, capacity);
    this.view = new DataView(buffer, offset + RING_HEADER_BYTES, capacity);
  }

  protected used(): number {
    return (Atomics.load(this.ctl, TAIL) - Atomics.load(this.ctl, HEAD)) & INDEX_MASK;
  }

  /** Bytes waiting to be consumed. */
  get available(): number { return this.used(); }

  isEmpty(): boolean { return Atomics.load(this.ctl, TAIL) === Atomics.load(this.ctl, HEAD); }

  /** Forgets everything (only when neither side is active, e.g. after a restart). */
  reset(): void { Atomics.store(this.ctl, HEAD, 0); Atomics.store(this.ctl, TAIL, 0); }
}

export class ByteRing extends RingBase {
  /** Writes as much of `bytes` as fits; returns the count written. */
  push(bytes: Uint8Array): number {
    const tail = Atomics.load(this.ctl, TAIL);
    const free = this.capacity - this.used();
    const n = Math.min(free, bytes.length);
    for (let i = 0; i < n; i++) this.data[(tail + i) % this.capacity] = bytes[i]!;
    Atomics.store(this.ctl, TAIL, (tail + n) & INDEX_MASK);
    return n;
  }

  /** Takes up to `max` bytes. */
  pop(max: number): Uint8Array {
    const head = Atomics.load(this.ctl, HEAD);
    const n = Math.min(max, this.used());
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.data[(head + i) % this.capacity]!;
    Atomics.store(this.ctl, HEAD, (head + n) & INDEX_MASK);
    return out;
  }
}

export class MessageRing extends RingBase {
  constructor(buffer: SharedArrayBuffer, offset: number, capacity: number) {
    super(buffer, offset, capacity);
    if (capacity % 4 !== 0) throw new RangeError('ring: capacity must be a multiple of 4');
  }

  /** Largest message `push` can ever accept. */
  get maxMessage(): number { return this.capacity / 2 - 8; }

  /**
   * Appends one message, the first `length` bytes of `message`; false when it does not
   * fit now (or ever: see maxMessage).
   */
  push(message: Uint8Array, length = message.length): boolean {
    const need = 4 + ((length + 3) & ~3);
    if (need > this.capacity / 2) return false;
    const tail = Atomics.load(this.ctl, TAIL);
    const used = this.used();
    let pos = tail % this.capacity;
    const toEnd = this.capacity - pos;
    let pad = 0;
    if (toEnd < need) pad = toEnd; // wrap: skip the end of the ring
    if (used + pad + need > this.capacity) return false;
    if (pad > 0) {
      if (toEnd >= 4) this.view.setUint32(pos, WRAP, true);
      pos = 0;
    }
    this.view.setUint32(pos, length, true);
    // A short record byte by byte: cheaper than the view `set` would need for a prefix.
    if (length <= SHORT) { const data = this.data; for (let i = 0, to = pos + 4; i < length; i++) data[to + i] = message[i]!; }
    else this.data.set(length === message.length ? message : message.subarray(0, length), pos + 4);
    Atomics.store(this.ctl, TAIL, (tail + pad + need) & INDEX_MASK);
    return true;
  }

  /** Where the message `peek` found starts in `data` (its length is what peek returned). */
  peekAt = 0;
  private nextHead = 0;

  /**
   * Finds the next message without taking it: returns its length and sets `peekAt`,
   * or -1 when the ring is empty. The bytes stay the consumer's until `advance()`,
   * which hands their room back to the producer; a consumer that reads in place
   * copies nothing it does not keep.
   */
  peek(): number {
    let head = Atomics.load(this.ctl, HEAD);
    if (head === Atomics.load(this.ctl, TAIL)) return -1;
    let pos = head % this.capacity;
    const toEnd = this.capacity - pos;
    if (toEnd < 4 || this.view.getUint32(pos, true) === WRAP) {
      head = (head + toEnd) & INDEX_MASK;
      pos = 0;
    }
    const len = this.view.getUint32(pos, true);
    // A length past the ring can only come from a corrupt producer: drop everything queued.
    if (len > this.capacity / 2) { Atomics.store(this.ctl, HEAD, Atomics.load(this.ctl, TAIL)); return -1; }
    this.peekAt = pos + 4;
    this.nextHead = (head + 4 + ((len + 3) & ~3)) & INDEX_MASK;
    return len;
  }

  /** Releases the message `peek` returned. */
  advance(): void { Atomics.store(this.ctl, HEAD, this.nextHead); }

  /** The ring's data bytes (messages sit at `peekAt` after a `peek`). */
  get bytes(): Uint8Array { return this.data; }

  /** Takes the next message (a copy), or undefined when empty. */
  pop(): Uint8Array | undefined {
    const len = this.peek();
    if (len < 0) return undefined;
    const out = this.data.slice(this.peekAt, this.peekAt + len);
    this.advance();
    return out;
  }
}
