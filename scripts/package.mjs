// Builds a platform-specific VSIX: the esbuild bundles plus only the runtime packages that
// cannot be bundled (native addons, wasm files), pruned to this platform, so the VSIX stays
// installable offline. Usage: node scripts/package.mjs [--out FILE]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outArg = process.argv.indexOf('--out');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const target = `${process.platform}-${process.arch}`;
const out = path.resolve(
    outArg > 0
        ? process.argv[outArg + 1]
        : path.join(root, `${pkg.name}-${pkg.version}-${target}.vsix`),
);
const stage = path.join(root, '.cache', 'vsix-stage');

execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--production'], {
    stdio: 'inherit',
});
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });

for (const item of ['dist', 'syntaxes', 'samples', 'docs', 'bin', 'README.md', 'LICENSE']) {
    const src = path.join(root, item);
    if (fs.existsSync(src)) fs.cpSync(src, path.join(stage, item), { recursive: true });
}

// Runtime packages the bundles leave external (see scripts/build.mjs), with their own
// dependencies; everything else is inside dist/.
const runtime = new Set();
const visit = (name) => {
    if (runtime.has(name)) return;
    const dir = path.join(root, 'node_modules', name);
    if (!fs.existsSync(dir)) return;
    runtime.add(name);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys({ ...meta.dependencies, ...meta.optionalDependencies }))
        visit(dep);
};
for (const name of [
    'sharp',
    'onnxruntime-node',
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-backend-cpu',
]) {
    visit(name);
}
for (const name of runtime) {
    fs.cpSync(path.join(root, 'node_modules', name), path.join(stage, 'node_modules', name), {
        recursive: true,
        dereference: true,
        filter: (src) => {
            const rel = path.relative(path.join(root, 'node_modules', name), src);
            // onnxruntime-node ships binaries for every OS; keep this one.
            const m = /^bin[\\/]napi-v\d+[\\/](\w+)/.exec(rel);
            return !(m && m[1] !== process.platform);
        },
    });
}

const stagedPkg = { ...pkg, devDependencies: {}, scripts: {} };
fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(stagedPkg, null, 2));
fs.writeFileSync(path.join(stage, '.vscodeignore'), '**/*.map\n**/*.ts\n!**/*.d.ts\n');

const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
execFileSync(
    process.execPath,
    [
        vsce,
        'package',
        '--no-dependencies',
        '--allow-missing-repository',
        '--skip-license',
        '--target',
        target,
        '-o',
        out,
    ],
    { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] },
);
console.log(out);
