// Purity by folder (architecture.md §1): shared/ is pure TypeScript, the renderer never reaches
// node or electron, and only electron/ (outside backend/) may import 'electron'.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url', 'util', 'stream', 'zlib', 'worker_threads', 'events', 'buffer'];

const restrict = (groups, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'tests/.tmp/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: restrict(
      [...nodeBuiltins, 'electron', 'electron/*', 'react', 'react-dom', 'cornerstone-*', 'dicom-parser', 'better-sqlite3', '**/electron/**', '**/renderer/**'],
      'shared/ is pure TypeScript: no node, electron, DOM, cornerstone or dicom-parser imports (architecture.md §1).',
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: restrict(
      [...nodeBuiltins, 'electron', 'electron/*', 'better-sqlite3', '**/electron/**'],
      'The renderer reaches the backend only through src/api (architecture.md §1).',
    ),
  },
  {
    files: ['electron/backend/**/*.ts'],
    rules: restrict(
      ['electron', 'electron/*', '**/renderer/**'],
      'electron/backend/ is plain Node: it runs in tests, the bridge and the CLI without Electron.',
    ),
  },
  {
    files: ['electron/backend/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    ignores: ['electron/backend/db/**'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "ImportDeclaration[source.value='better-sqlite3']", message: 'better-sqlite3 lives only in electron/backend/db/ (architecture.md §5).' }],
    },
  },
  {
    files: ['scripts/**/*.{js,mjs}', '*.config.{js,ts}', 'renderer/vite.config.ts'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
