// The bpf() syscall's contract: commands, map and program types (Linux's numbers), the
// attribute layouts (little-endian u32 fields in the caller's memory), helper ids and
// the tracepoint context layouts. The kernel side is kernel/bpf/ and
// kernel/syscall/bpf.ts; bpftool (user/bin/bpftool.ts) is the user side.
//
// NOTE: kernelkit names maps and programs by id where Linux uses file descriptors
// (as if every object were pinned): a loaded program stays until it is unloaded, and
// ld_imm64 with src = 1 carries a map id. docs/extensions.md says why.

/** Commands: Linux's numbers where Linux has the command, 100+ for kernelkit's own. */
export const BPF_CMD = {
  /** [type, keySize, valueSize, maxEntries, flags] -> map id. */
  MAP_CREATE: 0,
  /** [mapId, keyPtr, valuePtr]. */
  MAP_LOOKUP_ELEM: 1,
  /** [mapId, keyPtr, valuePtr, flags (BPF_ANY, NOEXIST, EXIST)]. */
  MAP_UPDATE_ELEM: 2,
  /** [mapId, keyPtr]. */
  MAP_DELETE_ELEM: 3,
  /** [mapId, keyPtr, nextKeyPtr, flags (1: from the start, keyPtr unused)]. */
  MAP_GET_NEXT_KEY: 4,
  /** [progType, insnsPtr, insnCount, logPtr, logSize, hookPtr, hookLen] -> program id. */
  PROG_LOAD: 5,
  /** [progId, ctxPtr, ctxLen] -> r0 (socket filters). */
  PROG_TEST_RUN: 10,
  /** [mapId, outPtr, outSize] -> record length: pops the oldest ring buffer record. */
  MAP_LOOKUP_AND_DELETE_ELEM: 21,
  /** [progId, hookPtr, hookLen]: attaches a loaded program to a tracepoint ("raw_syscalls/sys_enter"). */
  PROG_ATTACH: 100,
  /** [progId]: detaches it from its hook. */
  PROG_DETACH: 101,
  /** [progId]: detaches and frees a program (and the maps only it used, if it came from an object). */
  PROG_UNLOAD: 102,
  /** [objPtr, objLen, logPtr, logSize, outPtr, outSize]: loads an ELF object: creates its maps, relocates, verifies, loads and attaches every program; writes the encoded BpfObjectLoaded to out. */
  OBJ_LOAD: 103,
  /** [outPtr, outSize]: writes the encoded BpfListing (programs and maps) to out. */
  LIST: 104,
  /** [progId, outPtr, outSize]: writes the program's instructions (as loaded, after relocation). */
  PROG_GET_INSNS: 105,
  /** [mapId]: frees a map nothing uses. */
  MAP_FREE: 106,
} as const;

export const BPF_MAP_TYPE = { HASH: 1, ARRAY: 2, RINGBUF: 27 } as const;
/** Program types: Linux's numbers. STRUCT_OPS carries the scheduler's pick_next (sched_ext's type). */
export const BPF_PROG_TYPE = { SOCKET_FILTER: 1, TRACEPOINT: 5, XDP: 6, STRUCT_OPS: 27 } as const;

/** What an XDP program returns (Linux's enum xdp_action; REDIRECT is not supported and counts as ABORTED). */
export const XDP_ACTION = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3 } as const;
/** Linux's struct xdp_md: u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex. */
export const XDP_MD_BYTES = 24;
/** The one device XDP programs attach to, and its ifindex (lo is 1). */
export const XDP_HOOK = 'xdp/eth0', XDP_IFINDEX = 2;

/**
 * The scheduler hook's context (kernelkit's, sched_ext-shaped): which trapped process the
 * kernel serves next. u32 nr_runnable, u32 pad, u64 now_ns, then SCHED_SLOTS entries of
 * { u32 pid, u32 uid, u64 waited_ns, u64 syscalls } (24 bytes each). The program returns
 * the pid to serve now, or 0 to serve none this round; any other value is an error.
 */
export const SCHED_HOOK = 'sched/pick_next', SCHED_SLOTS = 8, SCHED_SLOT_BYTES = 24, SCHED_CTX_BYTES = 16 + 8 * 24;

export const BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2;

/** Helper ids (Linux's). */
export const BPF_FUNC = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  ktime_get_ns: 5,
  trace_printk: 6,
  get_current_pid_tgid: 14,
  get_current_uid_gid: 15,
  get_current_comm: 16,
  ringbuf_output: 130,
} as const;

/** Hooks a tracepoint program can attach to, with the size of their context. */
export const BPF_TRACEPOINTS = {
  /** struct trace_event_raw_sys_enter: u64 common header, long id, unsigned long args[6]. */
  'raw_syscalls/sys_enter': 64,
  /** struct trace_event_raw_sys_exit: u64 common header, long id, long ret. */
  'raw_syscalls/sys_exit': 24,
  /** kernelkit's component-call event: u64 header, u64 duration_ns, u32 caller, u32 callee, u32 method, u32 status (0 ok, else errno), then char callee_name[16], char method_name[32]. */
  'kernelkit/component_call': 80,
} as const;
export type BpfTracepoint = keyof typeof BPF_TRACEPOINTS;

/** The context socket-filter programs see (the first fields of Linux's __sk_buff, u32 each). */
export const SK_BUFF_CTX_BYTES = 20;

/** Attribute of MAP_CREATE: type, keySize, valueSize, maxEntries, flags (u32 each). */
export const MAP_CREATE_ATTR_WORDS = 5;
/** Attribute of PROG_LOAD: progType, insnsPtr, insnCount, logPtr, logSize, namePtr, nameLen (u32 each). */
export const PROG_LOAD_ATTR_WORDS = 7;

/** What LIST returns (encoded with lib/codec). */
export interface BpfListing {
  programs: { id: number; name: string; type: string; hook: string; insns: number; runs: number; uid: number; maps: number[] }[];
  maps: { id: number; name: string; type: string; keySize: number; valueSize: number; maxEntries: number; entries: number; uid: number }[];
}

/** What OBJ_LOAD returns (encoded). */
export interface BpfObjectLoaded {
  programs: { id: number; name: string; type: string; hook: string }[];
  maps: { id: number; name: string }[];
}

export const progTypeName = (t: number): string => ({ [BPF_PROG_TYPE.SOCKET_FILTER]: 'socket_filter', [BPF_PROG_TYPE.TRACEPOINT]: 'tracepoint', [BPF_PROG_TYPE.XDP]: 'xdp', [BPF_PROG_TYPE.STRUCT_OPS]: 'struct_ops' })[t] ?? `type${t}`;
export const mapTypeName = (t: number): string => ({ [BPF_MAP_TYPE.HASH]: 'hash', [BPF_MAP_TYPE.ARRAY]: 'array', [BPF_MAP_TYPE.RINGBUF]: 'ringbuf' })[t] ?? `type${t}`;
export const helperName = (id: number): string => {
  const entry = Object.entries(BPF_FUNC).find(([, v]) => v === id);
  return entry !== undefined ? `bpf_${entry[0]}#${id}` : `unknown#${id}`;
};
