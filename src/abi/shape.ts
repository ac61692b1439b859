// The small type language of the service list (abi/services.ts): what each argument
// and result of a component method is. One description serves three purposes: the
// reply check at every caller (`conforms`), the fixed message layout of the shm
// transport (kernel/ipc/wire.ts: scalars in register-like slots), and the docs table.

/** A value's shape. Scalars fit a fixed slot; the rest travel self-described (lib/codec). */
export type Shape =
  | 'void' | 'int' | 'num' | 'bool' | 'str' | 'bytes'
  /** Where a relative path starts (abi/services.ts PathBase): a directory path, or an open directory handle with its RESOLVE_BENEATH flag. */
  | 'base'
  /** Anything (e.g. a host filesystem reply, checked by its own reader). */
  | 'any'
  | { readonly optional: Shape }
  | { readonly oneOf: readonly string[] }
  | { readonly record: Readonly<Record<string, Shape>> }
  | { readonly list: Shape };

/**
 * Whether `shape` has a fixed layout: slots (int, num, bool, str, bytes, base, void, an
 * enumeration), and optionals, records and lists of them. Only `any` travels self-described.
 */
export function isFixed(shape: Shape, depth = 0): boolean {
  if (depth > 8) return false;
  if (typeof shape === 'string') return shape !== 'any';
  if ('oneOf' in shape) return true;
  if ('optional' in shape) return shape.optional !== 'void' && isFixed(shape.optional, depth + 1);
  if ('list' in shape) return isFixed(shape.list, depth + 1);
  return Object.values(shape.record).every((s) => isFixed(s, depth + 1));
}

/** Whether `v` has shape `shape`. Records must not carry unknown fields' types wrong; extra fields are allowed. */
export function conforms(shape: Shape, v: unknown, depth = 0): boolean {
  if (depth > 16) return false;
  if (typeof shape === 'string') {
    switch (shape) {
      case 'void': return v === undefined || v === null;
      case 'int': return typeof v === 'number' && Number.isInteger(v);
      case 'num': return typeof v === 'number' && !Number.isNaN(v);
      case 'bool': return typeof v === 'boolean';
      case 'str': return typeof v === 'string';
      case 'bytes': return v instanceof Uint8Array;
      case 'base': return typeof v === 'string' || isDirBase(v);
      case 'any': return true;
    }
  }
  if ('optional' in shape) return v === undefined || v === null || conforms(shape.optional, v, depth + 1);
  if ('oneOf' in shape) return typeof v === 'string' && shape.oneOf.includes(v);
  if ('list' in shape) return Array.isArray(v) && v.every((item) => conforms(shape.list, item, depth + 1));
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return false;
  for (const [k, s] of Object.entries(shape.record)) if (!conforms(s, (v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

function isDirBase(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as { dir?: unknown; beneath?: unknown };
  return typeof b.dir === 'number' && Number.isInteger(b.dir) && (b.beneath === undefined || typeof b.beneath === 'boolean');
}

/** How a shape reads in the docs table. */
export function describeShape(shape: Shape): string {
  if (typeof shape === 'string') return shape;
  if ('optional' in shape) return `${describeShape(shape.optional)}?`;
  if ('oneOf' in shape) return shape.oneOf.map((s) => `'${s}'`).join(' \\| ');
  if ('list' in shape) return `${describeShape(shape.list)}[]`;
  return `{ ${Object.entries(shape.record).map(([k, s]) => `${k}: ${describeShape(s)}`).join(', ')} }`;
}
