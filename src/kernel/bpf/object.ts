// An eBPF object file as clang -target bpf -O2 -c writes it: programs in executable
// sections named after their hook (SEC("tracepoint/raw_syscalls/sys_enter")), maps
// declared in the legacy `maps` section (struct bpf_map_def) or libbpf's BTF-described
// `.maps`, the `license` string, and R_BPF_64_64 relocations on ld_imm64 that name a
// map. This file turns the ELF (elf.ts) into specs and says which instruction refers to
// which map; creating the maps and patching their ids in is the loader (loader.ts).

import { decodeProgram, LD_IMM64, CALL, JMP, PSEUDO_CALL, type Insn } from '../../abi/bpf-insn.js';
import { BPF_PROG_TYPE, BPF_TRACEPOINTS, SCHED_HOOK, XDP_HOOK } from '../../abi/bpf.js';
import { btfMaps } from './btf.js';
import { Elf, ElfError, EM_BPF, SHF_EXECINSTR, STT_FUNC } from './elf.js';

export interface MapSpec {
  readonly name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** Offset of its definition in its section (relocations name it by symbol). */
  readonly offset: number;
}

export interface ProgramSpec {
  readonly name: string;
  readonly section: string;
  readonly type: number;
  /** The tracepoint its section names, or '' for a program that is only test-run. */
  readonly hook: string;
  readonly insns: Insn[];
  /** Instruction index -> name of the map its ld_imm64 loads. */
  readonly mapRefs: Map<number, string>;
}

export interface ObjectSpec {
  readonly license: string;
  readonly maps: MapSpec[];
  readonly programs: ProgramSpec[];
}

const R_BPF_64_64 = 1, R_BPF_64_32 = 10, R_BPF_NONE = 0;
/** Longest object accepted (bytes). */
export const MAX_OBJECT_BYTES = 4 << 20;

/** The program type and hook a section name asks for, as libbpf reads them. */
export function sectionProgram(section: string): { type: number; hook: string } | undefined {
  for (const prefix of ['tracepoint/', 'tp/']) {
    if (section.startsWith(prefix)) {
      const hook = section.slice(prefix.length);
      if (!(hook in BPF_TRACEPOINTS)) throw new ElfError(`section ${section}: no tracepoint ${hook} in this kernel (there are: ${Object.keys(BPF_TRACEPOINTS).join(', ')})`);
      return { type: BPF_PROG_TYPE.TRACEPOINT, hook };
    }
  }
  if (section === 'socket' || section.startsWith('socket/')) return { type: BPF_PROG_TYPE.SOCKET_FILTER, hook: '' };
  // libbpf's SEC("xdp"); kernelkit has one device to attach to, eth0.
  if (section === 'xdp' || section === 'xdp/eth0') return { type: BPF_PROG_TYPE.XDP, hook: XDP_HOOK };
  if (section === 'struct_ops/pick_next') return { type: BPF_PROG_TYPE.STRUCT_OPS, hook: SCHED_HOOK };
  if (section.startsWith('struct_ops')) throw new ElfError(`section ${section}: the scheduler's one callback is struct_ops/pick_next`);
  return undefined;
}

const decoder = new TextDecoder();

/** Reads an object; throws ElfError saying what is wrong with a bad one. */
export function parseObject(bytes: Uint8Array): ObjectSpec {
  if (bytes.byteLength > MAX_OBJECT_BYTES) throw new ElfError(`object is ${bytes.byteLength} bytes (at most ${MAX_OBJECT_BYTES})`);
  const elf = new Elf(bytes);
  if (elf.machine !== EM_BPF) throw new ElfError(`not an eBPF object (e_machine ${elf.machine}, expected ${EM_BPF}): compile with clang -target bpf`);
  const licenseSection = elf.section('license');
  const license = licenseSection === undefined ? '' : decoder.decode(licenseSection.data).replace(/\0.*$/s, '');

  // Maps: legacy `maps` (five u32 per symbol) and BTF `.maps`.
  const maps: MapSpec[] = [];
  const mapSections = new Map<number, MapSpec[]>();
  const legacy = elf.section('maps');
  if (legacy !== undefined) {
    const v = new DataView(legacy.data.buffer, legacy.data.byteOffset, legacy.data.byteLength);
    const list: MapSpec[] = [];
    for (const sym of elf.symbols.filter((s) => s.shndx === legacy.index && s.name !== '' && s.type !== 3)) {
      if (sym.value + 16 > legacy.data.byteLength) throw new ElfError(`map ${sym.name}: definition lies outside the maps section`);
      const has5 = sym.value + 20 <= legacy.data.byteLength && (sym.size === 0 || sym.size >= 20);
      list.push({ name: sym.name, type: v.getUint32(sym.value, true), keySize: v.getUint32(sym.value + 4, true), valueSize: v.getUint32(sym.value + 8, true), maxEntries: v.getUint32(sym.value + 12, true), flags: has5 ? v.getUint32(sym.value + 16, true) : 0, offset: sym.value });
    }
    mapSections.set(legacy.index, list);
    maps.push(...list);
  }
  const btfSection = elf.section('.maps');
  if (btfSection !== undefined) {
    const btf = elf.section('.BTF');
    if (btf === undefined) throw new ElfError('.maps needs BTF: compile with -g');
    const list = btfMaps(btf.data);
    mapSections.set(btfSection.index, list);
    maps.push(...list);
  }
  const seen = new Set<string>();
  for (const m of maps) {
    if (seen.has(m.name)) throw new ElfError(`map ${m.name} is declared twice`);
    seen.add(m.name);
  }

  // Programs: one per function symbol in an executable section other than .text.
  const programs: ProgramSpec[] = [];
  for (const section of elf.sections) {
    if ((section.flags & SHF_EXECINSTR) === 0 || section.size === 0) continue;
    if (section.name === '.text') throw new ElfError('.text holds functions: bpf-to-bpf calls are not supported (mark helpers static __always_inline)');
    const kind = sectionProgram(section.name);
    if (kind === undefined) throw new ElfError(`section ${section.name}: unknown program type (kernelkit knows tracepoint/<hook>, socket, xdp and struct_ops/pick_next)`);
    if (section.size % 8 !== 0) throw new ElfError(`section ${section.name}: size ${section.size} is not a whole number of instructions`);
    const relocations = elf.relocationsFor(section.index);
    const functions = elf.symbols.filter((s) => s.shndx === section.index && s.type === STT_FUNC).sort((a, b) => a.value - b.value);
    if (functions.length === 0) throw new ElfError(`section ${section.name}: no function symbol`);
    for (const fn of functions) {
      const length = fn.size > 0 ? fn.size : section.size - fn.value;
      if (fn.value % 8 !== 0 || length % 8 !== 0 || fn.value + length > section.size) throw new ElfError(`program ${fn.name}: bad extent`);
      const insns = decodeProgram(section.data.subarray(fn.value, fn.value + length));
      const mapRefs = new Map<number, string>();
      for (const rel of relocations) {
        if (rel.offset < fn.value || rel.offset >= fn.value + length) continue;
        if (rel.type === R_BPF_NONE) continue;
        const at = (rel.offset - fn.value) / 8;
        const insn = insns[at];
        if (!Number.isInteger(at) || insn === undefined) throw new ElfError(`program ${fn.name}: relocation at ${rel.offset} is not on an instruction`);
        if (rel.type === R_BPF_64_32 || (insn.code === (JMP | CALL) && insn.src === PSEUDO_CALL)) throw new ElfError(`program ${fn.name}: insn ${at} calls another BPF function: bpf-to-bpf calls are not supported`);
        if (rel.type !== R_BPF_64_64) throw new ElfError(`program ${fn.name}: unsupported relocation type ${rel.type} at insn ${at}`);
        if (insn.code !== LD_IMM64) throw new ElfError(`program ${fn.name}: R_BPF_64_64 at insn ${at}, which is not ld_imm64`);
        const sym = elf.symbols[rel.symbol];
        if (sym === undefined) throw new ElfError(`program ${fn.name}: relocation names symbol ${rel.symbol}, which does not exist`);
        const list = mapSections.get(sym.shndx);
        const target = list?.find((m) => m.name === sym.name) ?? list?.find((m) => m.offset === sym.value + insn.imm);
        if (target === undefined) {
          const where = elf.sections[sym.shndx]?.name ?? `section ${sym.shndx}`;
          throw new ElfError(`program ${fn.name}: insn ${at} refers to ${sym.name || where} in ${where}: only maps can be referenced (global data is not supported)`);
        }
        mapRefs.set(at, target.name);
      }
      programs.push({ name: fn.name, section: section.name, type: kind.type, hook: kind.hook, insns, mapRefs });
    }
  }
  if (programs.length === 0) throw new ElfError('no programs in the object (put them in a SEC("tracepoint/...") section)');
  return { license, maps, programs };
}
