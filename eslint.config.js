// Lint rules. Layer boundaries (core/ never imports electron or react) are enforced here
// and again by test/unit/architecture.test.ts, which reads every import.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'bench-results/', 'test-results/'] },
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
);
