// Ping sockets (Linux's unprivileged ICMP sockets, SOCK_DGRAM with IPPROTO_ICMP): the
// only ICMP a process may send. A send must be an ICMP echo request (type 8, code 0,
// at least the 8-byte header); the echo id is replaced by the socket's own (its
// "port"), so a process can neither forge another socket's id nor send any other ICMP
// message, and the checksum is computed here. A recv returns an echo reply (header and
// payload) for the socket's id. On the loopback network the reply is made here, as
// the loopback interface would; elsewhere the request goes out through the stack
// (inet.ts) and the reply comes back through its ICMP layer.

import { KernelError, Errno } from '../../abi/errno.js';
import { ICMP, buildIcmp } from './wire/icmp.js';

/** The echo request to send: `data` checked, with our id and a fresh checksum. */
export function echoRequest(data: Uint8Array, id: number): Uint8Array {
  if (data.length < 8) throw new KernelError(Errno.EINVAL, 'an ICMP message is at least 8 bytes');
  if (data[0] !== ICMP.ECHO_REQUEST || data[1] !== 0) throw new KernelError(Errno.EINVAL, 'ping sockets send echo requests only (type 8, code 0)');
  return buildIcmp(ICMP.ECHO_REQUEST, 0, new Uint8Array([id >> 8, id & 0xff, data[6]!, data[7]!]), data.subarray(8));
}

/** The reply a host sends to `request` (an echo request made by echoRequest). */
export function echoReply(request: Uint8Array): Uint8Array {
  return buildIcmp(ICMP.ECHO_REPLY, 0, request.subarray(4, 8), request.subarray(8));
}
