// C13's probe: does a driver of dubious origin read the disk? The lab writes a fresh
// secret into the first block of /dev/blk0, loads the `usbgadget` module (built
// elsewhere; the lab only looks for it) and checks the kernel log, the one place a
// loaded module can publish what it read: for the secret, or for the module's own
// report of a read ("usbgadget: READ THE DISK ..."). Once with the module in the
// kernel domain (monolithic), once in its own user-domain server with only the device
// capabilities it is granted (microkernel). Without the module in this build's
// module table the claim is "not tested".

import { randomBytes } from 'node:crypto';
import { COMPONENTS } from '../hosts/components.js';
import { bootAndRun } from './boot.js';

export interface GadgetRun { insmod: string; leaked: boolean }
export type GadgetProbe = { tested: false; reason: string } | { tested: true; kernel: GadgetRun; user: GadgetRun };

export const GADGET_MODULE = 'usbgadget';

async function once(preset: string, secret: string): Promise<GadgetRun | string> {
  const r = await bootAndRun({ preset, argv: ['/bin/kbench', 'gadget', GADGET_MODULE, secret], watchdogMs: 10000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{"gadget"'));
  if (line === undefined) return `the probe printed nothing on ${preset} (status ${r.status}): ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
  const j = JSON.parse(line) as { insmod: string; leaked: boolean };
  return { insmod: j.insmod, leaked: j.leaked };
}

export async function probeUsbGadget(modules: Record<string, unknown> = COMPONENTS): Promise<GadgetProbe> {
  if (!(GADGET_MODULE in modules)) return { tested: false, reason: `not tested: no ${GADGET_MODULE} module in this build` };
  const secret = randomBytes(16).toString('hex');
  const kernel = await once('monolithic', secret);
  const user = await once('microkernel', secret);
  if (typeof kernel === 'string') return { tested: false, reason: `not tested: ${kernel}` };
  if (typeof user === 'string') return { tested: false, reason: `not tested: ${user}` };
  return { tested: true, kernel, user };
}
