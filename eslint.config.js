// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/**
 * Two layout rules of the project, as small local rules:
 * - workflow-imports: a workflow file imports only its contract, its pure rules, the SDK's
 *   workflow API and the kernel's pure Temporal helpers (activities as types only). Workflow code
 *   is replayed in a sandbox; anything else risks I/O or nondeterminism.
 * - no-process-context: only the composition roots (src/main) know the process context; every
 *   other module receives the narrow dependencies it needs.
 */
const WORKFLOW_ALLOWED = [
  '@temporalio/workflow',
  './contract',
  './rules',
  '../../kernel/temporal/search-attributes',
  '../../kernel/temporal/domain-failure',
  '../../kernel/temporal/signing',
  '../../kernel/temporal/workflow-messages',
  '../../kernel/errors',
];
const layout = {
  rules: {
    'workflow-imports': {
      meta: { type: 'problem', schema: [] },
      create: (context) => ({
        ImportDeclaration(node) {
          const source = node.source.value;
          if (WORKFLOW_ALLOWED.includes(source)) return;
          if (source === './activities' && node.importKind === 'type') return;
          context.report({
            node,
            message: `Workflow code may import only ${WORKFLOW_ALLOWED.join(', ')} (and './activities' as types); not '${source}'.`,
          });
        },
      }),
    },
    'no-process-context': {
      meta: { type: 'problem', schema: [] },
      create: (context) => ({
        ImportDeclaration(node) {
          if (/(^|\/)main\/context$/.test(node.source.value)) {
            context.report({
              node,
              message:
                'Only src/main (the composition roots) may import the process context; pass narrow dependencies.',
            });
          }
        },
      }),
    },
  },
};

module.exports = tseslint.config(
  { ignores: ['node_modules', 'dist', '.data', '.tools', 'coverage', '.stryker-tmp', 'reports'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // The console's page script runs in the browser.
    files: ['src/features/console/assets/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'fetch', 'DOMParser', 'setTimeout', 'clearTimeout'].map((g) => [
          g,
          'readonly',
        ]),
      ),
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['src/**/*.ts', 'activities/**/*.ts', 'workflows/**/*.ts'],
    ignores: ['src/main/**'],
    plugins: { layout },
    rules: { 'layout/no-process-context': 'error' },
  },
  {
    files: ['src/features/*/workflow.ts'],
    plugins: { layout },
    rules: { 'layout/workflow-imports': 'error' },
  },
  {
    // Workflow code is replayed: it must be deterministic and cannot use Node built-ins.
    files: [
      'workflows/**/*.ts',
      'src/features/*/workflow.ts',
      'src/features/*/contract.ts',
      'src/features/*/rules.ts',
      // The kernel's workflow-side modules (bundled into the sandbox).
      'src/kernel/temporal/hmac-sha256.ts',
      'src/kernel/temporal/signing.ts',
      'src/kernel/temporal/signing-slot.ts',
      'src/kernel/temporal/workflow-messages.ts',
      'src/kernel/temporal/workflow-interceptors.ts',
      'src/kernel/temporal/request-id-header.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Node built-ins are not allowed in workflow code.' },
            {
              group: ['fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process'],
              message: 'Node built-ins are not allowed in workflow code.',
            },
            {
              group: ['**/activities/*', '**/activities'],
              message: 'Import activities as types only (import type).',
              allowTypeImports: true,
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' }],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Not deterministic; the SDK replaces it, but be explicit: use uuid4() or a seeded value.',
        },
      ],
    },
  },
);
