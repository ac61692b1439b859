// eBPF maps: hash, array and ring buffer, with Linux's semantics for update flags
// (BPF_ANY / NOEXIST / EXIST), get_next_key (an absent key starts from the first) and
// array maps whose elements always exist (zero-filled) and cannot be deleted. Each
// value is its own region (memory.ts) so a program's pointer into it is checked
// against its size. The syscall side is kernel/syscall/bpf.ts; the helpers that reach
// maps from a program are helpers.ts.

import { KernelError, Errno } from '../../abi/errno.js';
import { BPF_EXIST, BPF_MAP_TYPE, BPF_NOEXIST, mapTypeName } from '../../abi/bpf.js';
import type { Regions } from './memory.js';

export interface MapParams {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
}

interface Entry { key: Uint8Array; value: Uint8Array; region: number }

const keyString = (key: Uint8Array): string => String.fromCharCode(...key);

export abstract class BpfMap {
  /** Programs that reference this map (it is freed when the last goes and it came from an object). */
  users = 0;
  /** Made by loading an object (not MAP_CREATE): freed with its last program. */
  owned = false;
  constructor(readonly id: number, readonly name: string, readonly params: MapParams, readonly uid: number, protected readonly regions: Regions) {}
  get typeName(): string { return mapTypeName(this.params.type); }
  abstract get entries(): number;
  /** The value's region, or undefined. */
  abstract lookup(key: Uint8Array): { value: Uint8Array; region: number } | undefined;
  abstract update(key: Uint8Array, value: Uint8Array, flags: number): void;
  abstract delete(key: Uint8Array): void;
  abstract nextKey(key: Uint8Array | undefined): Uint8Array | undefined;
  abstract destroy(): void;
}

class HashMap extends BpfMap {
  private readonly table = new Map<string, Entry>();
  get entries(): number { return this.table.size; }
  lookup(key: Uint8Array): Entry | undefined { return this.table.get(keyString(key)); }
  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    const k = keyString(key);
    const old = this.table.get(k);
    if (old !== undefined && flags === BPF_NOEXIST) throw new KernelError(Errno.EEXIST);
    if (old === undefined && flags === BPF_EXIST) throw new KernelError(Errno.ENOENT);
    if (old !== undefined) { old.value.set(value); return; }
    if (this.table.size >= this.params.maxEntries) throw new KernelError(Errno.E2BIG, `map ${this.name} is full`);
    const copy = value.slice();
    this.table.set(k, { key: key.slice(), value: copy, region: this.regions.add(copy) });
  }
  delete(key: Uint8Array): void {
    const k = keyString(key);
    const old = this.table.get(k);
    if (old === undefined) throw new KernelError(Errno.ENOENT);
    this.table.delete(k);
    this.regions.remove(old.region);
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const keys = [...this.table.values()];
    if (keys.length === 0) return undefined;
    if (key === undefined) return keys[0]!.key;
    const at = keys.findIndex((e) => keyString(e.key) === keyString(key));
    return at < 0 ? keys[0]!.key : keys[at + 1]?.key;
  }
  destroy(): void { for (const e of this.table.values()) this.regions.remove(e.region); this.table.clear(); }
}

class ArrayMap extends BpfMap {
  private readonly values: Entry[] = [];
  constructor(id: number, name: string, params: MapParams, uid: number, regions: Regions) {
    super(id, name, params, uid, regions);
    if (params.keySize !== 4) throw new KernelError(Errno.EINVAL, 'array maps have 4-byte keys');
    for (let i = 0; i < params.maxEntries; i++) {
      const value = new Uint8Array(params.valueSize);
      const key = new Uint8Array(4);
      new DataView(key.buffer).setUint32(0, i, true);
      this.values.push({ key, value, region: regions.add(value) });
    }
  }
  get entries(): number { return this.values.length; }
  private index(key: Uint8Array): number { return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true); }
  lookup(key: Uint8Array): Entry | undefined { return this.values[this.index(key)]; }
  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    const e = this.values[this.index(key)];
    if (e === undefined) throw new KernelError(Errno.E2BIG, 'index out of range');
    if (flags === BPF_NOEXIST) throw new KernelError(Errno.EEXIST, 'array elements always exist');
    e.value.set(value);
  }
  delete(): void { throw new KernelError(Errno.EINVAL, 'array elements cannot be deleted'); }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    // Linux: no key or one past the end starts at 0; the last has no next.
    const index = key === undefined ? -1 : this.index(key);
    return this.values[index >= this.values.length ? 0 : index + 1]?.key;
  }
  destroy(): void { for (const e of this.values) this.regions.remove(e.region); }
}

/** A ring buffer of records: programs append (bpf_ringbuf_output), readers pop the oldest (MAP_LOOKUP_AND_DELETE_ELEM). */
export class RingbufMap extends BpfMap {
  private readonly records: Uint8Array[] = [];
  private used = 0;
  dropped = 0;
  get entries(): number { return this.records.length; }
  lookup(): undefined { return undefined; }
  update(): void { throw new KernelError(Errno.EINVAL, 'ring buffers are written by programs'); }
  delete(): void { throw new KernelError(Errno.EINVAL, 'ring buffers are read with lookup-and-delete'); }
  nextKey(): undefined { return undefined; }
  /** Appends a record; false when it does not fit (the record is dropped and counted). */
  output(data: Uint8Array): boolean {
    // Each record costs its length plus Linux's 8-byte header, rounded to 8.
    const cost = 8 + ((data.byteLength + 7) & ~7);
    if (this.used + cost > this.params.maxEntries) { this.dropped++; return false; }
    this.records.push(data.slice());
    this.used += cost;
    return true;
  }
  pop(): Uint8Array | undefined {
    const r = this.records.shift();
    if (r !== undefined) this.used -= 8 + ((r.byteLength + 7) & ~7);
    return r;
  }
  destroy(): void { this.records.length = 0; }
}

/** Checks map parameters as Linux does and makes the map. Caller must check the memory budget with mapBytes. */
export function createMap(id: number, name: string, params: MapParams, uid: number, regions: Regions): BpfMap {
  const { type, keySize, valueSize, maxEntries, flags } = params;
  for (const [field, v] of Object.entries(params)) if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new KernelError(Errno.EINVAL, `map ${name}: bad ${field}`);
  if (flags !== 0) throw new KernelError(Errno.EINVAL, `map ${name}: unsupported flags ${flags}`);
  if (maxEntries === 0) throw new KernelError(Errno.EINVAL, `map ${name}: max_entries is 0`);
  switch (type) {
    case BPF_MAP_TYPE.HASH:
      if (keySize === 0 || valueSize === 0 || keySize > 512) throw new KernelError(Errno.EINVAL, `map ${name}: bad key or value size`);
      return new HashMap(id, name, params, uid, regions);
    case BPF_MAP_TYPE.ARRAY:
      if (keySize !== 4 || valueSize === 0) throw new KernelError(Errno.EINVAL, `map ${name}: array maps need key_size 4 and a value size`);
      return new ArrayMap(id, name, params, uid, regions);
    case BPF_MAP_TYPE.RINGBUF:
      if (keySize !== 0 || valueSize !== 0 || (maxEntries & (maxEntries - 1)) !== 0 || maxEntries < 4096) throw new KernelError(Errno.EINVAL, `map ${name}: a ring buffer has key and value size 0 and a power-of-2 size of at least 4096`);
      return new RingbufMap(id, name, params, uid, regions);
    default:
      throw new KernelError(Errno.EINVAL, `map ${name}: unsupported map type ${type}`);
  }
}

/** Memory a map may take at most (what the kernel's budget counts). */
export function mapBytes(p: MapParams): number {
  return p.type === BPF_MAP_TYPE.RINGBUF ? p.maxEntries : p.maxEntries * (p.keySize + p.valueSize + 64);
}

