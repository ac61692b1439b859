// bpftool: loads, lists, dumps and unloads eBPF programs and maps (after Linux's
// bpftool). `prog load FILE.o` hands the object to the kernel, which creates its maps,
// verifies every program and attaches each to the tracepoint its section names; a
// rejection prints the verifier's log. Map dumps print integer keys and values in
// decimal, anything else as hex bytes.
import { readFile } from '../libc/index.js';
import { BpfError, bpfList, bpfMapLookup, bpfMapNextKey, bpfObjectLoad, bpfProgInsns, bpfProgUnload, bpfRingbufPop } from '../libc/bpf.js';
import { decodeProgram, disassemble } from '../../abi/bpf-insn.js';
import { helperName, type BpfListing } from '../../abi/bpf.js';
import { run, stdout, complain, UsageError } from '../util/io.js';
import { checkHandOptions } from '../util/args.js';

const USAGE = 'usage: bpftool prog load FILE | prog list | prog unload ID | prog dump ID | map list | map dump name NAME | map dump id ID';

/** Little-endian integer of 1, 2, 4 or 8 bytes in decimal; other sizes as hex bytes. */
function show(bytes: Uint8Array): string {
  if ([1, 2, 4, 8].includes(bytes.byteLength)) {
    let v = 0n;
    for (let i = bytes.byteLength - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
    return v.toString();
  }
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function findMap(listing: BpfListing, how: string | undefined, what: string | undefined): BpfListing['maps'][number] {
  if ((how !== 'name' && how !== 'id') || what === undefined) throw new UsageError(USAGE);
  const map = listing.maps.find((m) => (how === 'name' ? m.name === what : m.id === Number(what)));
  if (map === undefined) throw new Error(`no map ${how} ${what}`);
  return map;
}

export function main(argv: string[]): number {
  return run('bpftool', () => {
    const args = argv.slice(1);
    checkHandOptions(args, []);
    const [object, verb, ...rest] = args;
    const key = `${object ?? ''} ${verb ?? ''}`;
    switch (key) {
      case 'prog load': {
        if (rest.length !== 1) throw new UsageError(USAGE);
        let loaded;
        try {
          loaded = bpfObjectLoad(readFile(rest[0]!)).loaded;
        } catch (e) {
          if (!(e instanceof BpfError)) throw e;
          complain('bpftool', `${rest[0]!}: ${e.message}`);
          for (const line of e.log.split('\n')) if (line !== '') stdout.line(line);
          return 1;
        }
        for (const p of loaded.programs) stdout.line(`${p.id} ${p.name} ${p.type}`);
        return 0;
      }
      case 'prog list':
        for (const p of bpfList().programs) stdout.line(`${p.id}: ${p.type} name ${p.name} ${p.hook === '' ? 'detached' : `attached ${p.hook}`} insns ${p.insns} runs ${p.runs} uid ${p.uid}${p.maps.length > 0 ? ` map_ids ${p.maps.join(',')}` : ''}`);
        return 0;
      case 'prog unload': {
        if (rest.length === 0) throw new UsageError(USAGE);
        for (const id of rest) bpfProgUnload(Number(id));
        return 0;
      }
      case 'prog dump': {
        if (rest.length !== 1) throw new UsageError(USAGE);
        decodeProgram(bpfProgInsns(Number(rest[0]))).forEach((insn, pc, all) => {
          // The second slot of an ld_imm64 has no line of its own.
          if (pc > 0 && all[pc - 1]!.imm64 !== undefined) return;
          stdout.line(`${pc}: ${disassemble(insn, helperName)}`);
        });
        return 0;
      }
      case 'map list':
        for (const m of bpfList().maps) stdout.line(`${m.id}: ${m.type} name ${m.name} key ${m.keySize}B value ${m.valueSize}B max_entries ${m.maxEntries} entries ${m.entries}`);
        return 0;
      case 'map dump': {
        const map = findMap(bpfList(), rest[0], rest[1]);
        if (map.type === 'ringbuf') {
          for (let r = bpfRingbufPop(map.id); r !== undefined; r = bpfRingbufPop(map.id)) stdout.line(`record: ${show(r)}`);
          return 0;
        }
        for (let k = bpfMapNextKey(map.id, undefined, map.keySize); k !== undefined; k = bpfMapNextKey(map.id, k, map.keySize)) {
          const v = bpfMapLookup(map.id, k, map.valueSize);
          if (v !== undefined) stdout.line(`key: ${show(k)} value: ${show(v)}`);
        }
        return 0;
      }
      default:
        throw new UsageError(USAGE);
    }
  });
}
