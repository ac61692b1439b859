// Which trapped process the kernel serves next: the one scheduling choice kernelkit's
// kernel makes, and the hook sched_ext-like eBPF schedulers attach to.
//
// kernelkit has no CPU scheduler of its own: every process is a host thread, run by
// the host's scheduler. What the kernel decides is the order in which it serves the
// processes waiting for it (trapped in a syscall, not yet in service). Default policy
// (no program attached): every one of them, in pid order, in the same round of the
// kernel's loop. With a program on `sched/pick_next` (SEC("struct_ops/pick_next")) the
// kernel serves one process per round, the one the program picks from the (at most
// SCHED_SLOTS) that waited longest; 0 means none this round.
//
// As sched_ext does, the kernel takes its default policy back when the program errs
// (it picks a pid that is not offered, or its run faults) or when a runnable process
// has waited longer than params.schedStallMs: the program is detached and dmesg says why.

import { SCHED_CTX_BYTES, SCHED_HOOK, SCHED_SLOTS, SCHED_SLOT_BYTES } from '../../abi/bpf.js';
import type { BpfSubsystem } from '../bpf/subsystem.js';
import type { Process } from './process.js';

export class SyscallScheduler {
  /** When the kernel first saw each waiting process runnable (ms, performance.now()). */
  private readonly since = new Map<Process, number>();

  constructor(private readonly bpf: BpfSubsystem, private readonly stallMs: () => number, private readonly log: (line: string) => void) {}

  /** Whether a program chooses (callers keep the default path's cost at one length test). */
  get active(): boolean { return this.bpf.hooks[SCHED_HOOK].length !== 0; }

  /**
   * The processes to serve now, out of those waiting (in pid order). Caller: a program
   * is attached (`active`).
   */
  pick(waiting: readonly Process[], now: number): Process[] {
    for (const p of waiting) if (!this.since.has(p)) this.since.set(p, now);
    if (waiting.length === 0) return [];
    const program = this.bpf.hooks[SCHED_HOOK][0]!;
    // The longest-waiting first, as many as the context holds.
    const offered = [...waiting].sort((a, b) => this.since.get(a)! - this.since.get(b)!).slice(0, SCHED_SLOTS);
    const ctx = new Uint8Array(SCHED_CTX_BYTES);
    const view = new DataView(ctx.buffer);
    view.setUint32(0, offered.length, true);
    view.setBigUint64(8, BigInt(Math.round(now * 1e6)), true);
    offered.forEach((p, i) => {
      const at = 16 + i * SCHED_SLOT_BYTES;
      view.setUint32(at, p.pid, true);
      view.setUint32(at + 4, p.cred.uid, true);
      view.setBigUint64(at + 8, BigInt(Math.max(0, Math.round((now - this.since.get(p)!) * 1e6))), true);
      view.setBigUint64(at + 16, BigInt(p.syscalls), true);
    });
    const pid = Number(BigInt.asUintN(32, this.bpf.run(program, ctx, undefined)));
    if (!program.attached) {
      this.log(`sched_ext: BPF scheduler "${program.name}" disabled (runtime error): its run faulted; default policy restored`);
      return this.served(waiting);
    }
    if (pid === 0) return [];
    const chosen = offered.find((p) => p.pid === pid);
    if (chosen === undefined) {
      this.disable(`runtime error): picked pid ${pid}, which is not among the ${offered.length} runnable (${offered.map((p) => p.pid).join(', ')}`);
      return this.served(waiting);
    }
    return this.served([chosen]);
  }

  /** Called on the kernel loop's tick: a process runnable past the bound takes the default policy back. */
  watch(waiting: readonly Process[], now: number): void {
    if (!this.active) { this.since.clear(); return; }
    const bound = this.stallMs();
    for (const p of waiting) {
      const since = this.since.get(p);
      if (since !== undefined && now - since > bound) {
        this.disable(`runnable task stall): pid ${p.pid} (${p.name}) failed to run for ${((now - since) / 1000).toFixed(3)}s (bound ${(bound / 1000).toFixed(3)}s`);
        return;
      }
    }
    // Forget processes that left (served by the default policy, or gone).
    for (const p of this.since.keys()) if (!waiting.includes(p)) this.since.delete(p);
  }

  private served(list: readonly Process[]): Process[] {
    for (const p of list) this.since.delete(p);
    return [...list];
  }

  private disable(why: string): void {
    const program = this.bpf.hooks[SCHED_HOOK][0];
    if (program === undefined) return;
    this.bpf.detach(program);
    this.since.clear();
    this.log(`sched_ext: BPF scheduler "${program.name}" disabled (${why}); default policy restored`);
  }
}
