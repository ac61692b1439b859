// Tracing: the syscalls of a traced process and the component calls each one caused
// (abi/trace.ts holds the events and their text form). The dispatcher (kernel.ts)
// tests one field, `p.trace`, per syscall; only a traced process pays for the rest.
//
// Attribution. Syscall handlers are async and interleave, so nothing global says which
// syscall a component call serves. A traced syscall's handler therefore gets its own
// view of the kernel (a Proxy): its `vfs`, `pm`, `console`, `blk` and
// `components.iface()` answer interfaces that time each call and record it as a hop of
// this syscall, and every kernel method the handler calls through the view runs with
// the view as `this`, so the calls it makes are seen too. Writes go to the kernel
// itself. A user-domain call also arms a probe (ipc/rpc.ts) for the one channel message
// it sends, which reports the sizes and layouts of the call and its reply.
//
// What is not seen: calls between two components (vfs -> blk) are made in the server
// threads, or inside a kernel-domain component after its own awaits; neither carries
// the syscall with it, so they are not attributed (docs/architecture.md, "Tracing");
// the component table counts them per edge, unattributed (ComponentTable.peerTraffic).
//
// Sinks: where the lines go. The machine's trace stream (`kernelkit run --trace`,
// Platform.trace) or an open file of the tracer (the `trace` syscall). A sink counts
// the processes that hold it and closes its file when the last lets go.

import { WindowGrant } from './ipc/grant.js';
import { KernelError, Errno, errnoName, isKernelError } from '../abi/errno.js';
import { SYS, SYSCALL_BY_NR, type SyscallDef, type SpawnRequest } from '../abi/syscalls.js';
import { formatTraceEvent, type HopTraceEvent, type SyscallTraceEvent, type TraceEvent, type TraceTransport } from '../abi/trace.js';
import { decode, type Value } from '../lib/codec.js';
import type { Cred } from '../abi/cred.js';
import type { Kernel } from './kernel.js';
import type { Process } from './proc/process.js';
import type { OpenFile } from './fs/file.js';
import { AT } from '../abi/fs.js';
import { DirectOp } from '../abi/direct.js';
import type { DirectCall } from './proc/direct.js';
import type { ComponentTable, Domain } from './component/table.js';
import { armProbe, type CallProbe } from './ipc/rpc.js';
import { closeFile, writeFile } from './fs/io.js';

export interface TraceSink {
  /** The tracer's real uid, and whether it may trace anyone (root). */
  readonly uid: number;
  readonly privileged: boolean;
  readonly json: boolean;
  /** Processes whose `trace` or `traceChildren` is this sink. */
  holders: number;
  emit(line: string): void;
  /** Resolves once every line emitted so far is written. */
  flushed(): Promise<void>;
  /** The last holder let go. */
  close(): Promise<void>;
  /** Takes events as they are, instead of lines (the eBPF component-call hook). */
  event?(e: TraceEvent): void;
}

/** The machine's trace stream: `kernelkit run --trace`. Its reader is the operator: it traces everyone. */
export function machineSink(write: (line: string) => void, json: boolean): TraceSink {
  return { uid: 0, privileged: true, json, holders: 0, emit: write, flushed: () => Promise.resolve(), close: () => Promise.resolve() };
}

/** Lines written to an open file of the tracer, in order, one write per batch. */
export class FileSink implements TraceSink {
  readonly uid: number;
  readonly privileged: boolean;
  holders = 0;
  private queued: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private dropped = 0;

  // Caller must have taken a reference on `file` (refs++); close() gives it back.
  constructor(private readonly k: Kernel, private readonly tracer: Process, private readonly file: OpenFile, readonly json: boolean) {
    this.uid = tracer.cred.uid;
    this.privileged = tracer.cred.euid === 0;
  }

  emit(line: string): void {
    if (this.closed) return;
    // A reader that stopped reading (a full pipe) must not make the kernel hold lines without bound.
    if (this.queued.length >= this.k.params.traceQueuedLines) { this.dropped++; return; }
    if (this.dropped > 0) { this.queued.push(`... ${this.dropped} trace lines dropped (the trace file was not being written)\n`); this.dropped = 0; }
    this.queued.push(line + '\n');
    if (this.queued.length === 1) this.writing = this.writing.then(() => this.drain());
  }

  private async drain(): Promise<void> {
    const data = new TextEncoder().encode(this.queued.join(''));
    this.queued = [];
    // NOTE: await; the kernel itself (not a traced view) writes, so these writes make no hops.
    for (let at = 0; at < data.length;) {
      try { at += await writeFile(this.k, this.tracer, this.file, data.subarray(at)); } catch { return; }
    }
  }

  flushed(): Promise<void> { return this.writing; }

  async close(): Promise<void> {
    await this.writing;
    this.closed = true;
    await closeFile(this.k, this.file).catch(() => {});
  }
}

/** Whether a tracer with `sink` may see a process running as `cred` (ptrace's rule: root, or all three uids its own). */
export function mayTrace(tracer: { uid: number; privileged: boolean }, cred: Cred): boolean {
  return tracer.privileged || (cred.uid === tracer.uid && cred.euid === tracer.uid && cred.suid === tracer.uid);
}

export function emitEvent(sink: TraceSink, e: TraceEvent): void {
  if (sink.event !== undefined) { sink.event(e); return; }
  // JSON: a figure that is not visible is null, not a missing key.
  sink.emit(sink.json ? JSON.stringify(e, (_key, v: unknown) => v === undefined ? null : v) : formatTraceEvent(e));
}

/** Points `p.trace` or `p.traceChildren` at `sink` (undefined: off), letting go of the old one. */
export async function setSink(p: Process, field: 'trace' | 'traceChildren', sink: TraceSink | undefined): Promise<void> {
  const old = p[field];
  if (old === sink) return;
  if (sink !== undefined) sink.holders++;
  p[field] = sink;
  if (old !== undefined && --old.holders === 0) await old.close();
}

/** A new process: traced when its parent traces its children or is traced, and the tracer may see it. */
export function inherit(sink: TraceSink | undefined, child: Process): void {
  if (sink === undefined) return;
  if (!mayTrace(sink, child.cred)) {
    emitEvent(sink, { type: 'note', pid: child.pid, process: child.name, text: `not traced: runs as uid ${child.cred.uid}, euid ${child.cred.euid}; the tracer is uid ${sink.uid}` });
    return;
  }
  sink.holders++;
  child.trace = sink;
}

/** At exit: the last lines are written (within `ms`) before the parent hears of it; the sinks are let go. */
export async function detach(k: Kernel, p: Process, ms: number): Promise<void> {
  for (const field of ['trace', 'traceChildren'] as const) {
    const sink = p[field];
    if (sink === undefined) continue;
    await k.deadlines.within(sink.flushed(), ms, 'trace output').catch(() => {});
    await setSink(p, field, undefined);
  }
}

let nextSeq = 1;

/** Runs `handler` for traced process `p` and emits its syscall event and hops to `sink`. */
export async function tracedSyscall(k: Kernel, p: Process, nr: number, args: number[], handler: (k: Kernel, p: Process, args: number[]) => number | Promise<number>, sink: TraceSink): Promise<number> {
  const def = SYSCALL_BY_NR[nr];
  const call = new TracedCall(k, p, nextSeq++);
  const event = (result: number | undefined, errno: string | undefined, us: number | undefined): SyscallTraceEvent => ({
    type: 'syscall', seq: call.seq, pid: p.pid, process: p.name, thread: p.thread?.id, syscall: def?.name ?? `syscall_${nr}`, args: def === undefined ? '' : decodeArgs(p, def, args), result, errno, us,
  });
  // exit does not return: its line goes first, as strace prints `exit(0) = ?`.
  if (def?.name === 'exit') emitEvent(sink, event(undefined, undefined, undefined));
  const start = performance.now();
  let result: number | undefined;
  let errno: string | undefined;
  try {
    result = await handler(call.view, p, args);
    return result;
  } catch (e) {
    if (isKernelError(e)) { errno = errnoName(e.errno); result = -e.errno; }
    throw e;
  } finally {
    const us = microseconds(performance.now() - start);
    call.done = true;
    if (def?.name !== 'exit' && result !== undefined) {
      emitEvent(sink, event(result, errno, us));
      for (const hop of call.hops) if (hop !== undefined) emitEvent(sink, hop);
    }
  }
}

const DIRECT_CALLS: Record<number, [string, string]> = {
  [DirectOp.READ]: ['read', 'readInto'], [DirectOp.WRITE]: ['write', 'writeFrom'], [DirectOp.PREAD]: ['pread', 'readInto'],
  [DirectOp.PWRITE]: ['pwrite', 'writeFrom'], [DirectOp.FSTAT]: ['fstat', 'fstat'], [DirectOp.LSEEK]: ['lseek', 'fstat'],
  [DirectOp.CLOSE]: ['close', 'close'], [DirectOp.OPEN]: ['open', 'open'], [DirectOp.OPENAT]: ['openat', 'open'],
  [DirectOp.STAT]: ['stat', 'stat'], [DirectOp.LSTAT]: ['lstat', 'stat'], [DirectOp.UNLINK]: ['unlink', 'unlink'],
  [DirectOp.FSTATAT]: ['fstatat', 'stat'], [DirectOp.UNLINKAT]: ['unlinkat', 'unlink'], [DirectOp.FSYNC]: ['fsync', 'fsync'], [DirectOp.FDATASYNC]: ['fdatasync', 'fsync'],
};

/** The socket calls net's server serves on its page (proc/direct-net.ts): the syscall and net's method. */
const NET_CALLS: Record<number, [string, string]> = {
  [DirectOp.READ]: ['read', 'recv'], [DirectOp.WRITE]: ['write', 'send'], [DirectOp.SEND]: ['sendto', 'send'], [DirectOp.RECV]: ['recvfrom', 'recv'],
};

/** The *at calls: their directory descriptor is the fifth register. */
const AT_CALLS = new Set<number>([DirectOp.OPENAT, DirectOp.FSTATAT, DirectOp.UNLINKAT]);

/** Emits the calls traced processes made on the direct path (proc/direct.ts), as vfs's server reported them. */
export function traceDirectCalls(k: Kernel, calls: readonly DirectCall[]): void {
  for (const c of calls) {
    const p = k.procs.get(c.pid);
    const sink = p?.trace;
    const net = c.to === 'net';
    const names = net ? NET_CALLS[c.op] : DIRECT_CALLS[c.op];
    if (p === undefined || sink === undefined || names === undefined) continue;
    const seq = nextSeq++;
    const errno = c.result < 0 ? errnoName(-c.result) : undefined;
    // The syscall's own arguments, from the registers of the request (abi/direct.ts).
    const [fd, ptr, length, offset, whence] = c.regs as [number, number, number, number, number];
    // A path call's registers are path, length, then flags and mode or the stat buffer (an *at call's fifth, here `whence`,
    // is its directory descriptor); its path is the one the server copied.
    // sendto and recvfrom on the page name no address: its pointer and length are 0.
    const args = net ? (c.op === DirectOp.SEND || c.op === DirectOp.RECV ? [fd, ptr, length, offset, 0, 0] : [fd, ptr, length])
      : c.op === DirectOp.LSEEK ? [fd, offset, whence] : c.op === DirectOp.CLOSE || c.op === DirectOp.FSYNC || c.op === DirectOp.FDATASYNC ? [fd]
      : AT_CALLS.has(c.op) ? [whence, ...c.regs.slice(0, 4)] : [fd, ptr, length, offset];
    const def = SYSCALL_BY_NR[SYS[names[0] as keyof typeof SYS]];
    emitEvent(sink, { type: 'syscall', seq, pid: p.pid, process: p.name, thread: p.thread?.id, syscall: names[0], args: def === undefined ? String(fd) : decodeArgs(p, def, args, c.path), result: c.result, errno, us: c.us });
    emitEvent(sink, {
      type: 'hop', seq, pid: p.pid, from: 'process', fromDomain: 'user', to: net ? 'net' : 'vfs', toDomain: 'user', method: c.op === DirectOp.UNLINKAT && (c.regs[2]! & AT.REMOVEDIR) !== 0 ? 'rmdir' : names[1], transport: 'direct page',
      callBytes: undefined, replyBytes: undefined, dataBytes: 0, dataCopied: false, grantBytes: c.bytes > 0 ? c.bytes : undefined, errno, us: c.us,
    });
  }
}

const COMPONENT_GETTERS = new Set(['vfs', 'pm', 'console', 'blk']);

type Method = (...args: unknown[]) => unknown;

/** One traced syscall: the kernel view its handler gets, and the hops recorded through it. */
class TracedCall {
  readonly view: Kernel;
  /** In call order; undefined while the call is in flight. */
  readonly hops: (HopTraceEvent | undefined)[] = [];
  done = false;
  private readonly views = new Map<string, object>();

  constructor(private readonly k: Kernel, private readonly p: Process, readonly seq: number) {
    this.view = new Proxy(k, {
      get: (target, prop, receiver): unknown => {
        if (typeof prop === 'string' && COMPONENT_GETTERS.has(prop)) return this.component(prop, Reflect.get(target, prop, target) as object);
        if (prop === 'components') return this.table(target.components);
        return Reflect.get(target, prop, receiver);
      },
      // Every write lands on the kernel itself, never on the view.
      set: (target, prop, value): boolean => Reflect.set(target, prop, value, target),
    });
  }

  private table(t: ComponentTable): ComponentTable {
    const cached = this.views.get(' table');
    if (cached !== undefined) return cached as ComponentTable;
    const view = new Proxy(t, {
      get: (target, prop): unknown => {
        if (prop === 'iface') return (name: string) => this.component(name, target.iface(name));
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as Method).bind(target) : v;
      },
    });
    this.views.set(' table', view);
    return view;
  }

  private component(name: string, iface: object): object {
    const cached = this.views.get(name);
    if (cached !== undefined) return cached;
    const view = new Proxy(iface, {
      get: (target, method): unknown => {
        const fn = Reflect.get(target, method, target) as unknown;
        if (typeof fn !== 'function' || typeof method !== 'string') return fn;
        return (...args: unknown[]) => this.hop(name, method, fn as Method, target, args);
      },
    });
    this.views.set(name, view);
    return view;
  }

  private hop(to: string, method: string, fn: Method, target: object, args: unknown[]): unknown {
    // A closure kept past the syscall (a child's exit watcher) calls through untraced.
    if (this.done) return fn.apply(target, args);
    const toDomain: Domain = this.k.components.get(to)?.domain ?? 'kernel';
    return this.measure('kernel', 'kernel', to, toDomain, method, args, () => fn.apply(target, args), undefined);
  }

  /**
   * Makes one call (`invoke`) and records it as a hop. `relayedFrom`: a call a component
   * made through the kernel relay, with the size and layout of its message.
   */
  measure(from: string, fromDomain: Domain, to: string, toDomain: Domain, method: string, args: readonly unknown[], invoke: () => unknown,
    relayedFrom: { bytes: number; fixed: boolean } | undefined): Promise<unknown> {
    const probe = toDomain === 'user' ? new Probe() : undefined;
    if (probe !== undefined && this.k.config.ipc !== 'shm') this.k.components.relayTap ??= relayTap(this.k);
    const index = this.hops.length;
    this.hops.push(undefined);
    if (toDomain === 'user') enter(to, this);
    const start = performance.now();
    let r: unknown;
    armProbe(probe);
    try { r = invoke(); } catch (e) { r = Promise.reject(e); } finally { armProbe(undefined); }
    const finish = (value: unknown, errno: string | undefined): void => {
      const us = microseconds(performance.now() - start);
      if (toDomain === 'user') leave(to, this);
      const relayed = relayedFrom !== undefined;
      this.hops[index] = {
        type: 'hop', seq: this.seq, pid: this.p.pid, from, fromDomain, to, toDomain, method,
        transport: relayed ? (this.k.config.ipc === 'postmessage' ? 'postmessage, relayed' : 'mach codec, relayed') : transportOf(this.k.config.ipc, toDomain, probe),
        callBytes: relayed ? (relayedFrom.bytes >= 0 ? relayedFrom.bytes : undefined) : probe?.callBytes, replyBytes: probe?.replyBytes,
        dataBytes: bulkBytes(args) + bulkBytes([value]), dataCopied: relayed || toDomain === 'user', errno, us,
        ...(args.some((a) => a instanceof WindowGrant) ? { grantBytes: grantedBytes(value) } : {}),
      };
    };
    return Promise.resolve(r).then(
      (v) => { finish(v, undefined); return v; },
      (e: unknown) => { finish(undefined, isKernelError(e) ? errnoName(e.errno) : 'exception'); throw e; },
    );
  }
}

// Traced calls in flight to each user-domain component. A call that component makes
// through the relay while it serves exactly one request, and that one is traced, is
// made on that request's behalf (a component's own background work aside).
const serving = new Map<string, TracedCall[]>();

function enter(component: string, call: TracedCall): void {
  const calls = serving.get(component);
  if (calls === undefined) serving.set(component, [call]); else calls.push(call);
}

function leave(component: string, call: TracedCall): void {
  const calls = serving.get(component);
  const at = calls?.indexOf(call) ?? -1;
  if (at >= 0) calls!.splice(at, 1);
  if (calls?.length === 0) serving.delete(component);
}

/** The relay's tap (ComponentTable.relayTap): records a relayed call as a hop of the one traced request its client is serving. */
function relayTap(k: Kernel): NonNullable<ComponentTable['relayTap']> {
  return (from, to, method, args, call) => {
    const calls = serving.get(from);
    const server = k.components.get(from)?.server;
    if (calls?.length !== 1 || calls[0]!.done || server === undefined || server.rpc.inFlight().length !== 1) return call();
    // Before the relay's first await: the client's endpoint still holds this call's message.
    const message = { bytes: server.endpoint.lastBytes, fixed: server.endpoint.lastFixed };
    return calls[0]!.measure(from, 'user', to, k.components.get(to)?.domain ?? 'kernel', method, args, call, message) as Promise<Value>;
  };
}

/** Milliseconds as µs, to the 0.1 µs the host's clock can tell at best. */
const microseconds = (ms: number): number => Math.round(ms * 10000) / 10;

class Probe implements CallProbe {
  callBytes: number | undefined;
  replyBytes: number | undefined;
  callFixed = false;
  replyFixed = false;
  sent(bytes: number, fixed: boolean): void { if (bytes >= 0) this.callBytes = bytes; this.callFixed = fixed; }
  replied(bytes: number, fixed: boolean): void { if (bytes >= 0) this.replyBytes = bytes; this.replyFixed = fixed; }
}

function transportOf(ipc: string, domain: Domain, probe: Probe | undefined): TraceTransport {
  if (domain === 'kernel') return 'direct call';
  if (ipc === 'postmessage') return 'postmessage';
  if (ipc === 'mach') return 'mach codec';
  if (probe === undefined || probe.callBytes === undefined) return 'shm fixed/codec';
  if (probe.callFixed && probe.replyFixed) return 'shm fixed';
  if (!probe.callFixed && !probe.replyFixed) return 'shm codec';
  return 'shm fixed/codec';
}

/** What a call with a grant moved through it: readInto's count, writeFrom's `written` (0 when it failed). */
function grantedBytes(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { written?: unknown }).written === 'number') return (value as { written: number }).written;
  return 0;
}

/** Bytes of the buffers among `values`, and in the fields of a plain object (a read executable). */
function bulkBytes(values: readonly unknown[]): number {
  let n = 0;
  for (const v of values) {
    if (v instanceof Uint8Array) n += v.length;
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const f of Object.values(v)) if (f instanceof Uint8Array) n += f.length;
    }
  }
  return n;
}

// Pointer arguments whose (pointer, length) pair holds a string worth showing.
const STRING_ARGS = new Set(['path', 'target', 'from', 'to', 'name', 'component', 'type', 'source', 'fstype']);

/** The arguments strace-like: numbers, fds, quoted paths, the program and argv of a spawn; buffers by their length only. */
export function decodeArgs(p: Process, def: SyscallDef, a: readonly number[], path?: string): string {
  const out: string[] = [];
  const quote = (ptr: number, len: number): string => {
    // A path copied when the call was made (the direct path's trace ring): memory may have moved on since.
    if (path !== undefined) return JSON.stringify(path);
    try { return JSON.stringify(p.copyinString(ptr, len)); } catch { return `0x${ptr.toString(16)}`; }
  };
  for (let i = 0; i < def.args.length; i++) {
    const [name, kind] = def.args[i]!;
    const v = a[i] ?? 0;
    const next = def.args[i + 1];
    if (kind === 'ptr') {
      if (STRING_ARGS.has(name) && next?.[1] === 'len') { out.push(quote(v, a[i + 1] ?? 0)); i++; continue; }
      if (name === 'paths' && def.args[i + 1]?.[1] === 'len' && def.args[i + 2]?.[1] === 'len') {
        const oldLen = a[i + 1] ?? 0;
        out.push(quote(v, oldLen), quote(v + oldLen, a[i + 2] ?? 0));
        i += 2;
        continue;
      }
      if (name === 'desc' && next?.[1] === 'len') { out.push(spawnArgs(p, v, a[i + 1] ?? 0)); i++; continue; }
      continue; // a buffer: its length follows
    }
    if (kind === 'fd') out.push(v === -100 ? 'AT_FDCWD' : String(v));
    else if (kind === 'flags') out.push(`0x${(v >>> 0).toString(16)}`);
    else if (name === 'mode') out.push(`0${(v >>> 0).toString(8)}`);
    else out.push(String(v));
  }
  return out.join(', ');
}

function spawnArgs(p: Process, ptr: number, len: number): string {
  try {
    const req = decode(p.copyin(ptr, len)) as unknown as SpawnRequest;
    if (typeof req.path !== 'string' || !Array.isArray(req.argv)) return '?';
    return `${JSON.stringify(req.path)}, ${JSON.stringify(req.argv)}`;
  } catch { return '?'; }
}

/** Checks and resolves the arguments of the `trace` syscall's target (0: the caller). */
export function traceTarget(k: Kernel, p: Process, pid: number): Process {
  if (pid === 0) return p;
  const target = k.procs.get(pid);
  if (target === undefined || target.dead) throw new KernelError(Errno.ESRCH);
  if (!mayTrace({ uid: p.cred.uid, privileged: p.cred.euid === 0 }, target.cred)) throw new KernelError(Errno.EPERM, `pid ${pid} runs as uid ${target.cred.uid}; uid ${p.cred.uid} may trace only its own processes`);
  return target;
}
