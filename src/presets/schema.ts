// The preset schema: presets are data (the JSON files beside this one), checked here
// with messages that say what is wrong and where.

import { z } from 'zod';

export const DOMAINS = ['kernel', 'user'] as const;
/** shm: direct channels, fixed-layout messages (L4-like); mach: relayed through the kernel, self-described (first generation); postmessage: relayed over message ports. */
export const TRANSPORTS = ['shm', 'mach', 'postmessage'] as const;
export type TransportName = (typeof TRANSPORTS)[number];
export const COMPONENT_NAMES = ['console', 'blk', 'ext2', 'vfs', 'pm', 'echo', 'hostfs', 'usbgadget', 'net', 'proc'] as const;
export const DEVICE_KINDS = ['block', 'console', 'hostfs'] as const;

/** Device grants when a preset names none: each built-in driver its own device, nobody else any. */
export const DEFAULT_DEVICE_GRANTS: Readonly<Record<string, (typeof DEVICE_KINDS)[number]>> = { console: 'console', blk: 'block', hostfs: 'hostfs' };

export const PresetSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lowercase name'),
  description: z.string().min(1),
  ipc: z.enum(TRANSPORTS),
  placement: z.record(z.enum(COMPONENT_NAMES), z.enum(DOMAINS)),
  params: z.record(z.string(), z.number()).optional(),
  /** Which device each component may drive: the kernel binds a device only where the manifest asks and this grants. */
  devices: z.partialRecord(z.enum(COMPONENT_NAMES), z.enum(DEVICE_KINDS)).optional(),
}).strict();

export type Preset = z.infer<typeof PresetSchema>;

/** Validates parsed JSON; throws an Error whose message lists every problem. */
export function parsePreset(value: unknown, source: string): Preset {
  const r = PresetSchema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
  throw new Error(`${source}: invalid preset: ${problems}`);
}

/** Parses "blk=user,vfs=kernel" into placements; throws with a one-line message. */
export function parsePlacement(text: string): Record<string, 'kernel' | 'user'> {
  const out: Record<string, 'kernel' | 'user'> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const m = /^([a-z0-9-]+)=([a-z]+)$/.exec(part);
    if (m === null) throw new Error(`bad placement '${part}': expected COMPONENT=DOMAIN, e.g. blk=user`);
    const [, component, domain] = m;
    if (!(COMPONENT_NAMES as readonly string[]).includes(component!)) throw new Error(`bad placement '${part}': unknown component '${component}' (known: ${COMPONENT_NAMES.join(', ')})`);
    if (!(DOMAINS as readonly string[]).includes(domain!)) throw new Error(`bad placement '${part}': unknown domain '${domain}' (known: ${DOMAINS.join(', ')})`);
    out[component!] = domain as 'kernel' | 'user';
  }
  return out;
}
