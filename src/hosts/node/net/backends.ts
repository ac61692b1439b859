// The host's side of a machine's NIC, chosen with --net: the back end (a switch, a TAP
// device) and the stages between it and the NIC (--pcap, the impairments). A chain of
// frame ports (frame-port.ts):
//
//   NIC (hw/nic-device.ts) <-> pcap <-> impairments <-> back end
//
// so the pcap holds what the NIC sent and received (an impaired frame is recorded as
// the NIC saw it). `kernelkit run` builds the chain in its unconfined parent and hands
// the confined machine one end of a pipe (cli/confine.ts); what each back end opens on
// the host is in docs/net.md.

import { type FramePort } from './frame-port.js';
import { type Impairments, NO_IMPAIRMENTS, impaired, impairPort } from './impair.js';
import { pcapPort } from './pcap-tap.js';
import { joinSwitch, checkSwitchName } from './switch.js';
import { openTap, checkInterfaceName } from './tap.js';
import { parseAddress } from '../../../services/net/stack/address.js';
import { openUserNet, parseForward, USER_GATEWAY, USER_GUEST, USER_PREFIX, type Forward } from './user.js';

export { parseForward, USER_GATEWAY, USER_GUEST, USER_PREFIX };

export type NetBackend = { kind: 'switch'; name: string } | { kind: 'tap'; ifname: string } | { kind: 'user' };

export interface NetOptions {
  backend: NetBackend;
  /** --forward (user mode only). */
  forwards: Forward[];
  pcap?: string;
  impairments: Impairments;
}

/** Parses a --net value; throws with a one-line message. */
export function parseNet(text: string): NetBackend {
  const m = /^(switch|tap|user)(?::(.*))?$/.exec(text);
  if (m === null) throw new Error(`bad --net '${text}': expected user, switch:NAME or tap:IFNAME`);
  if (m[1] === 'user') {
    if (m[2] !== undefined) throw new Error(`bad --net '${text}': user takes no argument`);
    return { kind: 'user' };
  }
  const arg = m[2] ?? '';
  if (m[1] === 'switch') {
    const bad = checkSwitchName(arg);
    if (bad !== undefined) throw new Error(bad);
    return { kind: 'switch', name: arg };
  }
  const bad = checkInterfaceName(arg);
  if (bad !== undefined) throw new Error(bad);
  return { kind: 'tap', ifname: arg };
}

/** The guest's address when --ip names none (QEMU's user-mode guest address). */
export const DEFAULT_GUEST_IP = '10.0.2.15/24';

/** Parses --ip ADDR/PREFIX and --gateway ADDR into uint32s; throws with a one-line message. */
export function parseIp(text: string, gateway?: string): { address: number; prefix: number; gateway?: number } {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  const address = m === null ? undefined : parseAddress(m[1]!);
  const prefix = m === null ? NaN : Number(m[2]);
  if (address === undefined || !(prefix >= 1 && prefix <= 30)) throw new Error(`bad --ip '${text}': expected ADDRESS/PREFIX, e.g. 10.0.0.2/24`);
  if (gateway === undefined) return { address, prefix };
  const gw = parseAddress(gateway);
  if (gw === undefined) throw new Error(`bad --gateway '${gateway}': expected an IPv4 address`);
  return { address, prefix, gateway: gw };
}

/** Parses a probability for --net-loss and friends. */
export function parseProbability(flag: string, text: string): number {
  const p = Number(text);
  if (text.trim() === '' || !Number.isFinite(p) || p < 0 || p > 1) throw new Error(`bad ${flag} '${text}': expected a probability from 0 to 1`);
  return p;
}

export { NO_IMPAIRMENTS };

/** Opens the back end and its stages; the returned port is the NIC's end of the cable. `log` lines starting with "error:" are failures the user must see. */
export function openNet(o: NetOptions, log: (line: string) => void = () => {}): FramePort {
  let port: FramePort = o.backend.kind === 'switch' ? joinSwitch(o.backend.name, { log })
    : o.backend.kind === 'tap' ? openTap(o.backend.ifname, log)
    : openUserNet(o.forwards, log);
  if (impaired(o.impairments)) port = impairPort(port, o.impairments, (ms, fn) => { setTimeout(fn, ms); }).port;
  if (o.pcap !== undefined) port = pcapPort(port, o.pcap);
  return port;
}

export { macFromSeed, parseMac } from '../../../hw/nic-device.js';
