// One tool lints and formats: ESLint with typescript-eslint's type-aware rules
// (floating promises, misused promises) and @stylistic for formatting.
import tseslint from 'typescript-eslint';
import stylistic from '@stylistic/eslint-plugin';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  // deploy/mongo holds a mongosh script (its globals are the shell's, not Node's).
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', 'services/web/dist/**', 'packages/contracts/src/generated/**', 'deploy/mongo/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  stylistic.configs.customize({ semi: true, quotes: 'single', indent: 2, arrowParens: true, braceStyle: '1tbs' }),
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@stylistic/max-len': ['warn', { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreComments: true }],
      '@stylistic/operator-linebreak': 'off',
      '@stylistic/multiline-ternary': 'off',
    },
  },
  // The browser client: the rules of hooks (dependencies of effects, hooks called unconditionally).
  { ...reactHooks.configs.flat.recommended, files: ['services/web/client/**/*.{ts,tsx}'] },
  // Off for JSX: its autofix splits prose around links and values onto lines and drops the spaces between them.
  { files: ['services/web/client/**/*.tsx'], rules: { '@stylistic/jsx-one-expression-per-line': 'off' } },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
