// The messages that travel on a channel between two domains. A channel carries calls
// both ways (the kernel calls a server; a server calls the kernel or, relayed, a
// peer), so every message names its kind.

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
