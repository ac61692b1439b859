// Loading presets (data files in src/presets/) and resolving a boot's placement.
import fs from 'node:fs';
import path from 'node:path';
import { parsePreset, parsePlacement, DEFAULT_DEVICE_GRANTS, type Preset } from '../presets/schema.js';

export { TRANSPORTS, type TransportName } from '../presets/schema.js';
import { packageRoot } from './node/machine.js';

const dir = path.join(packageRoot, 'src/presets');

export function presetNames(): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort((a, b) => order(a) - order(b) || a.localeCompare(b));
}

function order(name: string): number {
  return ['monolithic', 'microkernel', 'hybrid'].indexOf(name) >>> 0;
}

export function loadPreset(name: string): Preset {
  const file = path.join(dir, `${name}.json`);
  if (!/^[a-z0-9-]+$/.test(name) || !fs.existsSync(file)) throw new Error(`unknown preset '${name}' (known: ${presetNames().join(', ')})`);
  let json: unknown;
  try { json = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { throw new Error(`${file}: not valid JSON: ${(e as Error).message}`); }
  return parsePreset(json, file);
}

/** The device grants of preset `name` (the defaults for a preset that names none). */
export function deviceGrantsOf(name: string): Record<string, 'block' | 'console' | 'hostfs' | 'nic' | 'nic1'> {
  return { ...(loadPreset(name).devices ?? DEFAULT_DEVICE_GRANTS) };
}

/** The preset's placement with `--place` overrides applied. */
export function placementFor(preset: Preset, place?: string): Record<string, 'kernel' | 'user' | 'sandbox' | 'kernel-wasm' | 'user-wasm'> {
  return { ...preset.placement, ...(place === undefined ? {} : parsePlacement(place)) };
}
