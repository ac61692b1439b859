// The names a preset is made of (domains, transports, components, device kinds) and
// the parser of a placement string: plain code, no zod, so the browser lab's page can
// use them without carrying the schema library (schema.ts re-exports them).

export const DOMAINS = ['kernel', 'user'] as const;
/** shm: direct channels, fixed-layout messages (L4-like); mach: relayed through the kernel, self-described (first generation); postmessage: relayed over message ports. */
export const TRANSPORTS = ['shm', 'mach', 'postmessage'] as const;
export type TransportName = (typeof TRANSPORTS)[number];
export const COMPONENT_NAMES = ['console', 'blk', 'ext2', 'vfs', 'pm', 'echo', 'hostfs', 'usbgadget', 'net', 'proc', 'nic'] as const;
export const DEVICE_KINDS = ['block', 'console', 'hostfs', 'nic'] as const;

/** Device grants when a preset names none: each built-in driver its own device, nobody else any. */
export const DEFAULT_DEVICE_GRANTS: Readonly<Record<string, (typeof DEVICE_KINDS)[number]>> = { console: 'console', blk: 'block', hostfs: 'hostfs', nic: 'nic' };

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
