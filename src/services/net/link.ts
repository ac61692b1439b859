// The boundary between the TCP/IP stack (stack/) and whatever carries its frames: a NIC
// driver, or a test's in-memory wire. The stack is pure code: it never reads a clock or
// starts a timer of its own, so it runs the same in the kernel domain, in a server
// thread and in a unit test with a fake clock.
//
// Driving a stack from outside:
//   - each Ethernet frame that arrives for the interface: `stack.receive(frame)`;
//   - time: the stack is given a `Clock`; it reads `now()` and asks for one callback at
//     a time with `setTimer(atMs, fn)` (the earliest deadline it has: a retransmission,
//     a delayed ACK, ARP or reassembly expiry, TIME_WAIT). A later `setTimer` replaces
//     the earlier request (the stack cancels it through the returned function).
//   - frames to send go out through `link.transmit(frame)`, synchronously, from inside
//     `receive`, a timer callback or a socket call.

/** One network interface's link: what the stack needs from a NIC driver (or a test). */
export interface Link {
  readonly mac: Uint8Array;   // 6 bytes
  readonly mtu: number;       // IP MTU, 1500 for Ethernet
  /**
   * Queues one Ethernet frame (14-byte header + payload, no FCS) for sending; may drop
   * it. With `mss` the frame is a large TCP segment (segmentation offload, only when
   * `gsoMax` says the link takes them) to be cut into frames of `mss` payload bytes.
   */
  transmit(frame: Uint8Array, mss?: number): void;
  /** The largest IPv4 datagram the link takes as one large TCP segment; absent or 0: none. */
  readonly gsoMax?: number;
}

/** An interface's IPv4 configuration; addresses are uint32 (10.0.2.15 = 0x0a00020f). */
export interface InterfaceConfig { address: number; prefix: number; gateway?: number }

/** Time for the stack: milliseconds, monotonic, from any origin. */
export interface Clock {
  now(): number;
  /** Calls `fn` once at (or after) `atMs`; the returned function cancels the call. */
  setTimer(atMs: number, fn: () => void): () => void;
}
