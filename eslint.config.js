// Lint rules. Layer boundaries (core/ never imports electron or react; common/ imports only zod
// and itself) are enforced here and again by test/unit/architecture.test.ts, which reads every import.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = builtinModules
  .filter((m) => !m.startsWith('_'))
  .map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
  .join('|');

/** Globals only Node has (common/ and renderer/ may not use them). */
const NODE_GLOBALS = [
  'process',
  'Buffer',
  'require',
  '__dirname',
  '__filename',
  'global',
  'setImmediate',
  'clearImmediate',
];
/** Globals only a page has (common/ may not use them: it also runs in Node). */
const DOM_GLOBALS = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'bench-results/', 'test-results/', 'release/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'electron/*'], message: 'core/ is Node-only: never import electron.' },
            {
              group: ['react', 'react-dom', 'react/*', 'zustand'],
              message: 'core/ never imports UI libraries.',
            },
            { group: ['**/renderer/**', '**/electron/**'], message: 'core/ must not import other layers.' },
          ],
        },
      ],
    },
  },
  {
    // common/: the contract every process shares (like VS Code's common/ layer). Browser-safe and
    // Node-safe at once: zod and its own files only, no Node or DOM globals. test/unit/architecture.test.ts
    // checks the imports too (including relative paths that leave common/).
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            // Regexes, not globs: a glob for Node's `domain` module would also match ../domain/x.js.
            { regex: '^node:', message: 'common/ runs in every process: no Node APIs.' },
            { regex: '^(?!zod$|node:)[^.]', message: 'common/ imports no package but zod (nor Node APIs).' },
            {
              group: ['**/core/**', '**/renderer/**', '**/electron/**', '**/test/**'],
              message: 'common/ imports nothing but zod and its own files.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[...NODE_GLOBALS, ...DOM_GLOBALS].map((name) => ({
          name,
          message: 'common/ runs in every process: no Node or DOM globals.',
        })),
      ],
    },
  },
  // The dashboard: browser code with React hooks.
  {
    files: ['renderer/**/*.{ts,tsx}', 'test/unit/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.flat.recommended.rules },
  },
  {
    // renderer/src runs in a browser (and in Electron's sandboxed renderer): no Node APIs, and core/
    // only through `import type` (test/unit/architecture.test.ts checks that too).
    files: ['renderer/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // A regex anchored at the start, not a glob: a glob for Node's `domain` module would
              // also match common/domain/*.js.
              regex: `^(node:|(${NODE_BUILTINS})(/|$))`,
              message: 'renderer/ is browser code: no Node APIs.',
            },
            {
              group: ['electron', 'electron/*'],
              message: 'renderer/ talks to Electron only through window.switchyard.',
            },
            {
              group: ['**/core/**'],
              allowTypeImports: true,
              message: 'renderer/ may import core/ only with `import type`.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...NODE_GLOBALS.map((name) => ({ name, message: 'renderer/ is browser code: no Node globals.' })),
      ],
    },
  },
);
