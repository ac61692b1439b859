// The address tables: who holds which TCP or UDP port, and which Unix socket name.
// Binding checks for conflicts here; port 0 takes an ephemeral port from Linux's
// default range (32768–60999), searched from a rotating start so a port just freed
// is not handed out again at once. The first start is random (as Linux's is): a net
// restarted after a crash would otherwise hand out 32768 again, and its first
// connection would reuse a 4-tuple the peer still holds in TIME_WAIT or ESTABLISHED
// (a stall of about a second until the peer's RST or timeout clears it).

import { KernelError, Errno } from '../../abi/errno.js';
import type { Socket } from './socket.js';

export const EPHEMERAL_FIRST = 32768;
export const EPHEMERAL_LAST = 60999;

export class PortTable {
  private readonly holders = new Map<number, Socket[]>();
  private next: number;

  /** `random` (in [0, 1)) picks the first ephemeral port; seed it in tests. */
  constructor(readonly protocol: string, random: () => number = Math.random) {
    const span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    this.next = EPHEMERAL_FIRST + Math.min(span - 1, Math.max(0, Math.floor(random() * span)));
  }

  /** Who listens or receives on `port` (the first holder). */
  lookup(port: number): Socket | undefined { return this.holders.get(port)?.[0]; }

  /** Gives `port` to `s` (0: an ephemeral one); EADDRINUSE when taken. Returns the port. */
  bind(s: Socket, port: number): number {
    if (port === 0) return this.ephemeral(s);
    const held = this.holders.get(port) ?? [];
    // SO_REUSEADDR lets a port be shared while nobody listens on it (a server restarting).
    const shareable = s.options.reuseAddress && held.every((h) => h.options.reuseAddress && h.state !== 'LISTEN');
    if (held.length > 0 && !shareable) throw new KernelError(Errno.EADDRINUSE, `${this.protocol} port ${port}`);
    this.holders.set(port, [...held, s]);
    return port;
  }

  /** Whether listening on `port` is allowed for `s` (no other holder listens). */
  canListen(s: Socket, port: number): boolean {
    return (this.holders.get(port) ?? []).every((h) => h === s || h.state !== 'LISTEN');
  }

  release(s: Socket, port: number): void {
    const held = (this.holders.get(port) ?? []).filter((h) => h !== s);
    if (held.length === 0) this.holders.delete(port); else this.holders.set(port, held);
  }

  private ephemeral(s: Socket): number {
    const span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    for (let i = 0; i < span; i++) {
      const port = EPHEMERAL_FIRST + ((this.next - EPHEMERAL_FIRST + i) % span);
      if (!this.holders.has(port)) {
        this.next = port + 1 > EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1;
        this.holders.set(port, [s]);
        return port;
      }
    }
    throw new KernelError(Errno.EADDRNOTAVAIL, `no free ephemeral ${this.protocol} port`);
  }
}

/** The AF_UNIX namespace: socket names, held while the socket is open. */
export class UnixNames {
  private readonly names = new Map<string, Socket>();

  lookup(path: string): Socket | undefined { return this.names.get(path); }

  bind(s: Socket, path: string): void {
    if (this.names.has(path)) throw new KernelError(Errno.EADDRINUSE, path);
    this.names.set(path, s);
  }

  release(path: string, s: Socket): void {
    if (this.names.get(path) === s) this.names.delete(path);
  }
}
