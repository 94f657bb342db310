// Lint rules. Layer boundaries (core/ never imports electron or react) are enforced here
// and again by test/unit/architecture.test.ts, which reads every import.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
              group: ['node:*', ...builtinModules.filter((m) => !m.startsWith('_'))],
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
        ...[
          'process',
          'Buffer',
          'require',
          '__dirname',
          '__filename',
          'global',
          'setImmediate',
          'clearImmediate',
        ].map((name) => ({ name, message: 'renderer/ is browser code: no Node globals.' })),
      ],
    },
  },
);
