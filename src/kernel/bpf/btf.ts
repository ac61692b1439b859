// BTF, only as far as map declarations need it: libbpf-style maps live in the `.maps`
// section as zero-filled structs whose *type* carries the parameters
// (`__uint(type, BPF_MAP_TYPE_HASH)` is a member `int (*type)[1]`, so the value is the
// array length; `__type(key, u32)` is a member `u32 *key`, so the key size is the size
// of the pointee). This reads the BTF type section, finds the DATASEC `.maps` and turns
// each variable in it into a MapSpec. object.ts uses it; nothing else reads BTF.

import { ElfError } from './elf.js';
import type { MapSpec } from './object.js';

const KIND = { INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9, CONST: 10, RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19 } as const;

interface BtfType {
  readonly name: string;
  readonly kind: number;
  readonly vlen: number;
  /** size for INT/STRUCT/UNION/ENUM/DATASEC, referenced type for PTR/TYPEDEF/... */
  readonly sizeOrType: number;
  readonly members: { name: string; type: number; offset: number }[];
  readonly array?: { type: number; nelems: number };
}

const decoder = new TextDecoder();

function parse(btf: Uint8Array): BtfType[] {
  const v = new DataView(btf.buffer, btf.byteOffset, btf.byteLength);
  if (btf.byteLength < 24 || v.getUint16(0, true) !== 0xeb9f) throw new ElfError('.BTF: bad magic');
  const hdrLen = v.getUint32(4, true);
  const typeOff = v.getUint32(8, true), typeLen = v.getUint32(12, true);
  const strOff = v.getUint32(16, true), strLen = v.getUint32(20, true);
  if (hdrLen + typeOff + typeLen > btf.byteLength || hdrLen + strOff + strLen > btf.byteLength) throw new ElfError('.BTF: sections lie outside it');
  const strings = btf.subarray(hdrLen + strOff, hdrLen + strOff + strLen);
  const str = (at: number): string => {
    if (at >= strings.byteLength) throw new ElfError(`.BTF: string offset ${at} out of range`);
    let end = at;
    while (end < strings.byteLength && strings[end] !== 0) end++;
    return decoder.decode(strings.subarray(at, end));
  };
  const types: BtfType[] = [{ name: '', kind: 0, vlen: 0, sizeOrType: 0, members: [] }]; // id 0 = void
  let at = hdrLen + typeOff;
  const end = at + typeLen;
  const need = (n: number): void => {
    if (at + n > end) throw new ElfError('.BTF: truncated type');
  };
  while (at < end) {
    need(12);
    const name = str(v.getUint32(at, true));
    const info = v.getUint32(at + 4, true);
    const sizeOrType = v.getUint32(at + 8, true);
    const kind = (info >>> 24) & 0x1f, vlen = info & 0xffff;
    at += 12;
    const members: BtfType['members'] = [];
    let array: BtfType['array'];
    switch (kind) {
      case KIND.INT: case KIND.VAR: case KIND.DECL_TAG: need(4); at += 4; break;
      case KIND.ARRAY: need(12); array = { type: v.getUint32(at, true), nelems: v.getUint32(at + 8, true) }; at += 12; break;
      case KIND.STRUCT: case KIND.UNION:
        need(12 * vlen);
        for (let i = 0; i < vlen; i++, at += 12) members.push({ name: str(v.getUint32(at, true)), type: v.getUint32(at + 4, true), offset: v.getUint32(at + 8, true) });
        break;
      case KIND.DATASEC:
        need(12 * vlen);
        for (let i = 0; i < vlen; i++, at += 12) members.push({ name: '', type: v.getUint32(at, true), offset: v.getUint32(at + 4, true) });
        break;
      case KIND.ENUM: case KIND.FUNC_PROTO: need(8 * vlen); at += 8 * vlen; break;
      case KIND.ENUM64: need(12 * vlen); at += 12 * vlen; break;
      case KIND.PTR: case KIND.FWD: case KIND.TYPEDEF: case KIND.VOLATILE: case KIND.CONST: case KIND.RESTRICT: case KIND.FUNC: case KIND.FLOAT: case KIND.TYPE_TAG: break;
      default: throw new ElfError(`.BTF: unknown type kind ${kind}`);
    }
    types.push({ name, kind, vlen, sizeOrType, members, ...(array !== undefined ? { array } : {}) });
  }
  return types;
}

/** Map declarations of the `.maps` section, by variable name. */
export function btfMaps(btf: Uint8Array): MapSpec[] {
  const types = parse(btf);
  const get = (id: number): BtfType => {
    const t = types[id];
    if (t === undefined) throw new ElfError(`.BTF: type id ${id} out of range`);
    return t;
  };
  const skipModifiers = (id: number): BtfType => {
    let t = get(id);
    for (let depth = 0; [KIND.TYPEDEF, KIND.VOLATILE, KIND.CONST, KIND.RESTRICT, KIND.TYPE_TAG].includes(t.kind as 8); depth++) {
      if (depth > 32) throw new ElfError('.BTF: type chain too long');
      t = get(t.sizeOrType);
    }
    return t;
  };
  const sizeOf = (id: number, depth = 0): number => {
    if (depth > 32) throw new ElfError('.BTF: type chain too long');
    const t = skipModifiers(id);
    if (t.kind === KIND.PTR) return 8;
    if (t.kind === KIND.ARRAY) return t.array!.nelems * sizeOf(t.array!.type, depth + 1);
    if ([KIND.INT, KIND.STRUCT, KIND.UNION, KIND.ENUM, KIND.ENUM64, KIND.FLOAT].includes(t.kind as 1)) return t.sizeOrType;
    throw new ElfError(`.BTF: cannot size type kind ${t.kind}`);
  };
  const section = types.find((t) => t.kind === KIND.DATASEC && t.name === '.maps');
  if (section === undefined) return [];
  return section.members.map((entry) => {
    const variable = get(entry.type);
    if (variable.kind !== KIND.VAR) throw new ElfError('.BTF: .maps entry is not a variable');
    const struct = skipModifiers(variable.sizeOrType);
    if (struct.kind !== KIND.STRUCT) throw new ElfError(`map ${variable.name}: its BTF type is not a struct`);
    const spec = { name: variable.name, type: -1, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0, offset: entry.offset };
    for (const m of struct.members) {
      const pointer = skipModifiers(m.type);
      if (pointer.kind !== KIND.PTR) throw new ElfError(`map ${variable.name}: member ${m.name} is not declared with __uint or __type`);
      const target = skipModifiers(pointer.sizeOrType);
      const number = (): number => {
        if (target.kind !== KIND.ARRAY) throw new ElfError(`map ${variable.name}: member ${m.name} is not declared with __uint`);
        return target.array!.nelems;
      };
      switch (m.name) {
        case 'type': spec.type = number(); break;
        case 'max_entries': spec.maxEntries = number(); break;
        case 'map_flags': spec.flags = number(); break;
        case 'key_size': spec.keySize = number(); break;
        case 'value_size': spec.valueSize = number(); break;
        case 'key': spec.keySize = sizeOf(pointer.sizeOrType); break;
        case 'value': spec.valueSize = sizeOf(pointer.sizeOrType); break;
        default: throw new ElfError(`map ${variable.name}: unsupported member ${m.name}`);
      }
    }
    if (spec.type < 0) throw new ElfError(`map ${variable.name}: no type`);
    return spec;
  });
}
