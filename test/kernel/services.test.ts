// The manifests and the service list agree: every component has a service, and every
// capability a manifest declares names a service (or one method of one) in the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICES } from '../../src/abi/services.js';
import { COMPONENTS } from '../../src/hosts/components.js';

test('every component has a service in the list, and uses only services and methods of the list', () => {
  for (const [key, mod] of Object.entries(COMPONENTS)) {
    // A WebAssembly build (NAME-wasm) serves its sibling's service.
    const name = mod.manifest.name;
    assert.ok(key === name || key === `${name}-wasm`, `${key} is registered under its manifest's name`);
    assert.ok(SERVICES[name] !== undefined, `${name} has a service`);
    for (const u of mod.manifest.uses) {
      const [service, method] = u.split('.');
      assert.ok(SERVICES[service!] !== undefined, `${name} uses ${u}: no such service`);
      if (method !== undefined) assert.ok(SERVICES[service!]!.byName.has(method), `${name} uses ${u}: no such method`);
    }
  }
});
