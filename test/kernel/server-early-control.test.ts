// A server thread keeps what the kernel sends while its component's module is still
// loading (a fault to arm, channel wiring): the control handler gets it once it exists.
// Before, such a message reached only the listener waiting for init and was dropped,
// so a fault armed on a server that had just been restarted was never armed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runServer, type ComponentModule } from '../../src/kernel/component/server-runtime.js';
import * as echo from '../../src/services/echo/echo.js';
import type { ServerInit } from '../../src/kernel/component/server.js';

test('a fault armed while the server\'s module is still loading is armed, not dropped', async () => {
  const listeners: ((m: unknown) => void)[] = [];
  const posted: unknown[] = [];
  let loaded!: (m: ComponentModule) => void;
  const module = new Promise<ComponentModule>((resolve) => { loaded = resolve; });
  let running = true;
  const server = runServer({
    port: { post: (m) => { posted.push(m); }, onMessage: (h) => { listeners.push(h); } },
    crash: (e) => { throw e; },
    startHeartbeat: () => {},
    yieldMacrotask: () => new Promise((r) => setTimeout(r, 0)),
    running: () => running,
  }, () => module);
  const send = (m: unknown): void => { for (const l of [...listeners]) l(m); };
  const init: ServerInit = {
    type: 'init', name: 'echo', transport: 'postmessage', channel: undefined, links: [], clients: [], down: [],
    kernelBell: new SharedArrayBuffer(4), serverBell: new SharedArrayBuffer(4), heartbeat: new SharedArrayBuffer(4), arena: new SharedArrayBuffer(1 << 16),
    config: {}, device: undefined, spinUs: 0, lingerUs: 0, wildWriteBytes: 0, heartbeatMs: 50, loopBeats: false,
  };
  send(init);
  // The module is still loading: the fault arrives now.
  send({ type: 'fault', kind: 'crash' });
  loaded({ manifest: echo.manifest, create: echo.create });
  await server;
  running = false;
  assert.ok(posted.some((m) => (m as { type?: string }).type === 'ready'), `the server started: ${JSON.stringify(posted)}`);
  assert.ok(posted.some((m) => (m as { type?: string }).type === 'fault-armed'), `the early fault was armed: ${JSON.stringify(posted)}`);
  assert.equal(listeners.length, 1, 'one listener for the thread\'s life');
});
