// One buffer of zero bytes for every reader of a hole (an ext2 sparse block, a ramfs
// page never written): handed out as a view, only to be copied from. Nobody writes it.

let zeroBuffer = new Uint8Array(4096);

/** `n` zero bytes, a view of the shared buffer (grown on demand): copy from it, never into it. */
export function zeros(n: number): Uint8Array {
  if (zeroBuffer.length < n) zeroBuffer = new Uint8Array(n);
  return zeroBuffer.subarray(0, n);
}
