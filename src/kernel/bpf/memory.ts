// How an eBPF pointer names memory. A register is a 64-bit value; a pointer is
// (region << 32) | offset, where a region is one buffer the program may reach: its
// context, its stack, or one map value. The verifier proves every access stays inside
// its region; the interpreter checks again (interp.ts), the JIT trusts the proof
// (jit.ts). Map values get a region when they are created and give it back when
// deleted (maps.ts); a program that still holds the pointer after a delete in the
// same run reads the old value, as under Linux's RCU.

/** Region ids 1, 2 and 3 belong to the running program's context, stack and packet (XDP). */
export const CTX_REGION = 1, STACK_REGION = 2, PKT_REGION = 3;
/** Bytes of stack a program gets (Linux's MAX_BPF_STACK). */
export const STACK_BYTES = 512;

export class Regions {
  private readonly table: (Uint8Array | undefined)[] = [undefined, undefined, undefined, undefined];
  private readonly views: (DataView | undefined)[] = [undefined, undefined, undefined, undefined];
  private readonly free: number[] = [];
  /** Regions deleted while a program ran: reused only after it returns. */
  private retired: number[] = [];

  add(buffer: Uint8Array): number {
    const id = this.free.pop() ?? this.table.length;
    this.table[id] = buffer;
    this.views[id] = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    return id;
  }

  remove(id: number): void {
    this.retired.push(id);
  }

  /** Called when no program is running: retired regions become free. */
  settle(): void {
    for (const id of this.retired) {
      this.table[id] = undefined;
      this.views[id] = undefined;
      this.free.push(id);
    }
    this.retired = [];
  }

  setRun(ctx: Uint8Array, stack: Uint8Array): void {
    this.table[CTX_REGION] = ctx;
    this.views[CTX_REGION] = new DataView(ctx.buffer, ctx.byteOffset, ctx.byteLength);
    this.table[STACK_REGION] = stack;
    this.views[STACK_REGION] = new DataView(stack.buffer, stack.byteOffset, stack.byteLength);
  }

  /** The frame an XDP program runs on (undefined: none, for every other program). */
  setPacket(packet: Uint8Array | undefined): void {
    this.table[PKT_REGION] = packet;
    this.views[PKT_REGION] = packet === undefined ? undefined : new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  }

  buffer(id: number): Uint8Array | undefined {
    return this.table[id];
  }

  /** The table of views by region (the JIT indexes it directly). */
  viewTable(): readonly (DataView | undefined)[] {
    return this.views;
  }

  view(id: number): DataView | undefined {
    return this.views[id];
  }

  /** The bytes [offset, offset+length) of the region a pointer names, or undefined if outside it. */
  slice(pointer: bigint, length: number): Uint8Array | undefined {
    const id = Number(pointer >> 32n);
    const offset = Number(pointer & 0xffffffffn);
    const buffer = this.table[id];
    if (buffer === undefined || offset + length > buffer.byteLength || length < 0) return undefined;
    return buffer.subarray(offset, offset + length);
  }
}

export const pointerTo = (region: number, offset: number): bigint => (BigInt(region) << 32n) | BigInt(offset >>> 0);
