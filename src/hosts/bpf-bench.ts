// Runs one eBPF program from an object many times in this thread, with the kernel's own
// loader, verifier, interpreter and JIT (kernel/bpf/): the program half of
// `kernelkit bench ext` (lab/bench-ext.ts), which may not reach the kernel itself.

import { BpfSubsystem, type BpfProgram } from '../kernel/bpf/subsystem.js';

/** Times runs of the object's count_enter program over `contexts`, per sample; returns ns per run for each sample and the final counts. */
export async function timeBpfProgram(object: Uint8Array, jit: number, contexts: Uint8Array[], samples: number): Promise<{ ns: number[]; counts: Map<string, bigint> }> {
  const bpf = new BpfSubsystem({ mapBytes: 1 << 24, programs: 4, jit }, () => 0n, () => {});
  const loaded = await bpf.loadObject(object, 0, true);
  const program = loaded.programs.find((p) => p.name === 'count_enter') as BpfProgram;
  const caller = { pid: 42, uid: 0, gid: 0, comm: 'bench' };
  const ns: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = process.hrtime.bigint();
    for (const ctx of contexts) bpf.run(program, ctx, caller);
    ns.push(Number(process.hrtime.bigint() - start) / contexts.length);
  }
  const counts = new Map<string, bigint>();
  const map = loaded.maps.find((m) => m.name === 'counts')!;
  for (let k = map.nextKey(undefined); k !== undefined; k = map.nextKey(k)) {
    const view = new DataView(k.buffer, k.byteOffset, 8);
    counts.set(`${view.getUint32(0, true)}/${view.getUint32(4, true)}`, new DataView(map.lookup(k)!.value.buffer).getBigUint64(0, true));
  }
  return { ns, counts };
}


/** Times eth0's XDP hook over `frames` (the object's one XDP program attached), per sample; returns ns per frame and how many frames it dropped in the last sample. */
export async function timeXdp(object: Uint8Array, jit: number, frames: Uint8Array[], samples: number): Promise<{ ns: number[]; dropped: number }> {
  const bpf = new BpfSubsystem({ mapBytes: 1 << 24, programs: 4, jit }, () => 0n, () => {});
  await bpf.loadObject(object, 0, true);
  const ns: number[] = [];
  let dropped = 0;
  for (let s = 0; s < samples; s++) {
    dropped = 0;
    const start = process.hrtime.bigint();
    for (const f of frames) if (bpf.runXdp(f) === 1) dropped++;
    ns.push(Number(process.hrtime.bigint() - start) / frames.length);
  }
  return { ns, dropped };
}
