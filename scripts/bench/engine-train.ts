/**
 * Training-step benchmark of the tfjs engine at the PyTorch baseline's config (perf-baseline.md
 * §3): crop 64, ngf 16, 184 semantic channels, 2-scale PatchGAN (ndf 64, 4 layers), spectral
 * norm, hinge + feature matching, TTUR Adam, synthetic batches.
 *
 *   npx tsx scripts/bench/engine-train.ts [--backend wasm|cpu|auto] [--batch 1,4] [--steps 3]
 *                                        [--warmup 1] [--dense] [--crop 64] [--ngf 16]
 *
 * Prints one JSON line per configuration (median G-step, D-step and total seconds, images/s,
 * peak RSS) and the PyTorch figures measured on the project machine for comparison.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend, useBackend, type BackendName } from '../../server/src/engine/backend';
import { SpadeTrainer } from '../../server/src/engine/trainer';
import { benchOptions as options, syntheticBatch } from './engine-config';

/** perf-baseline.md §3: PyTorch 1.13, 2 threads, crop 64, ngf 16 (G-step + D-step seconds). */
const PYTORCH: Record<number, { step: number; g: number; d: number; rssMB: number }> = {
    1: { step: 1.96, g: 1.26, d: 0.69, rssMB: 841 },
    4: { step: 4.38, g: 2.92, d: 1.48, rssMB: 1130 },
};

function arg(name: string, dflt: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

function median(xs: number[]): number {
    const a = [...xs].sort((p, q) => p - q);
    return a[Math.floor(a.length / 2)];
}

async function main(): Promise<void> {
    const backend = arg('backend', 'wasm');
    const report =
        backend === 'auto' ? await initBackend('auto') : await useBackend(backend as BackendName);
    const crop = Number(arg('crop', '64'));
    const ngf = Number(arg('ngf', '16'));
    const steps = Number(arg('steps', '3'));
    const warmup = Number(arg('warmup', '1'));
    const dense = process.argv.includes('--dense');
    for (const batch of arg('batch', '1,4').split(',').map(Number)) {
        const t = new SpadeTrainer(options(crop, ngf, batch, dense), report);
        const b = syntheticBatch(batch, crop);
        const g: number[] = [];
        const d: number[] = [];
        const cpu: number[] = [];
        for (let i = 0; i < warmup + steps; i++) {
            const c0 = process.cpuUsage();
            const t0 = performance.now();
            await t.generatorStep(b);
            const t1 = performance.now();
            await t.discriminatorStep(b);
            const t2 = performance.now();
            if (i >= warmup) {
                const c = process.cpuUsage(c0);
                cpu.push((c.user + c.system) / 1e6);
                g.push((t1 - t0) / 1000);
                d.push((t2 - t1) / 1000);
            }
        }
        const step = median(g.map((x, i) => x + d[i]));
        const ref = PYTORCH[batch];
        const row = {
            backend: report.active,
            threads: report.threads,
            crop,
            ngf,
            batch,
            mlpShared: dense ? 'dense conv' : 'one-hot lookup',
            stepS: +step.toFixed(3),
            gStepS: +median(g).toFixed(3),
            dStepS: +median(d).toFixed(3),
            imgPerS: +(batch / step).toFixed(3),
            // CPU seconds per step (all threads): the work done, less sensitive to other load.
            cpuS: +median(cpu).toFixed(3),
            peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
            tensors: tf.memory().numTensors,
            // Other processes' load while it ran: figures under load are not comparable.
            loadAvg1m: +os.loadavg()[0].toFixed(2),
            pytorchStepS: ref?.step,
            pytorchRssMB: ref?.rssMB,
            speedupVsPytorch:
                ref && crop === 64 && ngf === 16 ? +(ref.step / step).toFixed(2) : undefined,
        };
        console.log(JSON.stringify(row));
        t.dispose();
    }
}

main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
});
