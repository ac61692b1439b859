// Channels are capabilities. The kernel makes one shm channel per `uses` edge of the
// manifests (client -> service) and hands one end to each side; after that the two
// threads talk directly (ShmEndpoint), the kernel is not on the path. A thread holds
// only the ends it was given: there is nothing else to send on.
//
// An end is plain data (it crosses to a server thread in a message): the shared ring
// memory, which side of it this is, and the doorbell of the thread at the other end.
// The client end is side 0, the service end side 1. Wiring (who gets which end, at
// boot, insmod and each restart) is kernel/component/channels.ts; the client side of
// an end in a server thread is component/peer-link.ts.

import { channelMemory } from './endpoint.js';

export interface ChannelEnd {
  /** The component at the other end ('kernel' for the kernel thread). */
  readonly peer: string;
  readonly memory: SharedArrayBuffer;
  readonly side: 0 | 1;
  /** The doorbell word of the thread at the other end (rung after every send). */
  readonly peerBell: SharedArrayBuffer;
}

/** A new channel from `client` (bell `clientBell`) to `service` (bell `serviceBell`): [client end, service end]. */
export function makeChannel(ringBytes: number, client: string, clientBell: SharedArrayBuffer, service: string, serviceBell: SharedArrayBuffer): [ChannelEnd, ChannelEnd] {
  const memory = channelMemory(ringBytes);
  return [
    { peer: service, memory, side: 0, peerBell: serviceBell },
    { peer: client, memory, side: 1, peerBell: clientBell },
  ];
}
