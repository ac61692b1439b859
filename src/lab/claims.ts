// "The claims, tested": C1-C9, C13 and C14 of the claims list (docs/lab.md), each judged
// from THIS run's numbers with the published figure beside it, and the lab's
// performance targets. Timing claims are judged on bootstrap intervals
// (verdict.ts): held or not held only when the whole 95% interval is on one side of
// the threshold, inconclusive when it straddles. Fault and TCB claims are counts.

import type { LabResult, LabRow } from './lab.js';
import type { FaultCell } from './faults.js';
import type { Bootstrapped } from './bootstrap.js';
import { geomean } from './bootstrap.js';
import { judge, allOf, formatInterval, type Verdict, type Judgement } from './verdict.js';
import type { GadgetProbe } from './gadget.js';
import { judgeC7, C7_THRESHOLD } from './net-rows.js';
import { judgeC8, judgeC9, C8_NEAR_KERNEL, type C8Input, type C9Probe } from './ext-claims.js';

// NOTE: the gadget probe (gadget.ts) boots machines on Node; this file judges only, so the browser lab can use it.
export type { GadgetProbe } from './gadget.js';

export interface ClaimVerdict {
  id: string;
  claim: string;
  verdict: Verdict;
  /** What this run measured, with intervals where the figure is a timing. */
  measured: string;
  /** The condition for "held". */
  threshold: string;
  /** Why this verdict (for inconclusive: which interval straddles what). */
  reason: string;
  published: string;
}
export interface TargetVerdict { target: string; verdict: 'met' | 'missed' | 'inconclusive' | 'not tested'; measured: string }

/** What the judges read: the run's figures plus every row (also those not listed). */
export type LabInput = Omit<LabResult, 'claims' | 'targets'> & { rows: LabRow[] };
/** A cell's ratio to monolithic with its bootstrap replicates. */
export type RatioOf = (preset: string, ipc: string, workload: string) => Bootstrapped | undefined;

const f2 = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(2));

function cell(f: FaultCell[], preset: string, component: string, type: string): FaultCell | undefined {
  return f.find((c) => c.preset === preset && c.component === component && c.type === type && c.injected > 0);
}

const MACRO = ['spawn', 'pipe', 'smallfile', 'seqio', 'script'];

function countVerdict(tested: boolean, held: boolean): Verdict { return !tested ? 'not tested' : held ? 'held' : 'not held'; }

export function judgeClaims(r: LabInput, ratioOf: RatioOf, gadget: GadgetProbe, ext?: { c8: C8Input; c9: C9Probe }): ClaimVerdict[] {
  const out: ClaimVerdict[] = [];
  {
    const file = ratioOf('microkernel', 'shm', 'smallfile'), nul = ratioOf('microkernel', 'shm', 'null');
    const j = file === undefined ? { verdict: 'not tested' as const, reason: 'needs microkernel/shm smallfile' } : judge('microkernel/shm smallfile ratio to monolithic', file, 2, 'at-least');
    out.push({
      id: 'C1', claim: 'A microkernel system call costs several times a monolithic one (3-5x).', verdict: j.verdict,
      measured: file === undefined ? 'needs microkernel/shm smallfile' : `file syscalls (create/stat/unlink): microkernel/shm ${formatInterval(file, 'x')} monolithic; null syscall (kernel core only): ${nul === undefined ? '-' : formatInterval(nul, 'x')}`,
      threshold: 'microkernel/shm smallfile ≥ 2x monolithic (whole 95% interval)', reason: j.reason,
      published: 'gVisor getpid: 830 ns (KVM) and 6,249 ns (ptrace) vs 62 ns native (gVisor blog, 2021).',
    });
  }
  {
    // The first-generation transport: mach where this build has it, else postmessage.
    const first = MACRO.every((w) => ratioOf('microkernel', 'mach', w) !== undefined) ? 'mach' : 'postmessage';
    const parts = (ipc: string): Bootstrapped[] | undefined => {
      const xs = MACRO.map((w) => ratioOf('microkernel', ipc, w));
      return xs.every((x) => x !== undefined) ? xs as Bootstrapped[] : undefined;
    };
    const old = parts(first), fast = parts('shm');
    const tested = old !== undefined && fast !== undefined;
    const gOld = tested ? geomean(old) : undefined, gFast = tested ? geomean(fast) : undefined;
    const j: Judgement = !tested ? { verdict: 'not tested', reason: `needs microkernel with shm and ${first}, every macro workload` }
      : allOf([judge(`${first} geometric mean`, gOld!, 1.3, 'at-least'), judge('shm geometric mean', gFast!, 1.1, 'at-most')]);
    out.push({
      id: 'C2', claim: 'First-generation microkernels were ~50% slower; L4-style IPC brings the gap down to a few percent.', verdict: j.verdict,
      measured: !tested ? j.reason : `macro workloads (${MACRO.join(', ')}), geometric mean of ratio to monolithic: ${first} ${formatInterval(gOld!, 'x')}, shm ${formatInterval(gFast!, 'x')}`,
      threshold: `${first} ≥ 1.3x and shm ≤ 1.1x monolithic (geometric means, whole 95% intervals)`, reason: j.reason,
      published: 'L4Linux within 5% of native Linux (AIM); MkLinux paid 5-7x that penalty (Härtig et al., SOSP 1997). L4 IPC 22x faster than Mach (Liedtke, SOSP 1993).',
    });
  }
  {
    const cs = r.faults.filter((c) => c.preset === 'microkernel' && c.type === 'crash' && ['blk', 'console'].includes(c.component) && c.injected > 0);
    const ok = cs.every((c) => c.survived_pct === 100 && c.data_lost === 0 && c.completed_pct === 100);
    const measured = cs.length === 0 ? 'needs microkernel blk/console crash campaigns' : cs.map((c) => `${c.component} crash x${c.injected}: survived ${c.survived_pct}%, in-flight op completed ${c.completed_pct}%, recovery p50 ${c.recovery_ms_p50 ?? '-'} ms, data lost ${c.data_lost}`).join('; ');
    out.push({
      id: 'C3', claim: 'A crashed driver is restarted without affecting anything else.', verdict: countVerdict(cs.length > 0, ok), measured,
      threshold: 'every microkernel blk/console crash: 100% survived, 100% of in-flight operations completed, 0 lost', reason: measured,
      published: 'MINIX 3: 3,400,000 faults injected into Ethernet drivers; none broke isolation or crashed the OS (Herder et al., DSN 2009).',
    });
  }
  {
    const c = cell(r.faults, 'monolithic', 'blk', 'wild-write');
    const u = cell(r.faults, 'microkernel', 'blk', 'wild-write');
    const measured = c === undefined ? 'needs a monolithic blk wild-write campaign' : `monolithic blk wild-write x${c.injected}: ${c.corruption_caught} corruptions of filesystem data caught by checksums, ${c.panics} panics${u === undefined ? '' : `; microkernel: ${u.corruption_caught} caught`}`;
    out.push({
      id: 'C4', claim: 'In a monolithic kernel, a bug in one driver can corrupt memory used by the filesystem.', verdict: countVerdict(c !== undefined, (c?.corruption_caught ?? 0) > 0), measured,
      threshold: 'a monolithic blk wild write corrupts at least one checksummed file', reason: measured,
      published: 'No figure in the claims list; context: MINIX 3 user-space drivers cost about 5-10% versus in-kernel drivers (Herder et al.).',
    });
  }
  {
    const m = r.tcb.find((t) => t.preset === 'monolithic'), k = r.tcb.find((t) => t.preset === 'microkernel');
    const measured = m === undefined || k === undefined ? 'needs monolithic and microkernel' : `kernel-domain lines: microkernel ${k.kernel_loc} vs monolithic ${m.kernel_loc} (${f2(k.kernel_loc / m.kernel_loc)}x); total system ${k.total_loc} vs ${m.total_loc} (same code: the counter-claim holds too)`;
    out.push({
      id: 'C5', claim: "A microkernel's trusted computing base is smaller (counter-claim: total size ends up comparable).",
      verdict: countVerdict(m !== undefined && k !== undefined, (k?.kernel_loc ?? 0) < (m?.kernel_loc ?? 0)), measured,
      threshold: 'microkernel kernel-domain lines < monolithic kernel-domain lines', reason: measured,
      published: "seL4's kernel: ~8,700 lines of C + ~600 of assembler (Klein et al., SOSP 2009).",
    });
  }
  {
    const cs = r.faults.filter((c) => c.preset !== 'monolithic' && c.type === 'crash' && c.injected > 0 && c.survived_pct > 0);
    const broken = cs.filter((c) => c.completed_pct < 100 || c.data_lost > 0);
    const measured = cs.length === 0 ? 'needs crash campaigns on a preset with user-domain components' : cs.map((c) => `${c.preset} ${c.component}: in-flight op completed ${c.completed_pct}%, failed requests ${c.failed_requests}, data lost ${c.data_lost}, volatile files lost ${c.volatile_lost}`).join('; ');
    out.push({
      id: 'C6', claim: '(counter-claim) If a driver crashes halfway through an operation, restarting it does not restore the system to a working state.',
      verdict: countVerdict(cs.length > 0, broken.length > 0), measured,
      threshold: 'some user-domain crash left an in-flight operation failed or data lost', reason: measured,
      published: 'No figure in the claims list; MINIX 3 restarts drivers transparently for most failures (Herder et al., DSN 2009).',
    });
  }
  {
    const j = judgeC7(r.net?.rows);
    out.push({
      id: 'C7', claim: 'Bridging two network devices inside the kernel avoids context switches and raises throughput.', verdict: j.verdict,
      measured: j.measured,
      threshold: `frames forwarded between two NICs: bridge and drivers in the kernel domain (monolithic) ≥ ${C7_THRESHOLD}x the MB/s of each in its own server (microkernel), whole 95% interval`,
      reason: j.reason,
      published: 'No figure in the claims list; a monolithic kernel bridges two network devices "without any context change" (the seeds). MINIX 3 runs its Ethernet drivers as user processes (Herder et al., DSN 2009).',
    });
  }
  {
    const j = judgeC8(ext?.c8 ?? { tested: false, reason: 'not tested: this run measured no safe code in the kernel (lab --no-ext)' });
    out.push({
      id: 'C8', claim: 'Running code in a WebAssembly VM inside the kernel avoids context switches and is very fast.', ...j,
      threshold: `the C block driver in the sandbox domain costs at most ${C8_NEAR_KERNEL}x the TypeScript driver in the kernel domain per one-sector read, and less than a user-domain server, each ratio's whole 95% interval (several boots per placement)`,
      published: 'kernel-wasm: an echo server about 10% faster than native user space; Singularity: software isolation under 5% against 25-33% for hardware isolation (Hunt et al., 2007).',
    });
  }
  {
    const j = judgeC9(ext?.c9 ?? { tested: false, reason: 'not tested: this run measured no safe code in the kernel (lab --no-ext)' });
    out.push({
      id: 'C9', claim: 'eBPF-style code is verified and sandboxed and cannot crash the kernel.', ...j,
      threshold: 'every hostile eBPF program refused on every preset with the kernel running on, while the same bugs as kernel-domain modules panic, hang or corrupt the monolithic kernel',
      published: "No figure in the claims list; Linux's verifier is the model (kernel/bpf/verifier.c), PREVAIL its formal sibling (Gershuni et al., PLDI 2019).",
    });
  }
  {
    const g = gadget;
    let verdict: Verdict, reason: string;
    if (!g.tested) { verdict = 'not tested'; reason = g.reason; }
    else if (g.user.leaked) { verdict = 'not held'; reason = 'the module in the user domain read the secret block'; }
    else if (g.kernel.leaked) { verdict = 'held'; reason = 'in the kernel domain the module read the secret block; in its own user-domain server it did not'; }
    else { verdict = 'inconclusive'; reason = 'the secret showed up in neither domain, so the probe cannot tell isolation from a module that did not read'; }
    out.push({
      id: 'C13', claim: "With a smaller TCB, a malicious or dubious driver cannot take control of the whole system (a driver of dubious origin for your latest USB gadget wouldn't be able to read your hard disk).",
      verdict, measured: g.tested ? `kernel domain (monolithic): insmod ${g.kernel.insmod}, secret ${g.kernel.leaked ? 'read' : 'not read'}; user domain (microkernel): insmod ${g.user.insmod}, secret ${g.user.leaked ? 'read' : 'not read'}` : g.reason,
      threshold: 'usbgadget reads the secret block of /dev/blk0 in the kernel domain but not from its own user-domain server', reason,
      published: 'No figure in the claims list; MINIX 3 drivers hold only the I/O capabilities they are granted (Herder et al., DSN 2009).',
    });
  }
  out.push(judgeC14(r.faults));
  return out;
}

/**
 * C14 from the network fault cells: a crashed NIC driver in its own server (microkernel,
 * and hybrid where measured) must go unnoticed by TCP — the machine lives, every
 * transfer in flight completes, no acknowledged byte is lost, no connection breaks —
 * and a crashed net server (microkernel: the stack in its own server) must break every
 * connection that was established when it crashed. The stalls are reported beside.
 */
export function judgeC14(faults: FaultCell[]): ClaimVerdict {
  const nic = ['microkernel', 'hybrid'].map((p) => cell(faults, p, 'nic', 'crash')).filter((c): c is FaultCell => c !== undefined);
  const net = cell(faults, 'microkernel', 'net', 'crash');
  const base = {
    id: 'C14', claim: 'A restarted network driver is almost unnoticeable to TCP (retransmission carries the connection across); a crashed TCP/IP server breaks every established connection.',
    threshold: 'microkernel (and hybrid) nic crash: 100% survived, 100% of in-flight transfers completed, 0 acknowledged chunks lost, 0 connections lost; microkernel net crash: every connection established at a crash lost',
    published: 'MINIX 3 wiki: a crashed packet filter is "almost unnoticeable", a crashed TCP server "breaks all established connections"; 3,400,000 faults injected into its Ethernet drivers (Herder et al., DSN 2009).',
  };
  if (!nic.some((c) => c.preset === 'microkernel') || net === undefined) {
    const why = 'needs microkernel nic crash and net crash campaigns';
    return { ...base, verdict: 'not tested', measured: why, reason: why };
  }
  const stall = (c: FaultCell): string => `stall p50 ${c.recovery_ms_p50 ?? '-'} ms, p99 ${c.recovery_ms_p99 ?? '-'} ms`;
  const nicText = nic.map((c) => `${c.preset} nic crash x${c.injected}: survived ${c.survived_pct}%, in-flight completed ${c.completed_pct}%, connections lost ${c.connections_lost} of ${c.connections_open}, data lost ${c.data_lost}, ${stall(c)}`);
  const netText = `microkernel net crash x${net.injected}: survived ${net.survived_pct}%, connections lost ${net.connections_lost} of ${net.connections_open}, in-flight completed ${net.completed_pct}%, ${stall(net)}`;
  const nicBad = nic.filter((c) => c.survived_pct < 100 || c.completed_pct < 100 || c.data_lost > 0 || c.connections_lost > 0);
  const netHeld = net.connections_open > 0 && net.connections_lost >= net.connections_open;
  const reason = [
    nicBad.length === 0 ? 'every NIC-driver crash went unnoticed by the connections' : `noticed: ${nicBad.map((c) => `${c.preset} nic crash (${c.connections_lost} connections lost, ${c.completed_pct}% completed, ${c.data_lost} lost)`).join('; ')}`,
    net.connections_open === 0 ? 'no connection was established at a net crash, so the second half is not shown'
      : netHeld ? 'every connection established at a net crash broke' : `only ${net.connections_lost} of ${net.connections_open} connections established at a net crash broke`,
  ].join('; ');
  const verdict: Verdict = net.connections_open === 0 && nicBad.length === 0 ? 'inconclusive' : nicBad.length === 0 && netHeld ? 'held' : 'not held';
  return { ...base, verdict, measured: [...nicText, netText].join('; '), reason };
}

export function judgeTargets(r: LabInput, ratioOf: RatioOf): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const spin = r.reference.spin_rt_ns;
  const ipc = r.rows.find((x) => x.preset === 'microkernel' && x.ipc === 'shm' && x.workload === 'ipc');
  const ring = r.reference.ipc_rt_ns.shm;
  out.push({
    target: 'shm IPC round trip within 3x of the raw two-thread spin round trip',
    verdict: ring === undefined ? 'not tested' : ring <= 3 * spin ? 'met' : 'missed',
    measured: `spin ${spin} ns; direct shm channel (the kernel's channel code, fixed wire, two threads) ${ring ?? '-'} ns = ${ring === undefined ? '-' : f2(ring / spin)}x; in the OS, microkernel ipcping (process->kernel->echo->kernel->process) ${ipc?.median_us == null ? '-' : `${Math.round(ipc.median_us * 1000)} ns = ${f2((ipc.median_us * 1000) / spin)}x`}.`,
  });
  for (const w of ['smallfile', 'script']) {
    const x = ratioOf('microkernel', 'shm', w);
    const j = x === undefined ? undefined : judge(`microkernel/shm ${w}`, x, 1.3, 'at-most');
    out.push({
      target: `microkernel (shm) within 1.3x of monolithic on ${w}`,
      verdict: j === undefined ? 'not tested' : j.verdict === 'held' ? 'met' : j.verdict === 'not held' ? 'missed' : j.verdict,
      measured: x === undefined ? '-' : `${formatInterval(x, 'x')}${j?.verdict === 'not held' ? ` (missed by ${f2(x.point / 1.3)}x)` : ''}`,
    });
  }
  return out;
}
