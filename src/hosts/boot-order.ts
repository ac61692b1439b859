// The order components boot in, apart from the component modules themselves
// (components.ts), so a host's page can know it without loading every service.

/**
 * Boot order: drivers first, then the services that use them — ext2 on blk, vfs on
 * ext2 and proc (and hostfs, loaded only when a host directory is shared). A machine
 * with a network device boots its driver and net (which answers ARP and ping from the
 * start); elsewhere net is loaded at the first socket().
 */
export function bootComponents(shares: number, nic = false): string[] {
  return ['console', 'blk', ...(nic ? ['nic'] : []), ...(shares > 0 ? ['hostfs'] : []), 'ext2', 'proc', 'vfs', 'pm', ...(nic ? ['net'] : [])];
}
