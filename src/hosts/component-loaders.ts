// The component modules by name, loaded on demand: what a server thread uses
// (node/server-worker.ts) so that it loads the one component it runs, not all of them.
// A server thread started ahead of need loads the module it is told to expect (the
// component that restarted last) while it waits. The same names and modules as
// components.ts, which the kernel thread imports whole (test/hosts/component-loaders.test.ts
// checks that the two agree); a name missing here is looked up there, so a new
// component needs only its line in components.ts to run as a server.

import type { ComponentModule } from '../kernel/component/server-runtime.js';

const LOADERS: Record<string, () => Promise<ComponentModule>> = {
  console: () => import('../services/console/console.js'),
  blk: () => import('../services/blk/blk.js'),
  'blk-wasm': () => import('../services/blk-wasm/blk.js'),
  vfs: () => import('../services/vfs/index.js'),
  ext2: () => import('../services/ext2/component.js'),
  pm: () => import('../services/pm/pm.js'),
  echo: () => import('../services/echo/echo.js'),
  hostfs: () => import('../services/hostfs/hostfs.js'),
  ipcbench: () => import('../services/ipcbench/ipcbench.js'),
  usbgadget: () => import('../services/usbgadget/usbgadget.js'),
  net: () => import('../services/net/component.js'),
  proc: () => import('../services/procfs/procfs.js'),
  nic: () => import('../services/nic/nic.js'),
  nic1: () => import('../services/nic/nic1.js'),
  bridge: () => import('../services/bridge/bridge.js'),
  diskfs: () => import('../services/diskfs/diskfs.js'),
};

/** The module of component `name` (NAME-wasm for a WebAssembly build), or undefined when there is none. */
export async function loadComponent(name: string): Promise<ComponentModule | undefined> {
  const load = Object.hasOwn(LOADERS, name) ? LOADERS[name] : undefined;
  if (load !== undefined) return load();
  // Anything else (the extbug test modules, a component someone has just added to
  // components.ts and not here): the whole list, as the kernel thread loads it.
  const { COMPONENTS } = await import('./components.js');
  return Object.hasOwn(COMPONENTS, name) ? COMPONENTS[name] : undefined;
}
