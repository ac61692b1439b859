// The component modules a system can load, by name. Presets place them; the kernel
// thread and the server threads both resolve names here.

import * as console from '../services/console/console.js';
import * as blk from '../services/blk/blk.js';
import * as blkWasm from '../services/blk-wasm/blk.js';
import * as vfs from '../services/vfs/index.js';
import * as ext2 from '../services/ext2/component.js';
import * as pm from '../services/pm/pm.js';
import * as echo from '../services/echo/echo.js';
import * as hostfs from '../services/hostfs/hostfs.js';
import * as ipcbench from '../services/ipcbench/ipcbench.js';
import * as usbgadget from '../services/usbgadget/usbgadget.js';
import * as net from '../services/net/component.js';
import * as proc from '../services/procfs/procfs.js';
import * as nic from '../services/nic/nic.js';
import * as nic1 from '../services/nic/nic1.js';
import * as bridge from '../services/bridge/bridge.js';
import * as diskfs from '../services/diskfs/diskfs.js';
import { EXTBUG_MODULES } from '../services/extbug/extbug.js';
import type { ComponentModule } from '../kernel/component/server-runtime.js';

/** A block device's host storage, for hosts and the lab (any host's machines take one). */
export type { Backing } from '../hw/block-device.js';

export const COMPONENTS: Record<string, ComponentModule> = { console, blk, hostfs, ext2, vfs, pm, echo, ipcbench, usbgadget, net, proc, nic, nic1, bridge, 'blk-wasm': blkWasm, diskfs, ...EXTBUG_MODULES };

export { bootComponents } from './boot-order.js';
