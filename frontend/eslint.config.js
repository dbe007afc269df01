// ESLint for the agent app: typescript-eslint's type-aware recommended rules and the React
// hooks rules (rules-of-hooks, exhaustive-deps and the compiler's checks). `npm run lint`.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  // generated from openapi/openapi.json, and the build output
  globalIgnores(['src/api/schema.d.ts', 'dist/', '../src/ticketdesk/static/', 'test-results/']),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    rules: {
      // as tsc's noUnusedLocals: `const { omitted: _omitted, ...rest } = value` is how a key is dropped
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    extends: [reactHooks.configs.flat.recommended],
    rules: {
      // a warning would not fail `eslint .` in scripts/frontend-test
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // test doubles keep the async signature of what they stand for (`fetch`), with or without an await
    files: ['src/**/*.test.{ts,tsx}'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // plain Node scripts, not type-checked by tsconfig.json
    files: ['**/*.{js,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    // the end-to-end script also hands functions to page.evaluate, which run in the browser
    files: ['e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
]);
