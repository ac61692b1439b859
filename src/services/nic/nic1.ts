// nic1: the driver of a machine's second network device (eth1), the same code as nic
// (nic.ts) bound to the other device. It is a component of its own so that it has its
// own placement, its own device grant and its own server under `microkernel`.

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { NicService } from '../../abi/services.js';
import { createDriver } from './nic.js';

export const manifest: Manifest = {
  name: 'nic1',
  description: 'network device driver (eth1)',
  uses: [],
  device: 'nic1',
};

export function create(ctx: ComponentContext): ComponentInstance & NicService {
  return createDriver(ctx, 'nic1', 'eth1');
}
