// The object loader against real and broken objects: clang-compiled programs with both
// map declaration styles load with their relocations resolved; a seeded stream of
// corrupted copies (bytes flipped, truncated) is refused with a message or loaded and
// verified, never a crash or a hang. Prints the seed when it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isKernelError } from '../../src/abi/errno.js';
import { LD_IMM64, PSEUDO_MAP_FD } from '../../src/abi/bpf-insn.js';
import { BpfSubsystem } from '../../src/kernel/bpf/subsystem.js';

const sources = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/bpf/c');

function compile(file: string, defines: string[] = []): Uint8Array {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-bpf-obj-'));
  try {
    execFileSync('clang', ['-target', 'bpf', '-O2', '-g', ...defines, '-c', path.join(sources, file), '-o', path.join(dir, 'out.o')]);
    return new Uint8Array(fs.readFileSync(path.join(dir, 'out.o')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const subsystem = (): BpfSubsystem => new BpfSubsystem({ mapBytes: 1 << 24, programs: 16, jit: 1 }, () => 0n, () => {});

test('syscount.o: BTF and legacy maps, both programs attached, every map reference relocated to its map', async () => {
  const bpf = subsystem();
  const { programs, maps } = await bpf.loadObject(compile('syscount.c', ['-DREAD_NR=13']), 0, true);
  assert.deepEqual(programs.map((p) => [p.name, p.hook, p.attached]), [['count_enter', 'raw_syscalls/sys_enter', true], ['count_read', 'raw_syscalls/sys_exit', true]]);
  const byName = new Map(maps.map((m) => [m.name, m]));
  assert.deepEqual({ ...byName.get('counts')!.params }, { type: 1, keySize: 8, valueSize: 8, maxEntries: 4096, flags: 0 });
  assert.deepEqual({ ...byName.get('read_bytes')!.params }, { type: 1, keySize: 4, valueSize: 8, maxEntries: 1024, flags: 0 });
  for (const [program, map] of [[programs[0]!, 'counts'], [programs[1]!, 'read_bytes']] as const) {
    const refs = program.insns.filter((i) => i.code === LD_IMM64 && i.src === PSEUDO_MAP_FD).map((i) => i.imm);
    assert.ok(refs.length > 0 && refs.every((id) => id === byName.get(map)!.id), `${program.name}: ${refs}`);
  }
});

test('corrupted objects are refused with a message or load verified; nothing else escapes', async () => {
  const good = compile('syscount.c', ['-DREAD_NR=13']);
  const seed = Number(process.env.BPF_FUZZ_SEED ?? Date.now() % 100000);
  let state = seed;
  const random = (n: number): number => { state = (state * 1103515245 + 12345) % 2147483648; return state % n; };
  let refused = 0, loaded = 0;
  try {
    for (let round = 0; round < 300; round++) {
      const bad = good.slice(0, round % 10 === 0 ? random(good.byteLength) : good.byteLength);
      for (let i = 0; i < 1 + random(8); i++) if (bad.byteLength > 0) bad[random(bad.byteLength)] = random(256);
      const bpf = subsystem();
      try {
        await bpf.loadObject(bad, 0, true);
        loaded++;
      } catch (e) {
        assert.ok(isKernelError(e), `round ${round}: ${e instanceof Error ? e.stack : String(e)}`);
        assert.ok(e.message.length > 0);
        refused++;
        // All or nothing: a refused object leaves no map or program behind.
        assert.equal(bpf.maps.size + bpf.programs.size, 0, `round ${round}: leftovers`);
      }
    }
  } catch (e) {
    console.error(`object fuzz failed with BPF_FUZZ_SEED=${seed}`);
    throw e;
  }
  assert.ok(refused > 0, `${refused} refused, ${loaded} loaded`);
});
