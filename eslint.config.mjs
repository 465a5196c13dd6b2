// Lint rules: the recommended type-aware preset plus async and type hygiene.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    {
        ignores: ['node_modules/', 'dist/', 'out/', '**/*.js', '**/*.mjs', '.test-output/'],
    },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/consistent-type-imports': 'error',
            '@typescript-eslint/no-explicit-any': 'error',
            eqeqeq: ['error', 'always'],
            // Unused args named _x are intentional (interface conformance).
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
            // tfjs and LSP types return many loosely typed values; the compiler already checks.
            '@typescript-eslint/no-unsafe-assignment': 'off',
            '@typescript-eslint/no-unsafe-member-access': 'off',
            '@typescript-eslint/no-unsafe-argument': 'off',
            '@typescript-eslint/no-unsafe-return': 'off',
            '@typescript-eslint/no-unsafe-call': 'off',
            // Template literals with numbers are how messages are built here.
            '@typescript-eslint/restrict-template-expressions': 'off',
            // Handlers registered with the LSP connection may be async.
            '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
        },
    },
    {
        // Only the client talks to the user directly; everything else logs through its channel.
        files: ['client/**/*.ts'],
        rules: { 'no-console': 'error' },
    },
    {
        files: ['server/**/*.ts', 'webview/**/*.ts'],
        rules: {
            'no-restricted-imports': [
                'error',
                { paths: [{ name: 'vscode', message: 'Only client/ may import vscode.' }] },
            ],
        },
    },
);
