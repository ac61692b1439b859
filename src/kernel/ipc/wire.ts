// How a Message (message.ts) is laid out in a ring record. Two wires:
//
// - codecWire: the whole message self-described by lib/codec (tags, key names,
//   method names as strings). The first-generation (`mach`) transport uses it.
// - fixedWire(serves, calls): the L4-like layout for a channel whose services are
//   known at both ends (one channel per `uses` edge). A call is a method number and
//   its arguments in register-like slots, laid out by the service list
//   (abi/services.ts); a reply is the result in the slots of its method:
//
//     byte 0   fragment flag (owned by the endpoint)
//     byte 1   kind: 1 call, 2 reply, 0 a codec-encoded message (anything else)
//     u16      method number
//     u32      call id
//     slots    int/num: f64; bool: u8; str: u32 count + UTF-16 units (no TextEncoder);
//              bytes: u32 length + the bytes (the one copy into the ring);
//              base (a PathBase): u8 0 + str, or u8 1 + f64 handle + u8 beneath;
//              optional: u8 present + slot; oneOf: u8 index; record: its fields in
//              order (fields the shape does not name are not carried); list: u32 count + items
//
// Anything that does not fit its method's layout — an error reply, a value of shape
// `any` (host filesystem requests), or a reply of the wrong shape from a faulty
// server — travels codec-encoded in the same channel, so the caller's one reply check
// (abi/services.ts checkReply) sees exactly what the callee sent.

import { encode, decode } from '../../lib/codec.js';
import type { Value } from '../../lib/codec.js';
import type { ServiceDef, MethodDef } from '../../abi/services.js';
import { conforms, isFixed, type Shape } from '../../abi/shape.js';
import { isMessage, type Message } from './message.js';

export interface Wire {
  /**
   * Lays `m` out as a record in `record` and returns its length; byte 0 is left for the
   * endpoint's fragment flag. The record is the wire's own buffer, reused by the next
   * `lay`: the caller copies it out (into a ring) at once. Nothing is allocated for a
   * fixed-layout message, not even a view of the buffer.
   */
  lay(m: Message): number;
  /** The buffer `lay` wrote into (may be a new one after a `lay` that needed more room). */
  readonly record: Uint8Array;
  /** The record for `m` as its own array (tests, cold paths); byte 0 is left for the flag. */
  encode(m: Message): Uint8Array;
  /**
   * The message in `buf[at, at + len)`, valid during the delivery only (a fixed reply
   * is one reused object; what it carries may be kept) (byte 0, the flag, included; `len` defaults to
   * the rest of `buf`), or undefined when it is malformed. `buf` may be the ring itself:
   * whatever the message keeps (a `bytes` slot) is copied out, scalars are read in place.
   * `owned`: the buffer is the receiver's own copy, so a `bytes` slot may be a view of it.
   */
  decode(buf: Uint8Array, at?: number, len?: number, owned?: boolean): Message | undefined;
}

let codecRecord = new Uint8Array(0);

export const codecWire: Wire = {
  lay(m: Message): number {
    const body = encode(m);
    codecRecord = new Uint8Array(body.length + 1);
    codecRecord.set(body, 1);
    return codecRecord.length;
  },
  get record(): Uint8Array { return codecRecord; },
  encode(m: Message): Uint8Array { const n = codecWire.lay(m); return codecRecord.subarray(0, n); },
  decode(buf: Uint8Array, at = 0, len = buf.length - at): Message | undefined {
    try {
      // The codec copies out every byte array it decodes (lib/codec.ts), so reading in place is safe.
      const m = decode(buf.subarray(at + 1, at + len));
      return isMessage(m) ? m : undefined;
    } catch { return undefined; }
  },
};

/** Byte 1 of a fixed-wire record: 0 when it holds a codec-encoded message instead. */
export const KIND_CODEC = 0;
const KIND_CALL = 1, KIND_REPLY = 2;
const HEADER = 8;

class Writer {
  buf = new Uint8Array(512);
  view = new DataView(this.buf.buffer);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

function writeSlot(w: Writer, shape: Shape, v: unknown): void {
  if (typeof shape === 'string') {
    switch (shape) {
      case 'int': case 'num': w.ensure(8); w.view.setFloat64(w.pos, v as number, true); w.pos += 8; return;
      case 'bool': w.ensure(1); w.buf[w.pos++] = v === true ? 1 : 0; return;
      case 'void': return;
      case 'str': {
        const s = v as string;
        w.ensure(4 + 2 * s.length);
        w.view.setUint32(w.pos, s.length, true);
        let at = w.pos + 4;
        for (let i = 0; i < s.length; i++, at += 2) w.view.setUint16(at, s.charCodeAt(i), true);
        w.pos = at;
        return;
      }
      case 'bytes': {
        const b = v as Uint8Array;
        w.ensure(4 + b.length);
        w.view.setUint32(w.pos, b.length, true);
        w.buf.set(b, w.pos + 4);
        w.pos += 4 + b.length;
        return;
      }
      case 'base': {
        // u8 0 + str: a directory path; u8 1 + f64 handle + u8 beneath (0 absent, 1 false, 2 true).
        w.ensure(1);
        if (typeof v === 'string') { w.buf[w.pos++] = 0; writeSlot(w, 'str', v); return; }
        const b = v as { dir: number; beneath?: boolean };
        w.buf[w.pos++] = 1;
        writeSlot(w, 'num', b.dir);
        w.ensure(1);
        w.buf[w.pos++] = b.beneath === undefined ? 0 : b.beneath ? 2 : 1;
        return;
      }
      case 'any': throw new TypeError('wire: no slot for any');
    }
  }
  if ('list' in shape) {
    const items = v as readonly unknown[];
    w.ensure(4);
    w.view.setUint32(w.pos, items.length, true);
    w.pos += 4;
    for (const item of items) writeSlot(w, shape.list, item);
    return;
  }
  if ('optional' in shape) {
    w.ensure(1);
    if (v === undefined || v === null) { w.buf[w.pos++] = 0; return; }
    w.buf[w.pos++] = 1;
    writeSlot(w, shape.optional, v);
    return;
  }
  if ('oneOf' in shape) { w.ensure(1); w.buf[w.pos++] = shape.oneOf.indexOf(v as string); return; }
  if ('record' in shape) {
    for (const [k, s] of Object.entries(shape.record)) writeSlot(w, s, (v as Record<string, unknown>)[k]);
    return;
  }
}

// One reader per wire, reused for every record: positions are absolute in `buf`, and
// the DataView is made again only when the buffer changes (a ring's is made once).
class Reader {
  buf: Uint8Array = new Uint8Array(0);
  view = new DataView(this.buf.buffer);
  pos = 0;
  end = 0;
  owned = false;
  reset(buf: Uint8Array, at: number, len: number, owned: boolean): void {
    if (buf !== this.buf) { this.buf = buf; this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength); }
    this.pos = at + HEADER;
    this.end = at + len;
    this.owned = owned;
  }
  need(n: number): void { if (this.pos + n > this.end) throw new RangeError('wire: truncated record'); }
}

function readSlot(r: Reader, shape: Shape): Value {
  if (typeof shape === 'string') {
    switch (shape) {
      case 'int': case 'num': { r.need(8); const v = r.view.getFloat64(r.pos, true); r.pos += 8; return v; }
      case 'bool': r.need(1); return r.buf[r.pos++] === 1;
      case 'void': return undefined;
      case 'str': {
        r.need(4);
        const n = r.view.getUint32(r.pos, true);
        r.pos += 4;
        r.need(2 * n);
        let s = '';
        // Short strings (paths) one unit at a time; long ones in chunks.
        for (let i = 0; i < n; i += 1024) {
          const k = Math.min(1024, n - i);
          const units = new Array<number>(k);
          for (let j = 0; j < k; j++) units[j] = r.view.getUint16(r.pos + 2 * (i + j), true);
          s += String.fromCharCode(...units);
        }
        r.pos += 2 * n;
        return s;
      }
      case 'bytes': {
        r.need(4);
        const n = r.view.getUint32(r.pos, true);
        r.pos += 4;
        r.need(n);
        // Read in place from the ring: the one copy the receiver keeps. From its own copy
        // (a reassembled large message): a view.
        const b = r.owned ? r.buf.subarray(r.pos, r.pos + n) : r.buf.slice(r.pos, r.pos + n);
        r.pos += n;
        return b;
      }
      case 'base': {
        r.need(1);
        if (r.buf[r.pos++] === 0) return readSlot(r, 'str');
        const dir = readSlot(r, 'num') as number;
        r.need(1);
        const flag = r.buf[r.pos++];
        if (flag === 0) return { dir };
        if (flag === 1 || flag === 2) return { dir, beneath: flag === 2 };
        throw new RangeError('wire: bad path base');
      }
      case 'any': throw new TypeError('wire: no slot for any');
    }
  }
  if ('list' in shape) {
    r.need(4);
    const n = r.view.getUint32(r.pos, true);
    r.pos += 4;
    // Every item takes at least one byte, so a count past the record is malformed.
    r.need(n);
    const items = new Array<Value>(n);
    for (let i = 0; i < n; i++) items[i] = readSlot(r, shape.list);
    return items;
  }
  if ('optional' in shape) { r.need(1); return r.buf[r.pos++] === 0 ? undefined : readSlot(r, shape.optional); }
  if ('oneOf' in shape) {
    r.need(1);
    const v = shape.oneOf[r.buf[r.pos++]!];
    if (v === undefined) throw new RangeError('wire: bad enumeration index');
    return v;
  }
  if ('record' in shape) {
    const out: Record<string, Value> = {};
    for (const [k, s] of Object.entries(shape.record)) {
      // An absent optional field stays absent (as the sender's object had it), not a key holding undefined.
      const v = readSlot(r, s);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  throw new TypeError('wire: unknown shape');
}

function argsFit(def: MethodDef, args: readonly unknown[]): boolean {
  if (args.length > def.args.length) return false;
  for (let i = 0; i < def.args.length; i++) {
    const shape = def.args[i]![1];
    if (!isFixed(shape) || !conforms(shape, args[i])) return false;
  }
  return true;
}

/** The fixed-layout wire of a channel end that serves `serves` and calls `calls`. */
export function fixedWire(serves: ServiceDef | undefined, calls: ServiceDef | undefined): Wire {
  const w = new Writer();
  const reader = new Reader();
  const header = (kind: number, nr: number, id: number): void => {
    w.pos = 0;
    w.ensure(HEADER);
    w.buf[0] = 0;
    w.buf[1] = kind;
    w.view.setUint16(2, nr, true);
    w.view.setUint32(4, id, true);
    w.pos = HEADER;
  };
  // The writer is reused: the endpoint copies the record into the ring (or its backlog) at once.
  let spill = new Uint8Array(0);
  const lay = (m: Message): number => {
    if (m.t === 'call' && calls !== undefined) {
      const def = calls.byName.get(m.m);
      if (def !== undefined && argsFit(def, m.a)) {
        header(KIND_CALL, def.nr, m.id);
        for (let i = 0; i < def.args.length; i++) writeSlot(w, def.args[i]![1], m.a[i]);
        spill = w.buf;
        return w.pos;
      }
    } else if (m.t === 'ok' && serves !== undefined && m.nr !== undefined) {
      const def = serves.byNr.get(m.nr);
      if (def !== undefined && isFixed(def.result) && conforms(def.result, m.v)) {
        header(KIND_REPLY, def.nr, m.id);
        writeSlot(w, def.result, m.v);
        spill = w.buf;
        return w.pos;
      }
    }
    // Off the layout: self-described, after the kind byte.
    const body = encode(m);
    spill = new Uint8Array(body.length + 2);
    spill[1] = KIND_CODEC;
    spill.set(body, 2);
    return spill.length;
  };
  // One reply message per wire, filled in by decode: the endpoint's handler (rpc.ts)
  // reads it during the delivery and keeps nothing of it but the value.
  const reply = { t: 'ok' as const, id: 0, v: undefined as Value, nr: 0 };
  return {
    lay,
    get record(): Uint8Array { return spill; },
    encode(m: Message): Uint8Array { const n = lay(m); return spill.slice(0, n); },
    decode(buf: Uint8Array, at = 0, len = buf.length - at, owned = false): Message | undefined {
      if (len < 2) return undefined;
      const kind = buf[at + 1];
      if (kind === KIND_CODEC) return codecWire.decode(buf, at + 1, len - 1);
      if (len < HEADER) return undefined;
      const r = reader;
      r.reset(buf, at, len, owned);
      const nr = r.view.getUint16(at + 2, true), id = r.view.getUint32(at + 4, true);
      try {
        if (kind === KIND_CALL && serves !== undefined) {
          const def = serves.byNr.get(nr);
          if (def === undefined) return undefined;
          const a: Value[] = new Array<Value>(def.args.length);
          for (let i = 0; i < def.args.length; i++) a[i] = readSlot(r, def.args[i]![1]);
          return { t: 'call', id, to: serves.name, m: def.name, a, nr };
        }
        if (kind === KIND_REPLY && calls !== undefined) {
          const def = calls.byNr.get(nr);
          if (def === undefined) return undefined;
          reply.id = id;
          reply.v = readSlot(r, def.result);
          reply.nr = nr;
          return reply;
        }
      } catch { return undefined; }
      return undefined;
    },
  };
}
