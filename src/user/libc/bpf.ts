// libc's bpf() wrappers: stage the attribute words (layouts in abi/bpf.ts), trap, and
// return the result or throw SysError; a rejected program's verifier log comes back
// in BpfError. bpftool (user/bin/bpftool.ts) is the main user.

import { SYS } from '../../abi/syscalls.js';
import { BPF_CMD, type BpfListing, type BpfObjectLoaded } from '../../abi/bpf.js';
import { decode } from '../../lib/codec.js';
import { SysError } from './index.js';
import { syscall, scratch, memory } from './trap.js';

/** A refused load: `log` is what the verifier (or the object loader) said. */
export class BpfError extends SysError {
  constructor(errno: number, readonly log: string) {
    super(errno, 'bpf');
  }
}

const LOG_BYTES = 16384;
const decoder = new TextDecoder();

function put(bytes: Uint8Array): number {
  const at = scratch(Math.max(1, bytes.byteLength));
  memory().set(bytes, at);
  return at;
}

function call(cmd: number, words: number[]): number {
  const attr = scratch(words.length * 4);
  const m = memory();
  const view = new DataView(m.buffer, m.byteOffset, m.byteLength);
  words.forEach((w, i) => view.setUint32(attr + i * 4, w >>> 0, true));
  return syscall(SYS.bpf, cmd, attr, words.length * 4);
}

function check(r: number): number {
  if (r < 0) throw new SysError(-r, 'bpf');
  return r;
}

function text(at: number, size: number): string {
  const m = memory().subarray(at, at + size);
  const end = m.indexOf(0);
  return decoder.decode(m.subarray(0, end < 0 ? size : end));
}

/** Loads an object file: maps, programs (verified), attachments. */
export function bpfObjectLoad(object: Uint8Array): { loaded: BpfObjectLoaded; log: string } {
  const obj = put(object);
  const log = scratch(LOG_BYTES);
  memory()[log] = 0;
  const outSize = 65536;
  const out = scratch(outSize);
  const r = call(BPF_CMD.OBJ_LOAD, [obj, object.byteLength, log, LOG_BYTES, out, outSize]);
  if (r < 0) throw new BpfError(-r, text(log, LOG_BYTES));
  return { loaded: decode(memory().slice(out, out + r)) as unknown as BpfObjectLoaded, log: text(log, LOG_BYTES) };
}

/** Loads raw instructions (8 bytes each) as a program of `type`; tracepoints name their hook. */
export function bpfProgLoad(type: number, insns: Uint8Array, hook = ''): { id: number; log: string } {
  const code = put(insns);
  const hookBytes = new TextEncoder().encode(hook);
  const hookAt = put(hookBytes);
  const log = scratch(LOG_BYTES);
  memory()[log] = 0;
  const r = call(BPF_CMD.PROG_LOAD, [type, code, insns.byteLength / 8, log, LOG_BYTES, hookAt, hookBytes.byteLength]);
  if (r < 0) throw new BpfError(-r, text(log, LOG_BYTES));
  return { id: r, log: text(log, LOG_BYTES) };
}

export function bpfList(): BpfListing {
  const size = 1 << 20;
  const out = scratch(size);
  const r = check(call(BPF_CMD.LIST, [out, size]));
  return decode(memory().slice(out, out + r)) as unknown as BpfListing;
}

export function bpfProgInsns(id: number): Uint8Array {
  const size = 1 << 20;
  const out = scratch(size);
  const r = check(call(BPF_CMD.PROG_GET_INSNS, [id, out, size]));
  return memory().slice(out, out + r);
}

export const bpfProgUnload = (id: number): void => { check(call(BPF_CMD.PROG_UNLOAD, [id])); };
export const bpfProgDetach = (id: number): void => { check(call(BPF_CMD.PROG_DETACH, [id])); };
export function bpfProgAttach(id: number, hook: string): void {
  const b = new TextEncoder().encode(hook);
  check(call(BPF_CMD.PROG_ATTACH, [id, put(b), b.byteLength]));
}

export function bpfTestRun(id: number, ctx: Uint8Array): number {
  return check(call(BPF_CMD.PROG_TEST_RUN, [id, put(ctx), ctx.byteLength]));
}

export const bpfMapCreate = (type: number, keySize: number, valueSize: number, maxEntries: number, flags = 0): number => check(call(BPF_CMD.MAP_CREATE, [type, keySize, valueSize, maxEntries, flags]));
export const bpfMapFree = (id: number): void => { check(call(BPF_CMD.MAP_FREE, [id])); };

/** The value for `key`, or undefined (ENOENT). */
export function bpfMapLookup(id: number, key: Uint8Array, valueSize: number): Uint8Array | undefined {
  const k = put(key);
  const v = scratch(Math.max(1, valueSize));
  const r = call(BPF_CMD.MAP_LOOKUP_ELEM, [id, k, v]);
  if (r === -2) return undefined;
  check(r);
  return memory().slice(v, v + valueSize);
}

export function bpfMapUpdate(id: number, key: Uint8Array, value: Uint8Array, flags = 0): void {
  check(call(BPF_CMD.MAP_UPDATE_ELEM, [id, put(key), put(value), flags]));
}

export function bpfMapDelete(id: number, key: Uint8Array): void {
  check(call(BPF_CMD.MAP_DELETE_ELEM, [id, put(key)]));
}

/** The key after `key` (undefined: the first), or undefined at the end. */
export function bpfMapNextKey(id: number, key: Uint8Array | undefined, keySize: number): Uint8Array | undefined {
  const k = key === undefined ? 0 : put(key);
  const out = scratch(Math.max(1, keySize));
  const r = call(BPF_CMD.MAP_GET_NEXT_KEY, [id, k, out, key === undefined ? 1 : 0]);
  if (r === -2) return undefined;
  check(r);
  return memory().slice(out, out + keySize);
}

/** Pops the oldest ring buffer record, or undefined when it is empty. */
export function bpfRingbufPop(id: number): Uint8Array | undefined {
  const size = 65536;
  const out = scratch(size);
  const r = call(BPF_CMD.MAP_LOOKUP_AND_DELETE_ELEM, [id, out, size]);
  if (r === -2) return undefined;
  check(r);
  return memory().slice(out, out + r);
}
