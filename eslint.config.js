// Lint: typescript-eslint's recommended rules plus the layer rule from
// ARCHITECTURE.md ("A may import B"), whose message names the allowed layers.
import tseslint from 'typescript-eslint';
import path from 'node:path';

const LAYERS = {
  lib: [],
  abi: ['lib'],
  hw: ['abi', 'lib'],
  kernel: ['abi', 'lib'],
  services: ['abi', 'lib'],
  user: ['abi', 'lib'],
  presets: ['abi', 'lib'],
  hosts: ['lib', 'abi', 'hw', 'kernel', 'services', 'user', 'presets'],
  lab: ['hosts', 'abi', 'lib', 'presets'],
  cli: ['hosts', 'lab', 'abi', 'lib', 'presets'],
  web: ['hosts', 'lab', 'abi', 'lib', 'presets'],
};
const NODE_FREE = new Set(['lib', 'abi', 'hw', 'kernel', 'services', 'user', 'presets']);

function layerOf(file) {
  const rel = path.relative(path.resolve('src'), file);
  if (rel.startsWith('..')) return undefined;
  return rel.split(path.sep)[0];
}

const layerRule = {
  meta: { type: 'problem', schema: [], messages: { bad: '{{msg}}' } },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (from === undefined || !(from in LAYERS)) return {};
    // Unit tests beside the code run on Node: they may use its modules (not other layers).
    const isTest = file.endsWith('.test.ts');
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      if (isTest && source.startsWith('node:')) return;
      if (source.startsWith('node:') || ['fs', 'path', 'os', 'worker_threads', 'child_process'].includes(source)) {
        if (NODE_FREE.has(from)) context.report({ node, messageId: 'bad', data: { msg: `Bad layering: '${from}' must not import Node module '${source}'; only hosts/, lab/, cli/ may use the host platform.` } });
        return;
      }
      if (!source.startsWith('.')) return;
      const to = layerOf(path.resolve(path.dirname(file), source));
      if (to === undefined || to === from) return;
      if (!LAYERS[from].includes(to)) {
        context.report({ node, messageId: 'bad', data: { msg: `Bad layering: '${from}' may not import '${to}'. Allowed layers for '${from}' are: [${LAYERS[from].join(', ')}].` } });
      }
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'out/**', 'lab-out/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { kernelkit: { rules: { layers: layerRule } } },
    rules: {
      'kernelkit/layers': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-empty-object-type': 'off',
    },
  },
  { files: ['scripts/**', 'bin/**', 'eslint.config.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
