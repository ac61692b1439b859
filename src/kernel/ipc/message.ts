// The messages that travel on a channel between two domains. A server's kernel
// channel carries calls both ways (the kernel calls the server; the server calls the
// kernel or, under the relayed transports, a peer), so every message names its kind.
// How a message is laid out in a ring is wire.ts.

import type { Value } from '../../lib/codec.js';

export type Message =
  | { t: 'call'; id: number; to: string; m: string; a: Value[]; nr?: number }
  /** `nr`: the method number, when the call came in a fixed layout (the reply can use it too). */
  | { t: 'ok'; id: number; v: Value; nr?: number }
  | { t: 'err'; id: number; errno: number; msg: string }
  /** Kernel to server: arm a fault for the next request. */
  | { t: 'fault'; kind: string };

export function isMessage(v: unknown): v is Message {
  if (typeof v !== 'object' || v === null) return false;
  const t = (v as { t?: unknown }).t;
  return t === 'call' || t === 'ok' || t === 'err' || t === 'fault';
}
