// The sandbox domain's loader: checks a WebAssembly module against the sandbox's
// rules and rewrites it for metering, before the host's engine ever compiles it.
//
//   check     magic and version; every section decoded; imports only functions of
//             module "kernelkit" named in the allow-list, each with its exact type;
//             one memory of its own, no larger than the limit (a maximum is written
//             in when the module names none, so memory.grow cannot pass it)
//   meter     a fuel counter: a new mutable i32 global, exported as `kk_fuel`, and at
//             every function entry and every loop header the code
//                 fuel = fuel - 1; if (fuel < 0) unreachable
//             so an endless loop traps in the kernel thread, without a watchdog. The
//             code section is decoded instruction by instruction (to find the loops),
//             each body re-encoded with its new size, and the section sizes recomputed.
//             The start function is exported as `kk_start` instead, for the kernel
//             to call with fuel after instantiation. Custom sections (names, debug
//             info) are dropped: their code offsets would be stale.
//   relocate  unsandboxed only (kernel-wasm, insmod --unsandboxed): no fuel; its
//             memory becomes the imported kernel arena, and every address it uses
//             moves by the base of its region there — each load's and store's static
//             offset, each active data segment's offset. Addresses it computes stay
//             its own (0-based), so the kernel adds the base where it reads them.
//
// The host's engine (WebAssembly.Module) validates the rewritten module; anything the
// decoder does not know (SIMD, threads, tail calls, exceptions) is refused here with
// the opcode and its offset. The instance itself is kernel/sandbox/instance.ts.

import { KernelError, Errno } from '../../abi/errno.js';

/** The name under which a metered module exports its fuel counter. */
export const FUEL_EXPORT = 'kk_fuel';
/** The name under which a metered module exports what was its start function. */
export const START_EXPORT = 'kk_start';

export type ValType = 'i32' | 'i64' | 'f32' | 'f64';
export interface FuncSig { params: readonly ValType[]; results: readonly ValType[] }

export interface ModuleRules {
  /** The largest module accepted, in bytes. */
  maxBytes: number;
  /** The most 64 KiB pages its memory may have (and grow to). */
  maxPages: number;
  /** The imports it may have: module "kernelkit", these names, these types. */
  imports: Readonly<Record<string, FuncSig>>;
  /** Fuel at instantiation (what the start function, if any, may burn). */
  startFuel: number;
  /**
   * Unsandboxed: no fuel, and the module's memory becomes the imported
   * `kernelkit.memory` (the kernel arena): every address it uses is moved by `base`
   * (its region there), with no bounds but the arena's end, as a C module's in a kernel.
   */
  unsandboxed?: { base: number; arenaPages: number };
}

/** What the checker learned about a module it accepted. */
export interface Checked {
  /** The metered module, ready to compile. */
  bytes: Uint8Array;
  /** The kernelkit imports it asked for (a subset of the allow-list). */
  imports: string[];
  pages: { initial: number; maximum: number };
  /** Where its static memory ends: data segments, and the stack (global 0's initial value, in clang's layout). */
  staticEnd: number;
}

const refuse = (why: string): never => { throw new KernelError(Errno.ENOEXEC, `bad WebAssembly module: ${why}`); };

const VALTYPES: Record<number, ValType> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };
const sigText = (s: FuncSig): string => `(${s.params.join(', ')}) -> ${s.results.length === 0 ? 'nil' : s.results.join(', ')}`;

class Reader {
  constructor(readonly bytes: Uint8Array, public at = 0, readonly end = bytes.length) {}
  byte(): number {
    if (this.at >= this.end) refuse(`truncated at offset ${this.at}`);
    return this.bytes[this.at++]!;
  }
  u32(): number {
    let result = 0, shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) refuse(`integer too large at offset ${this.at}`);
        return result;
      }
      shift += 7;
    }
    return refuse(`integer too long at offset ${this.at}`);
  }
  /** Skips a signed LEB128 of at most `bits` bits. */
  skipSigned(bits: number): void {
    for (let i = 0; i < Math.ceil(bits / 7); i++) if ((this.byte() & 0x80) === 0) return;
    refuse(`integer too long at offset ${this.at}`);
  }
  take(n: number): Uint8Array {
    if (this.at + n > this.end) refuse(`truncated at offset ${this.at}`);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  name(): string {
    const n = this.u32();
    return new TextDecoder('utf-8', { fatal: true }).decode(this.take(n));
  }
}

function u32Bytes(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function s32Bytes(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

function section(id: number, content: readonly number[] | Uint8Array): number[] {
  return [id, ...u32Bytes(content.length), ...content];
}

function concat(parts: readonly (readonly number[] | Uint8Array)[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** A change to a function body: code inserted at `at`, or the bytes [at, end) replaced. */
interface Edit { at: number; end: number; bytes: readonly number[] }

/**
 * Walks a function body's instructions: a fuel check after each `loop` and its block
 * type (when `fuel`), and each load's and store's static offset moved by `base` (when
 * relocating). Refuses opcodes it does not know, and, when relocating, the bulk-memory
 * instructions whose addresses it cannot move.
 */
function walkBody(r: Reader, bodyEnd: number, fuel: readonly number[] | undefined, base: number | undefined): Edit[] {
  const edits: Edit[] = [];
  const blockType = (): void => {
    const b = r.bytes[r.at];
    if (b === 0x40 || (b !== undefined && VALTYPES[b] !== undefined)) r.at++;
    else r.skipSigned(33);
  };
  while (r.at < bodyEnd) {
    const at = r.at;
    const op = r.byte();
    if (op === 0x02 || op === 0x04) blockType();
    else if (op === 0x03) { blockType(); if (fuel !== undefined) edits.push({ at: r.at, end: r.at, bytes: fuel }); }
    else if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x26) || op === 0xd2) r.u32();
    else if (op === 0x0e) { const n = r.u32(); for (let i = 0; i <= n; i++) r.u32(); }
    else if (op === 0x11) { r.u32(); r.u32(); }
    else if (op === 0x1c) { const n = r.u32(); r.take(n); }
    else if (op >= 0x28 && op <= 0x3e) {
      r.u32();
      const from = r.at;
      const offset = r.u32();
      if (base !== undefined) {
        if (offset + base > 0xffffffff) refuse(`a static offset at ${from} cannot be relocated`);
        edits.push({ at: from, end: r.at, bytes: u32Bytes(offset + base) });
      }
    }
    else if (op === 0x3f || op === 0x40) r.u32();
    else if (op === 0x41) r.skipSigned(32);
    else if (op === 0x42) r.skipSigned(64);
    else if (op === 0x43) r.take(4);
    else if (op === 0x44) r.take(8);
    else if (op === 0xd0) r.byte();
    else if (op === 0xfc) {
      const sub = r.u32();
      if (sub <= 7) { /* saturating truncations */ }
      else if (base !== undefined && sub >= 8 && sub <= 11) refuse(`bulk-memory instruction 0xfc ${sub} at offset ${at} cannot be relocated into the kernel arena`);
      else if (sub === 8) { r.u32(); r.byte(); }
      else if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) r.u32();
      else if (sub === 10) { r.byte(); r.byte(); }
      else if (sub === 11) r.byte();
      else if (sub === 12 || sub === 14) { r.u32(); r.u32(); }
      else refuse(`unknown instruction 0xfc ${sub} at offset ${at}`);
    } else if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4) || op === 0xd1) { /* no immediates */ }
    else refuse(`instruction 0x${op.toString(16)} at offset ${at} is not supported in the sandbox`);
  }
  if (r.at !== bodyEnd) refuse(`function body overruns its size at offset ${r.at}`);
  return edits;
}

/** Checks `bytes` against `rules` and returns the metered module; throws ENOEXEC naming what is wrong. */
function readS32(bytes: Uint8Array): number {
  let result = 0, shift = 0, b = 0, i = 0;
  do { b = bytes[i++]!; result |= (b & 0x7f) << shift; shift += 7; } while ((b & 0x80) !== 0 && i < bytes.length);
  if (shift < 32 && (b & 0x40) !== 0) result |= -1 << shift;
  return result;
}

export function checkAndMeter(bytes: Uint8Array, rules: ModuleRules): Checked {
  if (bytes.length > rules.maxBytes) refuse(`${bytes.length} bytes, more than the sandbox's limit of ${rules.maxBytes}`);
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) refuse('no \\0asm magic number (not a WebAssembly module)');
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) refuse(`version ${bytes[4]} is not 1`);
  const r = new Reader(bytes, 8);
  const sections: { id: number; body: Uint8Array }[] = [];
  let lastId = 0;
  while (r.at < r.end) {
    const id = r.byte();
    const size = r.u32();
    const body = r.take(size);
    if (id === 0) continue;
    if (id > 12) refuse(`unknown section ${id}`);
    // Section order (data count 12 sits between import-ish and code sections).
    const rank = (n: number): number => (n === 12 ? 9.5 : n);
    if (rank(id) <= rank(lastId)) refuse(`section ${id} out of order`);
    lastId = id;
    sections.push({ id, body });
  }
  const get = (id: number): Uint8Array | undefined => sections.find((s) => s.id === id)?.body;

  // Types.
  const types: FuncSig[] = [];
  const typeBody = get(1);
  if (typeBody !== undefined) {
    const t = new Reader(typeBody);
    for (let n = t.u32(), i = 0; i < n; i++) {
      if (t.byte() !== 0x60) refuse(`type ${i} is not a function type`);
      const vals = (): ValType[] => Array.from({ length: t.u32() }, () => VALTYPES[t.byte()] ?? refuse(`type ${i} has a value type the sandbox does not support`));
      types.push({ params: vals(), results: vals() });
    }
  }

  // Imports: functions from the allow-list, nothing else.
  const imported: string[] = [];
  const importBody = get(2);
  // Only functions are imported, so the defined globals are numbered from 0.
  const importedGlobals = 0;
  if (importBody !== undefined) {
    const m = new Reader(importBody);
    for (let n = m.u32(), i = 0; i < n; i++) {
      const module = m.name();
      const name = m.name();
      const kind = m.byte();
      if (kind !== 0) refuse(`import ${module}.${name} is not a function (the sandbox grants functions only)`);
      const index = m.u32();
      const want = rules.imports[name];
      if (module !== 'kernelkit' || want === undefined) refuse(`import ${module}.${name} is not granted (allowed: ${Object.keys(rules.imports).map((k) => `kernelkit.${k}`).join(', ')})`);
      const sig = types[index] ?? refuse(`import ${module}.${name} names type ${index}, which does not exist`);
      if (sigText(sig) !== sigText(want!)) refuse(`import ${module}.${name} has type ${sigText(sig)}, the kernel grants ${sigText(want!)}`);
      imported.push(name);
    }
  }

  // Memory: exactly one, its own, bounded.
  const memBody = get(5);
  if (memBody === undefined) refuse('no memory of its own');
  const mr = new Reader(memBody!);
  if (mr.u32() !== 1) refuse('more than one memory');
  const flags = mr.byte();
  if (flags !== 0 && flags !== 1) refuse('shared or 64-bit memory is not supported in the sandbox');
  const initial = mr.u32();
  const declaredMax = flags === 1 ? mr.u32() : undefined;
  if (initial > rules.maxPages) refuse(`memory of ${initial} pages (${initial * 64} KiB) is more than the sandbox's limit of ${rules.maxPages} pages`);
  const maximum = Math.min(declaredMax ?? rules.maxPages, rules.maxPages);
  const memory = [...u32Bytes(1), 0x01, ...u32Bytes(initial), ...u32Bytes(maximum)];
  const un = rules.unsandboxed;
  // Unsandboxed, its memory is the kernel arena's: imported (shared, as the arena is), after its other imports.
  const memoryImport = un === undefined ? [] : [...u32Bytes(9), ...new TextEncoder().encode('kernelkit'), ...u32Bytes(6), ...new TextEncoder().encode('memory'), 0x02, 0x03, 0, ...u32Bytes(un.arenaPages)];
  const importsOut = un === undefined ? importBody : concat([u32Bytes(imported.length + 1), importBody === undefined ? [] : importBody.subarray(u32Bytes(imported.length).length), memoryImport]);

  // Globals: the fuel counter joins the defined ones.
  const globalBody = get(6);
  const gr = new Reader(globalBody ?? new Uint8Array([0]));
  const definedGlobals = gr.u32();
  // The end of its static memory (clang's layout: data, then the stack, whose pointer
  // is global 0, starting at the top): what an unsandboxed copy must be given at least.
  let staticEnd = 0;
  if (definedGlobals > 0) {
    const g = new Reader(gr.bytes, gr.at);
    g.byte(); g.byte();
    if (g.byte() === 0x41) { const from = g.at; g.skipSigned(32); staticEnd = readS32(g.bytes.subarray(from, g.at)) >>> 0; }
  }
  const fuelIndex = importedGlobals + definedGlobals;
  const fuelGlobal = [0x7f, 0x01, 0x41, ...s32Bytes(rules.startFuel), 0x0b];
  const globals = concat([u32Bytes(definedGlobals + 1), gr.bytes.subarray(gr.at), fuelGlobal]);

  // Exports: kk_fuel joins them.
  const exportBody = get(7);
  const er = new Reader(exportBody ?? new Uint8Array([0]));
  const exportCount = er.u32();
  const exportsFrom = er.at;
  for (let i = 0; i < exportCount; i++) {
    const name = er.name();
    if (name === FUEL_EXPORT || name === START_EXPORT) refuse(`it exports ${name}, a name the sandbox reserves`);
    er.byte(); er.u32();
  }
  // The start function becomes an export the kernel calls after instantiation, with
  // fuel it can read back: a start function that loops is refused with the reason.
  const startBody = get(8);
  const start = startBody === undefined ? undefined : new Reader(startBody).u32();
  const extra = (name: string, kind: number, index: number): number[] => {
    const bytes = new TextEncoder().encode(name);
    return [...u32Bytes(bytes.length), ...bytes, kind, ...u32Bytes(index)];
  };
  const exportsOut = concat([u32Bytes(exportCount + 1 + (start === undefined ? 0 : 1)), er.bytes.subarray(exportsFrom), extra(FUEL_EXPORT, 0x03, fuelIndex),
    start === undefined ? [] : extra(START_EXPORT, 0x00, start)]);

  // Code: a fuel check at each function entry and loop header.
  const check = un !== undefined ? undefined : [0x23, ...u32Bytes(fuelIndex), 0x41, 0x01, 0x6b, 0x24, ...u32Bytes(fuelIndex), 0x23, ...u32Bytes(fuelIndex), 0x41, 0x00, 0x48, 0x04, 0x40, 0x00, 0x0b];
  const codeBody = get(10);
  let code: Uint8Array | undefined;
  if (codeBody !== undefined) {
    const c = new Reader(codeBody);
    const count = c.u32();
    const parts: (readonly number[] | Uint8Array)[] = [u32Bytes(count)];
    for (let i = 0; i < count; i++) {
      const size = c.u32();
      const start = c.at;
      const end = start + size;
      if (end > c.end) refuse(`function ${i}'s body runs past the code section`);
      const b = new Reader(codeBody, start, end);
      for (let n = b.u32(), j = 0; j < n; j++) { b.u32(); if (VALTYPES[b.byte()] === undefined) refuse(`function ${i} has a local of a type the sandbox does not support`); }
      const entry = b.at;
      const edits = walkBody(b, end, check, un?.base);
      const pieces: (readonly number[] | Uint8Array)[] = [codeBody.subarray(start, entry), check ?? []];
      let from = entry;
      for (const e of edits) { pieces.push(codeBody.subarray(from, e.at), e.bytes); from = e.end; }
      pieces.push(codeBody.subarray(from, end));
      const body = concat(pieces);
      parts.push(u32Bytes(body.length), body);
      c.at = end;
    }
    if (c.at !== c.end) refuse('the code section has bytes after its last function');
    code = concat(parts);
  }

  const dataBody = get(11);
  // Data segments: their end counts in the static memory; unsandboxed, each active segment's offset moves by the base.
  if (dataBody !== undefined) {
    const d = new Reader(dataBody);
    for (let n = d.u32(), i = 0; i < n; i++) {
      const flags = d.u32();
      if (flags === 1) { d.take(d.u32()); continue; }
      if (flags === 2) d.u32();
      if (d.byte() !== 0x41) refuse(`data segment ${i}'s offset is not a constant`);
      const from = d.at;
      d.skipSigned(32);
      const at = readS32(d.bytes.subarray(from, d.at)) >>> 0;
      d.byte();
      staticEnd = Math.max(staticEnd, at + d.take(d.u32()).length);
    }
  }
  let data = dataBody;
  if (un !== undefined && dataBody !== undefined) {
    const d = new Reader(dataBody);
    const n = d.u32();
    const parts: (readonly number[] | Uint8Array)[] = [u32Bytes(n)];
    for (let i = 0; i < n; i++) {
      const flags = d.u32();
      if (flags === 1) { const len = d.u32(); parts.push([1, ...u32Bytes(len)], d.take(len)); continue; }
      if (flags === 2 && d.u32() !== 0) refuse(`data segment ${i} names a second memory`);
      if (flags !== 0 && flags !== 2) refuse(`data segment ${i} has flags ${flags}`);
      if (d.byte() !== 0x41) refuse(`data segment ${i}'s offset is not a constant`);
      const from = d.at;
      d.skipSigned(32);
      const offset = readS32(d.bytes.subarray(from, d.at));
      if (d.byte() !== 0x0b) refuse(`data segment ${i}'s offset is not a constant`);
      const len = d.u32();
      parts.push([0, 0x41, ...s32Bytes(((offset >>> 0) + un.base) | 0), 0x0b, ...u32Bytes(len)], d.take(len));
    }
    data = concat(parts);
  }

  const out: (readonly number[] | Uint8Array)[] = [[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]];
  const emitted = new Set<number>();
  const emit = (id: number, body: readonly number[] | Uint8Array): void => { out.push(section(id, body)); emitted.add(id); };
  for (const s of sections) {
    // Sections the rewrite adds go where their id belongs.
    if (s.id > 6 && !emitted.has(6)) emit(6, globals);
    if (s.id > 7 && !emitted.has(7)) emit(7, exportsOut);
    if (s.id > 2 && !emitted.has(2) && importsOut !== undefined) emit(2, importsOut);
    if (s.id === 2) emit(2, importsOut!);
    else if (s.id === 5) { if (un === undefined) emit(5, memory); }
    else if (s.id === 11) emit(11, data!);
    else if (s.id === 6) emit(6, globals);
    else if (s.id === 7) emit(7, exportsOut);
    else if (s.id === 10) emit(10, code!);
    else if (s.id === 8) continue;
    else emit(s.id, s.body);
  }
  if (!emitted.has(6)) emit(6, globals);
  if (!emitted.has(7)) emit(7, exportsOut);
  return { bytes: concat(out), imports: imported, pages: { initial, maximum }, staticEnd };
}
