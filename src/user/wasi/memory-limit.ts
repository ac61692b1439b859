// RLIMIT_AS for a WebAssembly module: the module's own memory declaration (its memory
// section) gets a maximum of the limit in 64 KiB pages, lowered if it declared more, so
// `memory.grow` past the limit fails the way the WebAssembly spec says (it returns -1
// and malloc returns NULL) instead of taking host memory. A module whose initial memory
// is already over the limit is refused before it runs.
//
// Binary layout (WebAssembly core spec, "Modules > Binary Format"): after the 8-byte
// header come sections `id:u8 size:u32(LEB128) content`; the memory section (id 5) is a
// vector of limits `flags:u8 min:LEB [max:LEB]`, where flag bit 0 says a maximum
// follows, bit 1 means shared and bit 2 a 64-bit memory.

export const WASM_PAGE = 65536;

export type MemoryLimitResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

function readLeb(b: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = at; i < b.length && i < at + 10; i++) {
    value += (b[i]! & 0x7f) * scale;
    scale *= 128;
    if ((b[i]! & 0x80) === 0) return { value, next: i + 1 };
  }
  throw new Error('malformed LEB128 number');
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

const mib = (pages: number): string => (pages >= 16 ? `${Math.floor(pages / 16)} MiB` : `${pages * 64} KiB`);

/** Caps every memory the module defines at `limitBytes` (Infinity: unchanged). */
export function limitMemory(module: Uint8Array, limitBytes: number): MemoryLimitResult {
  if (limitBytes === Infinity) return { ok: true, bytes: module };
  const limitPages = Math.floor(limitBytes / WASM_PAGE);
  try {
    let at = 8;
    while (at < module.length) {
      const id = module[at]!;
      const size = readLeb(module, at + 1);
      const start = size.next;
      const end = start + size.value;
      if (end > module.length) throw new Error('section runs past the end of the module');
      if (id !== 5) { at = end; continue; }
      const count = readLeb(module, start);
      const content: number[] = [...leb(count.value)];
      let p = count.next;
      for (let i = 0; i < count.value; i++) {
        const flags = module[p]!;
        if ((flags & ~0x07) !== 0) return { ok: false, error: `memory ${i} has limit flags 0x${flags.toString(16)} this runtime cannot cap` };
        const min = readLeb(module, p + 1);
        let max = Infinity;
        p = min.next;
        if ((flags & 1) !== 0) { const m = readLeb(module, p); max = m.value; p = m.next; }
        if (min.value > limitPages) return { ok: false, error: `the module needs ${mib(min.value)} of memory at start, over its RLIMIT_AS of ${mib(limitPages)}` };
        content.push(flags | 1, ...leb(min.value), ...leb(Math.min(max, limitPages)));
      }
      if (p !== end) throw new Error('memory section has trailing bytes');
      const body = Uint8Array.from(content);
      const header = Uint8Array.from([5, ...leb(body.length)]);
      const out = new Uint8Array(at + header.length + body.length + (module.length - end));
      out.set(module.subarray(0, at), 0);
      out.set(header, at);
      out.set(body, at + header.length);
      out.set(module.subarray(end), at + header.length + body.length);
      return { ok: true, bytes: out };
    }
    return { ok: true, bytes: module };
  } catch (e) {
    return { ok: false, error: `cannot read the memory section: ${e instanceof Error ? e.message : String(e)}` };
  }
}
