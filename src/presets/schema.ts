// The preset schema: presets are data (the JSON files beside this one), checked here
// with messages that say what is wrong and where.

import { z } from 'zod';

export { DOMAINS, TRANSPORTS, type TransportName, COMPONENT_NAMES, DEVICE_KINDS, DEFAULT_DEVICE_GRANTS, parsePlacement } from './names.js';
import { DOMAINS, TRANSPORTS, COMPONENT_NAMES, DEVICE_KINDS } from './names.js';

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
