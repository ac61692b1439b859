// The lab's workloads: each is a kbench workload (src/user/bin/kbench.ts) run inside
// the booted system, so every preset runs the same user program.

export interface Workload {
  name: string;
  /** kbench's name for it. */
  kbench: string;
  title: string;
  /** What one sample is. */
  op: string;
}

export const WORKLOADS: Workload[] = [
  { name: 'null', kbench: 'null', title: 'null syscall', op: 'one SYS.null trap' },
  { name: 'ipc', kbench: 'ipc', title: 'IPC round trip (ipcping)', op: 'process -> kernel -> echo component -> kernel -> process' },
  { name: 'spawn', kbench: 'spawn', title: 'spawn + exit', op: 'spawn /bin/true and wait' },
  { name: 'pipe', kbench: 'pipe', title: 'pipe throughput (cat | wc)', op: 'cat of a 4 MiB file into wc -c' },
  { name: 'smallfile', kbench: 'smallfile', title: 'small-file create/stat/delete', op: 'create+write 100 B+close, stat, unlink' },
  { name: 'seqio', kbench: 'seqio', title: 'sequential file write/read', op: 'write 4 MiB (64 KiB writes) + fsync, read back' },
  { name: 'script', kbench: 'script', title: 'shell script (mixed commands)', op: 'sh -c of 12 commands (mkdir, echo, cat|wc, ls, grep, cp, mv, seq|wc, rm)' },
];

export const WORKLOAD_NAMES = WORKLOADS.map((w) => w.name);
