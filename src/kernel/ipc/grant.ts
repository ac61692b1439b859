// The grant object both ends use (abi/grant.ts): a bounded window over a lender's
// memory. The kernel makes one over a process's user memory for a call; a user-domain
// server's runtime makes one over the same memory, mapped into it by the kernel, from
// the reference in the message. The memory itself is a private field: a component
// holding a grant reaches the window and nothing else, and after the call nothing.

import type { Grant, GrantRef } from '../../abi/grant.js';
import { KernelError, Errno } from '../../abi/errno.js';

/** A write outside its window, through a revoked grant, or into a read-only one: the callee faulted. */
export class GrantViolation extends Error {
  constructor(message: string) { super(message); this.name = 'GrantViolation'; }
}

export class WindowGrant implements Grant {
  #memory: Uint8Array | undefined;
  readonly #lender: SharedArrayBuffer | undefined;

  /** `memory`: the lender's whole memory (the window is `ref.offset`, `ref.length` in it). */
  constructor(memory: Uint8Array, readonly ref: GrantRef, lender?: SharedArrayBuffer) {
    if (!Number.isInteger(ref.offset) || !Number.isInteger(ref.length) || ref.offset < 0 || ref.length < 0 || ref.offset + ref.length > memory.length) {
      throw new GrantViolation(`grant ${ref.grant}: window ${ref.offset}+${ref.length} is outside the lent memory (${memory.length} bytes)`);
    }
    this.#memory = memory;
    this.#lender = lender;
  }

  get length(): number { return this.ref.length; }

  write(at: number, bytes: Uint8Array): void {
    const m = this.window(at, bytes.length);
    if (!this.ref.writable) throw new GrantViolation(`grant ${this.ref.grant} is read-only`);
    m.set(bytes, this.ref.offset + at);
  }

  read(at: number, length: number): Uint8Array {
    return this.window(at, length).slice(this.ref.offset + at, this.ref.offset + at + length);
  }

  copyTo(at: number, dst: Uint8Array): void {
    const m = this.window(at, dst.length);
    const from = this.ref.offset + at;
    dst.set(m.subarray(from, from + dst.length));
  }

  /** Ends the grant: the call is over. */
  revoke(): void { this.#memory = undefined; }

  private window(at: number, length: number): Uint8Array {
    const m = this.#memory;
    if (m === undefined) throw new GrantViolation(`grant ${this.ref.grant} was used after its call`);
    if (!Number.isInteger(at) || !Number.isInteger(length) || at < 0 || length < 0 || at + length > this.ref.length) {
      throw new GrantViolation(`grant ${this.ref.grant}: access ${at}+${length} outside its window of ${this.ref.length} bytes`);
    }
    return m;
  }

  /**
   * A server runtime's side: the reference to send when its component passes `g` on to
   * a peer — only while `g` is live and names a memory the kernel lent this server under
   * that id (`lent`; the same memory may arrive in two messages, as two objects, so it
   * is known by its id and size); else undefined. The receiver checks the window again
   * against its own mapping of that memory.
   */
  static passable(g: WindowGrant, lent: ReadonlyMap<number, Uint8Array>): GrantRef | undefined {
    const m = g.#memory;
    if (m === undefined) return undefined;
    const mine = lent.get(g.ref.grant);
    return mine !== undefined && mine.length === m.length ? g.ref : undefined;
  }

  /** Whether `g` is a grant whose call is not over. */
  static live(g: unknown): g is WindowGrant { return g instanceof WindowGrant && g.#memory !== undefined; }

  /** The kernel's side: the memory to map into a user-domain callee (undefined for a server-side grant). */
  static lender(g: WindowGrant): SharedArrayBuffer | undefined { return g.#lender; }
}

/** Whether `v` is a grant reference as messages carry it. */
export function isGrantRef(v: unknown): v is GrantRef {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.grant === 'number' && typeof r.offset === 'number' && typeof r.length === 'number' && typeof r.writable === 'boolean';
}

/** A lent memory as a receiver maps it: the bytes, and (the kernel's side) the memory itself. */
interface Mapped { memory: Uint8Array; lender?: SharedArrayBuffer }

/**
 * Calls `call` with the grant references at positions `at` of `args` made grants over
 * the memory `memoryOf` maps each one to, for this call only: they are revoked when it
 * settles. A position that holds no reference, or a window outside the memory, is
 * EFAULT and nothing is called. Both receivers of a passed-on grant use it: the kernel
 * for a kernel-domain callee, a server runtime for its own component.
 */
export async function callWithGrants<T>(
  at: readonly number[], args: readonly unknown[], what: string,
  memoryOf: (ref: GrantRef) => Mapped | Promise<Mapped>,
  call: (args: unknown[]) => Promise<T>,
): Promise<T> {
  const granted: WindowGrant[] = [];
  const a = [...args];
  try {
    for (const i of at) {
      const ref = a[i];
      if (!isGrantRef(ref)) throw new KernelError(Errno.EFAULT, `${what}: argument ${i} is not a grant`);
      // Memory already mapped (the kernel's lent memories) costs no turn of the loop.
      const m = memoryOf(ref);
      const { memory, lender } = m instanceof Promise ? await m : m;
      const g = new WindowGrant(memory, ref, lender);
      granted.push(g);
      a[i] = g;
    }
  } catch (e) {
    for (const g of granted) g.revoke();
    throw e instanceof GrantViolation ? new KernelError(Errno.EFAULT, e.message) : e;
  }
  try {
    return await call(a);
  } finally {
    for (const g of granted) g.revoke();
  }
}
