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
const roots = [
    'sharp',
    'onnxruntime-node',
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-backend-cpu',
];
for (const name of roots) visit(name);

/**
 * Whether a file of a runtime package is needed at run time. Source maps, TypeScript sources
 * and declarations, docs, and the browser bundles of tfjs (Node loads `dist/*.node.js`, and
 * the wasm backend its `.wasm` files) are left out: they would make the VSIX ~400 MB.
 */
const needed = (name, rel) => {
    const file = rel.split(path.sep).join('/');
    if (/\.(map|ts|tsbuildinfo|md|markdown)$/i.test(file)) return false;
    // onnxruntime-node ships binaries for every OS and CPU; keep this one.
    const bin = /^bin\/napi-v\d+\/(\w+)(?:\/(\w+))?/.exec(file);
    if (bin && (bin[1] !== process.platform || (bin[2] && bin[2] !== process.arch))) return false;
    if (name.startsWith('@tensorflow/')) {
        if (/^(src|scripts|tools)\//.test(file)) return false;
        const dist = /^dist\/(.+)$/.exec(file);
        if (dist)
            return !dist[1].includes('/') && /(\.node\.js|\.wasm|\.worker\.js)$/.test(dist[1]);
    }
    return true;
};
for (const name of runtime) {
    const from = path.join(root, 'node_modules', name);
    fs.cpSync(from, path.join(stage, 'node_modules', name), {
        recursive: true,
        dereference: true,
        filter: (src) => fs.statSync(src).isDirectory() || needed(name, path.relative(from, src)),
    });
}

// Fail here, not in the user's editor, when pruning removed something a package loads.
execFileSync(
    process.execPath,
    ['-e', `for (const m of ${JSON.stringify(roots)}) require(m);`],
    // stdout ignored: tfjs greets with advice about tfjs-node on every load.
    { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'] },
);

// vsce collects node_modules through `npm list --production`, so the staged manifest names the
// runtime packages (at their installed versions) as its only dependencies.
const version = (name) =>
    JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8'))
        .version;
const stagedPkg = {
    ...pkg,
    dependencies: Object.fromEntries(roots.map((n) => [n, version(n)])),
    devDependencies: {},
    peerDependencies: undefined,
    peerDependenciesMeta: undefined,
    scripts: {},
};
fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(stagedPkg, null, 2));
fs.writeFileSync(path.join(stage, '.vscodeignore'), '**/*.map\n**/*.ts\n');

const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
execFileSync(
    process.execPath,
    [
        vsce,
        'package',
        '--allow-missing-repository',
        '--skip-license',
        // The README links to docs/ by relative paths, which the VSIX also carries; without a
        // repository URL vsce would refuse to package rather than leave them relative.
        '--no-rewrite-relative-links',
        '--target',
        target,
        '-o',
        out,
    ],
    { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] },
);
console.log(out);
