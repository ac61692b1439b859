// A small ELF64 reader: just what loading an eBPF object needs (sections by name,
// the symbol table, REL relocation entries). Every offset and size is checked against
// the file before it is read, so a truncated or hostile object is refused with a
// message (ElfError) instead of reading past the end. The eBPF meaning of sections
// and relocations is object.ts.

export class ElfError extends Error {}

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly entsize: number;
  /** The section's bytes (empty for SHT_NOBITS). */
  readonly data: Uint8Array;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  readonly type: number;
  readonly bind: number;
  /** Section index the symbol is defined in (0 = undefined). */
  readonly shndx: number;
}

export interface ElfRel {
  readonly offset: number;
  readonly type: number;
  readonly symbol: number;
}

export const SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4, SHT_NOBITS = 8, SHT_REL = 9;
export const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
export const STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3;
/** e_machine of eBPF objects. */
export const EM_BPF = 247;

const decoder = new TextDecoder();

export class Elf {
  readonly sections: ElfSection[] = [];
  readonly symbols: ElfSymbol[] = [];
  readonly machine: number;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) throw new ElfError('not an ELF file (bad magic)');
    if (bytes[4] !== 2) throw new ElfError('not a 64-bit ELF object (EI_CLASS must be ELFCLASS64)');
    if (bytes[5] !== 1) throw new ElfError('not a little-endian ELF object (big-endian eBPF is not supported)');
    this.machine = this.view.getUint16(18, true);
    const shoff = this.u64(40);
    const shentsize = this.view.getUint16(58, true);
    const shnum = this.view.getUint16(60, true);
    const shstrndx = this.view.getUint16(62, true);
    if (shentsize !== 64) throw new ElfError(`bad section header size ${shentsize}`);
    this.check(shoff, shnum * 64, 'section header table');
    const raw: { name: number; type: number; flags: number; offset: number; size: number; link: number; info: number; entsize: number }[] = [];
    for (let i = 0; i < shnum; i++) {
      const at = shoff + i * 64;
      raw.push({
        name: this.view.getUint32(at, true), type: this.view.getUint32(at + 4, true), flags: this.u64(at + 8),
        offset: this.u64(at + 24), size: this.u64(at + 32), link: this.view.getUint32(at + 40, true),
        info: this.view.getUint32(at + 44, true), entsize: this.u64(at + 56),
      });
    }
    const strtab = raw[shstrndx];
    if (strtab === undefined || strtab.type !== SHT_STRTAB) throw new ElfError('no section name table');
    this.check(strtab.offset, strtab.size, 'section name table');
    raw.forEach((s, index) => {
      if (s.type !== SHT_NOBITS && s.type !== 0) this.check(s.offset, s.size, `section ${index}`);
      const data = s.type === SHT_NOBITS || s.type === 0 ? new Uint8Array(0) : bytes.subarray(s.offset, s.offset + s.size);
      this.sections.push({ index, name: this.str(strtab.offset, strtab.size, s.name), type: s.type, flags: s.flags, size: s.size, link: s.link, info: s.info, entsize: s.entsize, data });
    });
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (symtab !== undefined) {
      const names = this.sections[symtab.link];
      if (names === undefined || names.type !== SHT_STRTAB) throw new ElfError('symbol table has no string table');
      const sv = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
      for (let at = 0; at + 24 <= symtab.data.byteLength; at += 24) {
        const info = sv.getUint8(at + 4);
        this.symbols.push({
          name: this.strIn(names.data, sv.getUint32(at, true)), type: info & 0xf, bind: info >> 4,
          shndx: sv.getUint16(at + 6, true), value: Number(sv.getBigUint64(at + 8, true)), size: Number(sv.getBigUint64(at + 16, true)),
        });
      }
    }
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The REL entries that apply to section `target` (SHT_RELA is refused: clang emits REL for eBPF). */
  relocationsFor(target: number): ElfRel[] {
    const out: ElfRel[] = [];
    for (const s of this.sections) {
      if (s.info !== target) continue;
      if (s.type === SHT_RELA) throw new ElfError(`${s.name}: RELA relocations are not supported for eBPF`);
      if (s.type !== SHT_REL) continue;
      const v = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
      for (let at = 0; at + 16 <= s.data.byteLength; at += 16) {
        const info = v.getBigUint64(at + 8, true);
        out.push({ offset: Number(v.getBigUint64(at, true)), type: Number(info & 0xffffffffn), symbol: Number(info >> 32n) });
      }
    }
    return out;
  }

  private u64(at: number): number {
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`field at ${at} is out of range`);
    return Number(v);
  }

  private check(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.bytes.byteLength) throw new ElfError(`${what} lies outside the file (offset ${offset}, size ${length}, file ${this.bytes.byteLength} bytes)`);
  }

  private str(base: number, size: number, at: number): string {
    if (at >= size) throw new ElfError(`name offset ${at} outside the string table`);
    return this.strIn(this.bytes.subarray(base, base + size), at);
  }

  private strIn(table: Uint8Array, at: number): string {
    if (at > table.byteLength) throw new ElfError(`name offset ${at} outside the string table`);
    let end = at;
    while (end < table.byteLength && table[end] !== 0) end++;
    return decoder.decode(table.subarray(at, end));
  }
}
