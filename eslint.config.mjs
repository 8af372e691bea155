// ESLint owns correctness; the import fences keep each layer to what it may depend on.
import tseslint from 'typescript-eslint';

const vscodeOnly = { name: 'vscode', message: 'Only src/extension may import vscode.' };
const pureMessage = 'The core is pure: no Node built-ins (I/O lives in src/node, src/cli, src/server, src/live).';
const clientOnly = { group: ['vscode-languageclient', 'vscode-languageclient/*'], message: 'Only src/extension may use the language client.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.e2e/**', 'examples/**', 'test/fixtures/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is pure: data in, data out. No editor, no LSP, no Node built-ins, no network.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [vscodeOnly, ...['fs', 'path', 'http', 'https', 'net', 'child_process', 'os', 'crypto', 'url'].map((name) => ({ name, message: pureMessage }))],
          patterns: [
            clientOnly,
            { group: ['vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageserver-*'], message: 'The core knows nothing of LSP; map its results in src/server.' },
            { group: ['node:*'], message: pureMessage },
            { group: ['../server/*', '../extension/*', '../cli/*', '../live/*', '../node/*', '../../*'], message: 'The core depends on nothing outside src/core.' },
          ],
        },
      ],
    },
  },
  {
    // src/viewmodel is pure too (core data -> what the views show), so it shares the protocol's fence.
    files: ['src/protocol/**/*.ts', 'src/viewmodel/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeOnly], patterns: [clientOnly, { group: ['node:*'], message: 'Protocol types are shared with the browser webview.' }] }] },
  },
  {
    files: ['src/server/**/*.ts', 'src/cli/**/*.ts', 'src/live/**/*.ts', 'src/node/**/*.ts', 'webview/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeOnly], patterns: [clientOnly] }] },
  },
  {
    files: ['bin/**/*.js', '*.mjs', 'test/**/*.mjs', 'bench/**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
