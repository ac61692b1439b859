// The names a preset is made of (domains, transports, components, device kinds) and
// the parser of a placement string: plain code, no zod, so the browser lab's page can
// use them without carrying the schema library (schema.ts re-exports them).

/**
 * sandbox: a component's WebAssembly build in the kernel thread, in its own memory;
 * kernel-wasm: that build unsandboxed (its memory in the kernel arena); user-wasm:
 * that build in its own server thread.
 */
export const DOMAINS = ['kernel', 'user', 'sandbox', 'kernel-wasm', 'user-wasm'] as const;
export type DomainName = (typeof DOMAINS)[number];
/** Components with a WebAssembly build (services/NAME-wasm/), which may be placed in the sandbox domain. */
export const SANDBOX_BUILDS: readonly string[] = ['blk'];
/** shm: direct channels, fixed-layout messages (L4-like); mach: relayed through the kernel, self-described (first generation); postmessage: relayed over message ports. */
export const TRANSPORTS = ['shm', 'mach', 'postmessage'] as const;
export type TransportName = (typeof TRANSPORTS)[number];
export const COMPONENT_NAMES = ['console', 'blk', 'ext2', 'vfs', 'pm', 'echo', 'hostfs', 'usbgadget', 'net', 'proc', 'nic', 'nic1', 'bridge'] as const;
export const DEVICE_KINDS = ['block', 'console', 'hostfs', 'nic', 'nic1'] as const;

/** Device grants when a preset names none: each built-in driver its own device, nobody else any. */
export const DEFAULT_DEVICE_GRANTS: Readonly<Record<string, (typeof DEVICE_KINDS)[number]>> = { console: 'console', blk: 'block', hostfs: 'hostfs', nic: 'nic', nic1: 'nic1' };

/** Parses "blk=user,vfs=kernel" into placements; throws with a one-line message. */
export function parsePlacement(text: string): Record<string, DomainName> {
  const out: Record<string, DomainName> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const m = /^([a-z0-9-]+)=([a-z-]+)$/.exec(part);
    if (m === null) throw new Error(`bad placement '${part}': expected COMPONENT=DOMAIN, e.g. blk=user`);
    const [, component, domain] = m;
    if (!(COMPONENT_NAMES as readonly string[]).includes(component!)) throw new Error(`bad placement '${part}': unknown component '${component}' (known: ${COMPONENT_NAMES.join(', ')})`);
    if (!(DOMAINS as readonly string[]).includes(domain!)) throw new Error(`bad placement '${part}': unknown domain '${domain}' (known: ${DOMAINS.join(', ')})`);
    if ((domain === 'sandbox' || domain === 'kernel-wasm' || domain === 'user-wasm') && !SANDBOX_BUILDS.includes(component!)) throw new Error(`bad placement '${part}': ${component} has no WebAssembly build, so it cannot run in the ${domain} domain (components with one: ${SANDBOX_BUILDS.join(', ')})`);
    out[component!] = domain as DomainName;
  }
  return out;
}
