// echo: a component that answers at once. The lab uses it to time a bare IPC round
// trip (ipcping) with no work on the other side.

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { EchoService } from '../../abi/services.js';

export const manifest: Manifest = {
  name: 'echo',
  description: 'answers every call at once (IPC round-trip measurements)',
  uses: [],
};

export function create(_ctx: ComponentContext): ComponentInstance & EchoService {
  let calls = 0;
  return {
    async echo(data: Uint8Array): Promise<Uint8Array> { calls++; return data; },
    async ping(): Promise<number> { return ++calls; },
  };
}
