// "The claims, tested": C1-C6 from ../shared/CLAIMS.md, each judged held / not held /
// not tested from THIS run's numbers, with the published figure beside it; and the
// performance targets of the lab's issue, met or missed and by how much.

import type { LabResult, LabRow } from './lab.js';
import type { FaultCell } from './faults.js';

export interface ClaimVerdict { id: string; claim: string; verdict: 'held' | 'not held' | 'not tested'; measured: string; published: string }
export interface TargetVerdict { target: string; verdict: 'met' | 'missed' | 'not tested'; measured: string }

const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '-');

function row(r: LabResult, preset: string, ipc: string, workload: string): LabRow | undefined {
  return r.results.find((x) => x.preset === preset && x.ipc === ipc && x.workload === workload);
}

function cell(f: FaultCell[], preset: string, component: string, type: string): FaultCell | undefined {
  return f.find((c) => c.preset === preset && c.component === component && c.type === type && c.injected > 0);
}

const MACRO = ['spawn', 'pipe', 'smallfile', 'seqio', 'script'];

export function judgeClaims(r: LabResult): ClaimVerdict[] {
  const out: ClaimVerdict[] = [];
  {
    const file = row(r, 'microkernel', 'shm', 'smallfile'), nul = row(r, 'microkernel', 'shm', 'null');
    out.push({
      id: 'C1', claim: 'A microkernel system call costs several times a monolithic one (3-5x).',
      verdict: file === undefined ? 'not tested' : file.ratio_to_monolithic >= 2 ? 'held' : 'not held',
      measured: file === undefined ? 'needs microkernel/shm smallfile' : `file syscalls (create/stat/unlink): microkernel/shm ${f2(file.ratio_to_monolithic)}x monolithic; null syscall (kernel core only): ${nul === undefined ? '-' : f2(nul.ratio_to_monolithic)}x. Held when the file-syscall ratio is 2x or more.`,
      published: 'gVisor getpid: 830 ns (KVM) and 6,249 ns (ptrace) vs 62 ns native (gVisor blog, 2021).',
    });
  }
  {
    const ratios = (ipc: string): number[] => MACRO.map((w) => row(r, 'microkernel', ipc, w)?.ratio_to_monolithic).filter((x): x is number => x !== undefined && x > 0);
    const pm = ratios('postmessage'), shm = ratios('shm');
    const tested = pm.length > 0 && shm.length > 0;
    const gp = tested ? geomean(pm) : NaN, gs = tested ? geomean(shm) : NaN;
    out.push({
      id: 'C2', claim: 'First-generation microkernels were ~50% slower; L4-style IPC brings the gap down to a few percent.',
      verdict: !tested ? 'not tested' : gp >= 1.3 && gs <= 1.1 ? 'held' : 'not held',
      measured: !tested ? 'needs microkernel with both transports' : `macro workloads (${MACRO.join(', ')}), geometric mean of ratio to monolithic: postmessage ${f2(gp)}x, shm ${f2(gs)}x. Held when postmessage >= 1.3x and shm <= 1.1x.`,
      published: 'L4Linux within 5% of native Linux (AIM); MkLinux paid 5-7x that penalty (Härtig et al., SOSP 1997). L4 IPC 22x faster than Mach (Liedtke, SOSP 1993).',
    });
  }
  {
    const cs = r.faults.filter((c) => c.preset === 'microkernel' && c.type === 'crash' && ['blk', 'console'].includes(c.component) && c.injected > 0);
    const ok = cs.every((c) => c.survived_pct === 100 && c.data_lost === 0 && c.completed_pct === 100);
    out.push({
      id: 'C3', claim: 'A crashed driver is restarted without affecting anything else.',
      verdict: cs.length === 0 ? 'not tested' : ok ? 'held' : 'not held',
      measured: cs.length === 0 ? 'needs microkernel blk/console crash campaigns' : cs.map((c) => `${c.component} crash x${c.injected}: survived ${c.survived_pct}%, in-flight op completed ${c.completed_pct}%, recovery p50 ${c.recovery_ms_p50 ?? '-'} ms, data lost ${c.data_lost}`).join('; '),
      published: 'MINIX 3: 3,400,000 faults injected into Ethernet drivers; none broke isolation or crashed the OS (Herder et al., DSN 2009).',
    });
  }
  {
    const c = cell(r.faults, 'monolithic', 'blk', 'wild-write');
    const u = cell(r.faults, 'microkernel', 'blk', 'wild-write');
    out.push({
      id: 'C4', claim: 'In a monolithic kernel, a bug in one driver can corrupt memory used by the filesystem.',
      verdict: c === undefined ? 'not tested' : c.corruption_caught > 0 ? 'held' : 'not held',
      measured: c === undefined ? 'needs a monolithic blk wild-write campaign' : `monolithic blk wild-write x${c.injected}: ${c.corruption_caught} corruptions of filesystem data caught by checksums, ${c.panics} panics${u === undefined ? '' : `; microkernel: ${u.corruption_caught} caught`}.`,
      published: 'No figure in CLAIMS.md; context: MINIX 3 user-space drivers cost about 5-10% versus in-kernel drivers (Herder et al.).',
    });
  }
  {
    const m = r.tcb.find((t) => t.preset === 'monolithic'), k = r.tcb.find((t) => t.preset === 'microkernel');
    out.push({
      id: 'C5', claim: "A microkernel's trusted computing base is smaller (counter-claim: total size ends up comparable).",
      verdict: m === undefined || k === undefined ? 'not tested' : k.kernel_loc < m.kernel_loc ? 'held' : 'not held',
      measured: m === undefined || k === undefined ? 'needs monolithic and microkernel' : `kernel-domain lines: microkernel ${k.kernel_loc} vs monolithic ${m.kernel_loc} (${f2(k.kernel_loc / m.kernel_loc)}x); total system ${k.total_loc} vs ${m.total_loc} (same code: the counter-claim holds too).`,
      published: "seL4's kernel: ~8,700 lines of C + ~600 of assembler (Klein et al., SOSP 2009).",
    });
  }
  {
    const cs = r.faults.filter((c) => c.preset !== 'monolithic' && c.type === 'crash' && c.injected > 0 && c.survived_pct > 0);
    const broken = cs.filter((c) => c.completed_pct < 100 || c.data_lost > 0);
    out.push({
      id: 'C6', claim: '(counter-claim) If a driver crashes halfway through an operation, restarting it does not restore the system to a working state.',
      verdict: cs.length === 0 ? 'not tested' : broken.length > 0 ? 'held' : 'not held',
      measured: cs.length === 0 ? 'needs crash campaigns on a preset with user-domain components' : cs.map((c) => `${c.preset} ${c.component}: in-flight op completed ${c.completed_pct}%, failed requests ${c.failed_requests}, data lost ${c.data_lost}, volatile files lost ${c.volatile_lost}`).join('; ') + '. Held when some in-flight operation failed or data was lost.',
      published: 'No figure in CLAIMS.md; MINIX 3 restarts drivers transparently for most failures (Herder et al., DSN 2009).',
    });
  }
  return out;
}

export function judgeTargets(r: LabResult, benchKernelEchoNs?: number): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const spin = r.reference.spin_rt_ns;
  const ipc = row(r, 'microkernel', 'shm', 'ipc');
  const ring = r.reference.ipc_rt_ns.shm;
  out.push({
    target: 'shm IPC round trip within 3x of the raw two-thread spin round trip',
    verdict: ipc === undefined && ring === undefined ? 'not tested' : (ring !== undefined && ring <= 3 * spin) ? 'met' : 'missed',
    measured: `spin ${spin} ns; direct shm channel (lib ring, two threads) ${ring ?? '-'} ns = ${ring === undefined ? '-' : f2(ring / spin)}x; in the OS, microkernel ipcping (process->kernel->echo->kernel->process) ${ipc === undefined ? '-' : Math.round(ipc.median_us * 1000)} ns = ${ipc === undefined ? '-' : f2((ipc.median_us * 1000) / spin)}x${benchKernelEchoNs === undefined ? '' : `; kernel<->echo leg ${benchKernelEchoNs} ns`}.`,
  });
  for (const w of ['smallfile', 'script']) {
    const x = row(r, 'microkernel', 'shm', w);
    out.push({
      target: `microkernel (shm) within 1.3x of monolithic on ${w}`,
      verdict: x === undefined ? 'not tested' : x.ratio_to_monolithic <= 1.3 ? 'met' : 'missed',
      measured: x === undefined ? '-' : `${f2(x.ratio_to_monolithic)}x${x.ratio_to_monolithic > 1.3 ? ` (missed by ${f2(x.ratio_to_monolithic / 1.3)}x)` : ''}`,
    });
  }
  return out;
}
