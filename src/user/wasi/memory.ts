// The guest's linear memory as the WASI layer sees it: typed views that are rebuilt
// whenever the module grows its memory (growing replaces the ArrayBuffer), bounds
// checks that turn a wild guest pointer into EFAULT instead of a host exception, and
// the iovec gather/scatter every read and write goes through.

import { E } from './constants.js';

/** A WASI call's failure: the guest gets `errno` (a WASI number) as the return value. */
export class WasiError extends Error {
  constructor(readonly errno: number) {
    super(`wasi errno ${errno}`);
    this.name = 'WasiError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface IoVec { ptr: number; len: number }

export class GuestMemory {
  private memory: WebAssembly.Memory | undefined;
  private buffer: ArrayBuffer = new ArrayBuffer(0);
  private bytesView = new Uint8Array(0);
  private dataView = new DataView(new ArrayBuffer(0));

  /** Caller must attach before the first import runs (after instantiation). */
  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
  }

  private refresh(): void {
    const b = this.memory?.buffer;
    if (b !== undefined && b !== this.buffer) {
      this.buffer = b;
      this.bytesView = new Uint8Array(b);
      this.dataView = new DataView(b);
    }
  }

  get bytes(): Uint8Array { this.refresh(); return this.bytesView; }
  get view(): DataView { this.refresh(); return this.dataView; }

  /** Throws EFAULT unless [ptr, ptr+len) lies inside the guest's memory. */
  check(ptr: number, len: number): void {
    if (ptr < 0 || len < 0 || ptr + len > this.bytes.length) throw new WasiError(E.FAULT);
  }

  u8(ptr: number, v: number): void { this.check(ptr, 1); this.view.setUint8(ptr, v); }
  u16(ptr: number, v: number): void { this.check(ptr, 2); this.view.setUint16(ptr, v, true); }
  u32(ptr: number, v: number): void { this.check(ptr, 4); this.view.setUint32(ptr, v >>> 0, true); }
  u64(ptr: number, v: number | bigint): void {
    this.check(ptr, 8);
    this.view.setBigUint64(ptr, typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt.asUintN(64, BigInt(Math.trunc(v))), true);
  }
  getU32(ptr: number): number { this.check(ptr, 4); return this.view.getUint32(ptr, true); }
  getU16(ptr: number): number { this.check(ptr, 2); return this.view.getUint16(ptr, true); }
  getU8(ptr: number): number { this.check(ptr, 1); return this.view.getUint8(ptr); }
  getU64(ptr: number): bigint { this.check(ptr, 8); return this.view.getBigUint64(ptr, true); }

  /** A view (not a copy) of guest bytes: valid only until the guest grows its memory. */
  slice(ptr: number, len: number): Uint8Array {
    this.check(ptr, len);
    return this.bytes.subarray(ptr, ptr + len);
  }

  put(ptr: number, data: Uint8Array): void {
    this.check(ptr, data.length);
    this.bytes.set(data, ptr);
  }

  /** A path or other string argument; EILSEQ when it is not valid UTF-8. */
  string(ptr: number, len: number): string {
    const raw = this.slice(ptr, len);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new WasiError(E.ILSEQ);
    }
  }

  iovecs(ptr: number, count: number): IoVec[] {
    this.check(ptr, count * 8);
    const out: IoVec[] = [];
    for (let i = 0; i < count; i++) out.push({ ptr: this.getU32(ptr + i * 8), len: this.getU32(ptr + i * 8 + 4) });
    for (const v of out) this.check(v.ptr, v.len);
    return out;
  }

  /** The bytes of a ciovec list as one buffer (a view when there is just one). */
  gather(iovs: IoVec[]): Uint8Array {
    const first = iovs.find((v) => v.len > 0);
    const total = iovs.reduce((n, v) => n + v.len, 0);
    if (first === undefined) return new Uint8Array(0);
    if (first.len === total) return this.slice(first.ptr, first.len);
    const out = new Uint8Array(total);
    let at = 0;
    for (const v of iovs) { out.set(this.slice(v.ptr, v.len), at); at += v.len; }
    return out;
  }
}

export const encode = (s: string): Uint8Array => encoder.encode(s);
export const decode = (b: Uint8Array): string => decoder.decode(b);
