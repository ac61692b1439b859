// What a launcher tells the WASI runtime about listening sockets to preopen
// (user/wasi/listen.ts): the environment variable and its `[ADDR:]PORT` items,
// separated by ','. The command line (cli/, --listen) writes it; runWasm reads it.

import { parseIpv4 } from './net.js';

/** An address a preopened listener is bound to. */
export interface ListenAddress { addr: string; port: number }

/** The environment variable that asks for listeners: `[ADDR:]PORT` items separated by ','. */
export const LISTEN_ENV = 'KERNELKIT_WASI_LISTEN';

/** Parses `[ADDR:]PORT` (ADDR defaults to 0.0.0.0, every address of the machine); throws with the offending text. */
export function parseListenAddress(text: string): ListenAddress {
  const colon = text.lastIndexOf(':');
  const addr = colon < 0 ? '0.0.0.0' : text.slice(0, colon);
  const portText = colon < 0 ? text : text.slice(colon + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (parseIpv4(addr) === undefined || !(port >= 1 && port <= 65535)) throw new Error(`'${text}' is not [ADDR:]PORT (an IPv4 address and a port from 1 to 65535)`);
  return { addr, port };
}

/** Parses a LISTEN_ENV value. */
export function parseListenList(value: string): ListenAddress[] {
  return value.split(',').filter((p) => p.trim() !== '').map((p) => parseListenAddress(p.trim()));
}

