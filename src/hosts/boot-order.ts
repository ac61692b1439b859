// The order components boot in, apart from the component modules themselves
// (components.ts), so a host's page can know it without loading every service.

/**
 * Boot order: drivers first, then the services that use them — ext2 on blk, vfs on
 * ext2 and proc (and hostfs, loaded only when a host directory is shared). A machine
 * with a network device boots its driver and net (which answers ARP and ping from the
 * start); elsewhere net is loaded at the first socket(). A bridge machine (two network
 * devices and the bridge between them, no address of its own) boots both drivers and
 * the bridge instead of net.
 */
export function bootComponents(shares: number, nic = false, bridge = false): string[] {
  const network = bridge ? ['nic', 'nic1'] : nic ? ['nic'] : [];
  return ['console', 'blk', ...network, ...(shares > 0 ? ['hostfs'] : []), 'ext2', 'proc', 'vfs', 'pm', ...(bridge ? ['bridge'] : nic ? ['net'] : [])];
}
