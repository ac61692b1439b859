// The cpio "newc" archive format (magic 070701), the one Linux uses for initramfs,
// so the host's `cpio -i -H newc` and `cpio -o -H newc` read and write the same
// archives. Each entry: a 110-byte ASCII-hex header, the NUL-terminated name padded
// to 4 bytes, the data padded to 4 bytes; the archive ends with "TRAILER!!!".

export interface CpioEntry {
  name: string; // relative path, no leading '/'
  mode: number; // type and permission bits (S_IF*)
  data: Uint8Array; // file content, or the target of a symlink
  mtime?: number; // seconds
  uid?: number;
  gid?: number;
  rdevMajor?: number;
  rdevMinor?: number;
}

const MAGIC = '070701';
const HEADER = 110;
const TRAILER = 'TRAILER!!!';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const pad4 = (n: number): number => (4 - (n % 4)) % 4;
const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

export function writeCpio(entries: readonly CpioEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let ino = 1;
  const push = (e: CpioEntry): void => {
    const name = encoder.encode(e.name + '\0');
    const fields = [
      ino++, e.mode, e.uid ?? 0, e.gid ?? 0, 1, e.mtime ?? 0, e.data.length, 0, 0,
      e.rdevMajor ?? 0, e.rdevMinor ?? 0, name.length, 0,
    ];
    const header = encoder.encode(MAGIC + fields.map(hex8).join(''));
    parts.push(header, name, new Uint8Array(pad4(HEADER + name.length)), e.data, new Uint8Array(pad4(e.data.length)));
  };
  for (const e of entries) push(e);
  push({ name: TRAILER, mode: 0, data: new Uint8Array(0) });
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) { out.set(p, pos); pos += p.length; }
  return out;
}

/** Thrown for archives that are not newc cpio or are cut short. */
export class CpioError extends Error {
  constructor(message: string) { super(`cpio: ${message}`); this.name = 'CpioError'; }
}

export function readCpio(archive: Uint8Array): CpioEntry[] {
  const entries: CpioEntry[] = [];
  let pos = 0;
  for (;;) {
    if (pos + HEADER > archive.length) throw new CpioError(`truncated header at offset ${pos}`);
    const header = decoder.decode(archive.subarray(pos, pos + HEADER));
    if (!header.startsWith(MAGIC)) throw new CpioError(`bad magic at offset ${pos} (only newc, 070701, is supported)`);
    const field = (i: number): number => {
      const text = header.slice(6 + i * 8, 14 + i * 8);
      if (!/^[0-9a-fA-F]{8}$/.test(text)) throw new CpioError(`bad header field at offset ${pos}`);
      return parseInt(text, 16);
    };
    const mode = field(1), uid = field(2), gid = field(3), mtime = field(5), size = field(6);
    const rdevMajor = field(9), rdevMinor = field(10), nameSize = field(11);
    const nameStart = pos + HEADER;
    if (nameSize < 1 || nameStart + nameSize > archive.length) throw new CpioError(`truncated name at offset ${pos}`);
    const name = decoder.decode(archive.subarray(nameStart, nameStart + nameSize - 1));
    const dataStart = nameStart + nameSize + pad4(HEADER + nameSize);
    if (dataStart + size > archive.length) throw new CpioError(`truncated data of ${name}`);
    if (name === TRAILER) return entries;
    entries.push({ name: name.replace(/^\.?\/+/, ''), mode, uid, gid, mtime, rdevMajor, rdevMinor, data: archive.slice(dataStart, dataStart + size) });
    pos = dataStart + size + pad4(size);
  }
}
