/**
 * Where a training step's time goes: tf.profile of one G step and one D step at the benchmark's
 * configuration (engine-config.ts), kernels summed by name and by name + input shapes.
 *
 *   npx tsx scripts/bench/engine-profile.ts [--batch 1] [--top 30]
 *
 * Kernel times include tfjs's per-kernel bookkeeping; scopes (customGrad `forward`, fused ops)
 * are listed too and overlap the kernels they contain.
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../server/src/engine/backend';
import { SpadeTrainer } from '../../server/src/engine/trainer';
import { benchOptions, syntheticBatch } from './engine-config';

function arg(name: string, dflt: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

type Totals = Map<string, { n: number; ms: number }>;

function add(m: Totals, key: string, ms: number): void {
    const a = m.get(key) ?? { n: 0, ms: 0 };
    a.n++;
    a.ms += ms;
    m.set(key, a);
}

function print(m: Totals, top: number): void {
    for (const [k, v] of [...m].sort((x, y) => y[1].ms - x[1].ms).slice(0, top))
        console.log(`  ${v.ms.toFixed(0).padStart(6)} ms  n=${String(v.n).padEnd(5)} ${k}`);
}

async function main(): Promise<void> {
    const report = await useBackend('wasm');
    const batch = Number(arg('batch', '1'));
    const top = Number(arg('top', '30'));
    const t = new SpadeTrainer(benchOptions(64, 16, batch, false), report);
    const b = syntheticBatch(batch, 64);
    await t.generatorStep(b);
    await t.discriminatorStep(b);
    for (const which of ['G', 'D'] as const) {
        const t0 = performance.now();
        const p = await tf.profile(async () => {
            if (which === 'G') await t.generatorStep(b);
            else await t.discriminatorStep(b);
        });
        const wall = performance.now() - t0;
        const byName: Totals = new Map();
        const byShape: Totals = new Map();
        for (const k of p.kernels) {
            const time = await k.kernelTimeMs;
            const ms = typeof time === 'number' ? time : 0;
            add(byName, k.name, ms);
            add(byShape, `${k.name} ${k.inputShapes.map((s) => JSON.stringify(s)).join(' ')}`, ms);
        }
        console.log(
            `== ${which} step: ${wall.toFixed(0)} ms wall, ${p.kernels.length} kernels (threads ${report.threads})`,
        );
        print(byName, top);
        console.log('  -- by input shapes');
        print(byShape, top);
    }
    t.dispose();
}

main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
});
