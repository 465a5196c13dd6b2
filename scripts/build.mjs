// One bundling script for every entry point: the extension client, the language server,
// the CLI, the training and synthesis workers and the webview bundles.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const prod = process.argv.includes('--production');

/** Node entries: name -> source. Entries whose source does not exist yet are skipped. */
const nodeEntries = {
    client: 'client/src/extension.ts',
    server: 'server/src/server.ts',
    cli: 'server/src/cli/main.ts',
    worker: 'server/src/jobs/worker-main.ts',
    'synthesis-worker': 'server/src/features/synthesis-worker-main.ts',
};
/** Browser entries for webviews. */
const webEntries = {
    'webview-preview': 'webview/src/preview/main.ts',
    'webview-dashboard': 'webview/src/dashboard/main.ts',
};

const pick = (m) => Object.fromEntries(Object.entries(m).filter(([, src]) => existsSync(src)));

const common = { bundle: true, sourcemap: true, minify: prod, logLevel: 'warning' };
const builds = [
    {
        ...common,
        entryPoints: pick(nodeEntries),
        outdir: 'dist',
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        // Native addons and packages that locate files relative to themselves stay external.
        external: [
            'vscode',
            'sharp',
            'onnxruntime-node',
            '@tensorflow/tfjs-node',
            '@tensorflow/tfjs-node-gpu',
            '@tensorflow/tfjs-backend-wasm',
            '@tensorflow/tfjs',
            '@tensorflow/tfjs-core',
        ],
    },
    {
        ...common,
        entryPoints: pick(webEntries),
        outdir: 'dist',
        platform: 'browser',
        target: 'es2022',
        format: 'iife',
    },
].filter((b) => Object.keys(b.entryPoints).length > 0);

if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
} else {
    await Promise.all(builds.map((b) => esbuild.build(b)));
}
