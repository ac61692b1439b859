// Trace events: what `trace` (the syscall), `kernelkit run --trace` and the lab see of
// a traced process. The kernel makes them (kernel/trace.ts); this file holds their
// shape and the one text form, so the CLI, the `trace` program's readers and the lab
// print the same lines. With TRACE_JSON each event is one JSON object per line.
//
// A syscall event is emitted when the syscall returns, followed by the hops it caused,
// in the order they were made. Every figure is measured on the running system.

/**
 * One syscall of a traced process. A call made on the direct path (process -> vfs's
 * server, no kernel thread) is reported by the server: its time is the server's, from
 * taking the request to answering it.
 */
export interface SyscallTraceEvent {
  readonly type: 'syscall';
  /** Numbers the traced syscalls of one boot; the hops it caused carry it too. */
  readonly seq: number;
  readonly pid: number;
  /** The process's name (its argv[0] without the directory). */
  readonly process: string;
  /** The host thread it runs on (the `thread` of sysinfo PS); undefined once it is gone. */
  readonly thread: number | undefined;
  readonly syscall: string;
  /** The arguments decoded where cheap (fds, paths, counts), strace-like, as text. */
  readonly args: string;
  /** The value returned; undefined when the call did not return (exit). */
  readonly result: number | undefined;
  /** The errno name when the call failed. */
  readonly errno: string | undefined;
  /** Kernel time from picking up the trap to completing it, µs; undefined when the call did not return. */
  readonly us: number | undefined;
}

/** Where a component ran when it was called. */
export type TraceDomain = 'kernel' | 'user' | 'sandbox';

/**
 * How one call reached its component: a plain call (kernel domain), or a message on
 * a channel in the fixed layout, self-described by the codec (`mach`, or a value that
 * does not fit the fixed slots), or a structured clone (`postmessage`).
 */
export type TraceTransport = 'direct call' | 'shm fixed' | 'shm codec' | 'shm fixed/codec' | 'mach codec' | 'postmessage' | 'mach codec, relayed' | 'postmessage, relayed' | 'direct page';

/**
 * One call made while serving a syscall: by the kernel to a component, or — under the
 * relayed transports — by a user-domain component to another through the kernel, made
 * while that component served this syscall's call and nothing else. For a relayed hop
 * the call's size is that of the message from the client, the reply's that of the
 * message from the service.
 */
export interface HopTraceEvent {
  readonly type: 'hop';
  /** The syscall (SyscallTraceEvent.seq) that caused it. */
  readonly seq: number;
  readonly pid: number;
  readonly from: string;
  readonly fromDomain: TraceDomain;
  readonly to: string;
  readonly toDomain: TraceDomain;
  readonly method: string;
  readonly transport: TraceTransport;
  /** Bytes of the call and of the reply message as they went through the ring; undefined when no message exists (a direct call) or its size is not visible (a structured clone). */
  readonly callBytes: number | undefined;
  readonly replyBytes: number | undefined;
  /** Bulk bytes (buffer arguments and results) the call carried. */
  readonly dataBytes: number;
  /** Whether those bytes were copied into a message (true) or passed by reference (a direct call). */
  readonly dataCopied: boolean;
  /** Bytes the callee copied straight into (or out of) the caller's memory through a grant, beside the message. */
  readonly grantBytes?: number;
  /** The errno name when the call failed. */
  readonly errno: string | undefined;
  /** Round trip as the kernel saw it, from the call to its reply, µs. */
  readonly us: number;
}

/** A process the trace follows no further, and why (a set-user-id program, a spawn as another user). */
export interface NoteTraceEvent {
  readonly type: 'note';
  readonly pid: number;
  readonly process: string;
  readonly text: string;
}

export type TraceEvent = SyscallTraceEvent | HopTraceEvent | NoteTraceEvent;

const us = (n: number): string => n < 10 ? `${n.toFixed(1)} µs` : n < 1000 ? `${n.toFixed(0)} µs` : `${(n / 1000).toFixed(1)} ms`;

/** The one-line text form of an event (no newline). */
export function formatTraceEvent(e: TraceEvent): string {
  switch (e.type) {
    case 'syscall': {
      const call = `[pid ${e.pid} ${e.process}] ${e.syscall}(${e.args}) = `;
      if (e.result === undefined || e.us === undefined) return `${call}?`;
      return `${call}${e.errno !== undefined ? `-1 ${e.errno}` : String(e.result)}   ${us(e.us)}`;
    }
    case 'hop': {
      const where = `${e.from} -> ${e.to} (${e.toDomain}, ${e.transport})`;
      const sizes = e.transport === 'direct call' ? 'no message'
        : e.transport === 'direct page' ? 'registers only, no kernel thread'
        : e.callBytes === undefined ? 'message size not visible'
          : `call ${e.callBytes} B  reply ${e.replyBytes ?? '?'} B`;
      const data = (e.dataBytes === 0 ? '' : e.dataCopied ? ` (${e.dataBytes} B data copied)` : ` (${e.dataBytes} B data by reference)`)
        + (e.grantBytes === undefined ? '' : ` (${e.grantBytes} B by grant, copied once)`);
      const failed = e.errno === undefined ? '' : ` = ${e.errno}`;
      // A call a component made (relayed) sits under the kernel's call to that component.
      const indent = e.fromDomain === 'kernel' || e.transport === 'direct page' ? '    ' : '        ';
      return `${indent}${where} ${e.method}${failed}  ${sizes}${data}  ${us(e.us)}`;
    }
    case 'note':
      return `[pid ${e.pid} ${e.process}] ${e.text}`;
  }
}
