// A small self-describing binary encoding for the values that cross a domain
// boundary: IPC messages between components, and the structured results of a few
// syscalls. It handles undefined, null, booleans, numbers, strings, Uint8Array,
// arrays and plain objects — nothing with identity or methods, which is the point:
// what crosses a boundary is data.
//
// Layout: one tag byte, then the payload. Numbers are float64 (or int32 when exact),
// strings and byte arrays are u32 length + bytes, containers u32 count + items.

const T_UNDEF = 0, T_NULL = 1, T_FALSE = 2, T_TRUE = 3, T_I32 = 4, T_F64 = 5, T_STR = 6,
  T_BYTES = 7, T_ARRAY = 8, T_OBJECT = 9;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type Value =
  | undefined | null | boolean | number | string | Uint8Array
  | Value[] | { [key: string]: Value };

/** A growable byte buffer the encoder writes into. */
class Writer {
  buf = new Uint8Array(256);
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

  u8(v: number): void { this.ensure(1); this.buf[this.pos++] = v; }
  u32(v: number): void { this.ensure(4); this.view.setUint32(this.pos, v, true); this.pos += 4; }
  i32(v: number): void { this.ensure(4); this.view.setInt32(this.pos, v, true); this.pos += 4; }
  f64(v: number): void { this.ensure(8); this.view.setFloat64(this.pos, v, true); this.pos += 8; }
  bytes(b: Uint8Array): void { this.u32(b.length); this.ensure(b.length); this.buf.set(b, this.pos); this.pos += b.length; }
  str(s: string): void {
    // Worst case 3 bytes per UTF-16 unit.
    this.ensure(4 + s.length * 3);
    const { written } = encoder.encodeInto(s, this.buf.subarray(this.pos + 4));
    this.view.setUint32(this.pos, written, true);
    this.pos += 4 + written;
  }
}

function write(w: Writer, v: unknown, depth: number): void {
  if (depth > 64) throw new TypeError('codec: value nested too deeply');
  if (v === undefined) return w.u8(T_UNDEF);
  if (v === null) return w.u8(T_NULL);
  switch (typeof v) {
    case 'boolean': return w.u8(v ? T_TRUE : T_FALSE);
    case 'number':
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff && !Object.is(v, -0)) { w.u8(T_I32); w.i32(v); } else { w.u8(T_F64); w.f64(v); }
      return;
    case 'string': w.u8(T_STR); w.str(v); return;
    case 'object':
      if (v instanceof Uint8Array) { w.u8(T_BYTES); w.bytes(v); return; }
      if (Array.isArray(v)) {
        w.u8(T_ARRAY); w.u32(v.length);
        for (const item of v) write(w, item, depth + 1);
        return;
      }
      {
        const keys = Object.keys(v as object);
        w.u8(T_OBJECT); w.u32(keys.length);
        for (const k of keys) { w.str(k); write(w, (v as Record<string, unknown>)[k], depth + 1); }
      }
      return;
    default:
      throw new TypeError(`codec: cannot encode a ${typeof v}`);
  }
}

/** Encodes a value into a fresh Uint8Array. */
export function encode(v: unknown): Uint8Array {
  const w = new Writer();
  write(w, v, 0);
  return w.buf.subarray(0, w.pos);
}

/** Thrown for malformed input: truncated, unknown tag, or lengths past the end. */
export class DecodeError extends Error {
  constructor(message: string) { super(`codec: ${message}`); this.name = 'DecodeError'; }
}

class Reader {
  pos = 0;
  readonly view: DataView;
  readonly shared: boolean;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.shared = typeof SharedArrayBuffer !== 'undefined' && buf.buffer instanceof SharedArrayBuffer;
  }
  need(n: number): void { if (this.pos + n > this.buf.length) throw new DecodeError('truncated input'); }
  u8(): number { this.need(1); return this.buf[this.pos++]!; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(): number { this.need(4); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  f64(): number { this.need(8); const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  bytes(): Uint8Array { const n = this.u32(); this.need(n); const b = this.buf.slice(this.pos, this.pos + n); this.pos += n; return b; }
  // NOTE: browsers' TextDecoder refuses a view of shared memory (a channel ring decoded in place): those bytes are copied first.
  str(): string { const n = this.u32(); this.need(n); const part = this.buf.subarray(this.pos, this.pos + n); const s = decoder.decode(this.shared ? part.slice() : part); this.pos += n; return s; }
}

function read(r: Reader, depth: number): Value {
  if (depth > 64) throw new DecodeError('value nested too deeply');
  const tag = r.u8();
  switch (tag) {
    case T_UNDEF: return undefined;
    case T_NULL: return null;
    case T_FALSE: return false;
    case T_TRUE: return true;
    case T_I32: return r.i32();
    case T_F64: return r.f64();
    case T_STR: return r.str();
    case T_BYTES: return r.bytes();
    case T_ARRAY: {
      const n = r.u32();
      if (n > r.buf.length - r.pos) throw new DecodeError('array longer than input');
      const out: Value[] = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = read(r, depth + 1);
      return out;
    }
    case T_OBJECT: {
      const n = r.u32();
      if (n > r.buf.length - r.pos) throw new DecodeError('object larger than input');
      const out: Record<string, Value> = {};
      for (let i = 0; i < n; i++) {
        const k = r.str();
        if (k === '__proto__') throw new DecodeError('forbidden key __proto__');
        out[k] = read(r, depth + 1);
      }
      return out;
    }
    default: throw new DecodeError(`unknown tag ${tag}`);
  }
}

/** Decodes one value; throws DecodeError on malformed input or trailing bytes. */
export function decode(buf: Uint8Array): Value {
  const r = new Reader(buf);
  const v = read(r, 0);
  if (r.pos !== buf.length) throw new DecodeError(`${buf.length - r.pos} trailing bytes`);
  return v;
}
