// The block driver alone, in this thread: the driver half of `kernelkit bench ext`
// (lab/bench-ext.ts), which may not reach the kernel itself. The same reads go
// through each build of the driver against one device model whose doorbell serves the
// request at once (no device thread), so what differs between the rows is the driver:
//
//   TypeScript    services/blk, a kernel-domain component (plain calls)
//   sandbox       services/blk-wasm's C in the sandbox domain (kernel/component/sandbox.ts:
//                 the supervisor's binding, the reply check, fuel, its own memory)
//   unsandboxed   the same module relocated into a region of a kernel-arena-like shared
//                 memory, no fuel (kernel/sandbox/module.ts)
//
// Each row reads the same sectors and the host compares the bytes with the backing.

import { Arena } from '../lib/arena.js';
import type { ComponentContext, ComponentInstance, DeviceBinding } from '../abi/component.js';
import type { BlkService } from '../abi/services.js';
import { SERVICES } from '../abi/services.js';
import { BlockDeviceModel, RamBacking } from '../hw/block-device.js';
import { DEV_IRQ } from '../abi/device.js';
import { defaultParams } from '../kernel/params.js';
import { SandboxComponent } from '../kernel/component/sandbox.js';
import * as blk from '../services/blk/blk.js';
import * as blkWasm from '../services/blk-wasm/blk.js';

export type DriverBuild = 'TypeScript' | 'sandbox' | 'unsandboxed';

/** A device binding whose doorbell runs the device model synchronously: the interrupt is pending when notify returns. */
function syncDevice(model: BlockDeviceModel): DeviceBinding {
  const words = new Int32Array(model.memory, 0, 8);
  let seen = Atomics.load(words, DEV_IRQ);
  let wake: (() => void) | undefined;
  return {
    kind: 'block',
    memory: model.memory,
    notify(): void { model.service(); const w = wake; wake = undefined; w?.(); },
    interrupt(): Promise<void> {
      if (Atomics.load(words, DEV_IRQ) !== seen) { seen = Atomics.load(words, DEV_IRQ); return Promise.resolve(); }
      return new Promise<void>((r) => { wake = () => { seen = Atomics.load(words, DEV_IRQ); r(); }; });
    },
  };
}

function context(device: DeviceBinding, log: string[]): ComponentContext {
  return {
    name: 'blk', arena: new Arena('kernel', new SharedArrayBuffer(1 << 20)), config: {}, log: (m) => log.push(m),
    peer: () => { throw new Error('no peers'); }, kernel: {} as ComponentContext['kernel'], device,
  };
}

/** A driver of `build` over a fresh RAM disk of `bytes` filled with a pattern; `wasm` is blk.wasm's bytes. */
export async function driver(build: DriverBuild, wasm: Uint8Array, bytes: number): Promise<{ blk: BlkService; backing: RamBacking }> {
  const backing = new RamBacking(bytes);
  for (let i = 0; i < bytes; i++) backing.data[i] = (i * 31 + (i >> 9)) & 0xff;
  const model = new BlockDeviceModel(backing);
  const device = syncDevice(model);
  const log: string[] = [];
  if (build === 'TypeScript') {
    const instance = blk.create(context(device, log));
    await instance.init?.();
    return { blk: instance, backing };
  }
  const state = { state: 'starting' as 'starting' | 'running' | 'restarting' | 'failed', restarts: 0, generation: 0 };
  const pages = Math.ceil((2 << 20) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const sandbox = new SandboxComponent({
    name: 'blk', module: blkWasm, service: SERVICES['blk']!, params: defaultParams, binary: () => wasm, device: model.memory,
    context: () => context(device, log), log: (m) => log.push(m), state,
    panic: (cause) => { throw new Error(`panic: ${cause}`); },
    ...(build === 'unsandboxed' ? { unsandboxed: { arena: new Arena('kernel', memory.buffer as unknown as SharedArrayBuffer), memory } } : {}),
  });
  const iface: ComponentInstance = {};
  sandbox.bind(iface);
  await sandbox.start();
  state.state = 'running';
  return { blk: iface as unknown as BlkService, backing };
}

/** ns per one-sector read, per sample of `reads` reads; the bytes of each read are checked against the backing. */
export async function timeDriverReads(build: DriverBuild, wasm: Uint8Array, reads: number, samples: number): Promise<number[]> {
  const { blk: d, backing } = await driver(build, wasm, 4 << 20);
  const sectors = backing.size / 512;
  const ns: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < reads; i++) await d.read(i % sectors, 1);
    ns.push(Number(process.hrtime.bigint() - start) / reads);
    const at = (s * 97) % sectors;
    const got = await d.read(at, 1);
    const want = backing.data.subarray(at * 512, at * 512 + 512);
    if (got.length !== 512 || got.some((b, i) => b !== want[i])) throw new Error(`bench: the ${build} driver read sector ${at} wrong`);
  }
  return ns;
}
