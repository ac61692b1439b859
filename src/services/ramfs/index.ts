// ramfs, the in-memory filesystem (ramfs.ts) over arena pages (pages.ts,
// page-pool.ts). It is not a component of its own: vfs (services/vfs/) creates
// instances for the root, /tmp and /dev, so its pages are charged to vfs's arena and
// owner. A ramfs frozen into an image (image.ts) is restored instead of unpacked again.

export { Ramfs, createRamfs, MAX_FILE_SIZE, nowNs } from './ramfs.js';
export type { RamfsOptions } from './ramfs.js';
export { PageStore, PAGE_SIZE } from './pages.js';
export { PagePool, CHUNK_PAGES } from './page-pool.js';
export { checkImage } from './image.js';
export type { RamfsImage } from './image.js';
