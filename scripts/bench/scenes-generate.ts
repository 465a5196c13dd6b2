/**
 * Benchmark: time to generate a scene set (render + encode + write), and render alone.
 * Usage: npx tsx scripts/bench/scenes-generate.ts [count=1000] [size=128] [format=jpeg]
 * Figures go in docs/scenes.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateScenes, renderSetScene } from '../../server/src/scenes/generate';

async function main(): Promise<void> {
    const count = Number(process.argv[2] ?? 1000);
    const size = Number(process.argv[3] ?? 128);
    const format = (process.argv[4] ?? 'jpeg') as 'jpeg' | 'png';
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'scenes-bench-'));
    try {
        // Warm the JIT first so the lone render figure is the steady-state cost.
        for (let i = 0; i < 20; i++) renderSetScene(2, i, size, size);
        const t0 = performance.now();
        const renderCount = Math.min(count, 200);
        for (let i = 0; i < renderCount; i++) renderSetScene(1, i, size, size);
        const renderMs = (performance.now() - t0) / renderCount;
        const t1 = performance.now();
        await generateScenes({ outDir: out, count, size, seed: 1, format });
        const totalS = (performance.now() - t1) / 1000;
        let bytes = 0;
        for (const d of ['image', 'label', 'instance']) {
            for (const f of fs.readdirSync(path.join(out, d))) {
                bytes += fs.statSync(path.join(out, d, f)).size;
            }
        }
        const line = [
            `${count} scenes ${size}x${size} ${format}`,
            `total ${totalS.toFixed(1)} s (${((totalS * 1000) / count).toFixed(1)} ms/scene)`,
            `render alone ${renderMs.toFixed(1)} ms/scene`,
            `on disk ${(bytes / 1e6).toFixed(1)} MB`,
            `${os.cpus().length} cores, node ${process.version}`,
        ];
        process.stdout.write(line.join('; ') + '\n');
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

main().catch((e: unknown) => {
    process.stderr.write(`scenes-generate: ${(e as Error).message}\n`);
    process.exitCode = 1;
});
