// --pcap FILE: every frame that crosses a NIC's cable, in both directions, written in
// libpcap's format (services/net/wire/pcap.ts) as it passes. The file is written
// synchronously, one record per frame, so it is complete up to the last frame when the
// machine stops however it stops.

import fs from 'node:fs';
import { pcapHeader, pcapRecord } from '../../../services/net/wire/pcap.js';
import type { FramePort } from './frame-port.js';

/** Wraps `outer` so every frame sent or received is also written to `file`. */
export function pcapPort(outer: FramePort, file: string): FramePort {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, pcapHeader());
  let open = true;
  const record = (f: Uint8Array): void => {
    if (!open) return;
    const us = Math.round((performance.timeOrigin + performance.now()) * 1000);
    fs.writeSync(fd, pcapRecord(f, us));
  };
  let handler: (f: Uint8Array) => void = () => {};
  outer.onFrame((f) => { record(f); handler(f); });
  return {
    send: (f) => { record(f); outer.send(f); },
    onFrame: (h) => { handler = h; },
    close: () => { if (open) { open = false; fs.closeSync(fd); } outer.close(); },
  };
}
