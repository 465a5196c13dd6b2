/**
 * Training-step benchmark of the tfjs engine at the PyTorch baseline's config (perf-baseline.md
 * §3): crop 64, ngf 16, 184 semantic channels, 2-scale PatchGAN (ndf 64, 4 layers), spectral
 * norm, hinge + feature matching, TTUR Adam, synthetic batches.
 *
 *   npx tsx scripts/bench/engine-train.ts [--backend wasm|cpu|auto] [--batch 1,4] [--steps 3]
 *                                        [--warmup 1] [--dense] [--crop 64] [--ngf 16]
 *                                        [--torch /usr/bin/python3] [--torch-threads 2]
 *                                        [--rounds 1]
 *
 * Prints one JSON line per configuration (median G-step, D-step and total seconds, images/s,
 * CPU seconds, peak RSS) and the PyTorch figures of perf-baseline.md. With --torch PYTHON it
 * first runs the same iteration in PyTorch (train-torch-ref.py; Debian's python3-torch gives
 * /usr/bin/python3 torch 1.13) in a child process, for a ratio measured in the same run; with
 * --rounds R (R > 1) the two run in alternating fresh processes R times each (see alternate())
 * and the ratio is the median of the rounds' ratios, with its range. wasm
 * threads: as training chooses for the first batch size (one at batch 1, else the cores), or
 * SPADE_WASM_THREADS.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, useBackend, type BackendName } from '../../server/src/engine/backend';
import { SpadeTrainer, trainingWasmThreads } from '../../server/src/engine/trainer';
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

/** The PyTorch reference iteration in a child process (train-torch-ref.py), or why not. */
function pytorchRun(
    python: string,
    batch: number,
    steps: number,
    crop: number,
    ngf: number,
): Record<string, unknown> {
    const threads = arg('torch-threads', '2');
    const script = path.join(__dirname, 'train-torch-ref.py');
    const args = [script, '--batch', `${batch}`, '--steps', `${steps}`, '--threads', threads];
    const res = spawnSync(python, [...args, '--crop', `${crop}`, '--ngf', `${ngf}`], {
        encoding: 'utf8',
        env: { ...process.env, OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: '1' },
    });
    if (res.status !== 0)
        return {
            error: `${python} train-torch-ref.py failed: ${(res.stderr || String(res.error)).trim().split('\n').pop()}`,
        };
    return JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

function median(xs: number[]): number {
    const a = [...xs].sort((p, q) => p - q);
    return a[Math.floor(a.length / 2)];
}

async function main(): Promise<void> {
    const backend = arg('backend', 'wasm');
    const batches = arg('batch', '1,4').split(',').map(Number);
    // The trainer's thread choice for the first batch size, unless SPADE_WASM_THREADS is set
    // (a backend keeps its threads: run batch sizes with different choices separately).
    const wanted = trainingWasmThreads(batches[0]);
    if (process.env.SPADE_WASM_THREADS === undefined && wanted !== undefined)
        process.env.SPADE_WASM_THREADS = String(wanted);
    const report =
        backend === 'auto' ? await initBackend('auto') : await useBackend(backend as BackendName);
    const crop = Number(arg('crop', '64'));
    const ngf = Number(arg('ngf', '16'));
    const steps = Number(arg('steps', '3'));
    const warmup = Number(arg('warmup', '1'));
    const dense = process.argv.includes('--dense');
    const rounds = Number(arg('rounds', '1'));
    for (const batch of batches) {
        const python = arg('torch', '');
        if (python && rounds > 1) {
            alternate(python, batch, steps, rounds, crop, ngf);
            continue;
        }
        const t = new SpadeTrainer(options(crop, ngf, batch, dense), report);
        const b = syntheticBatch(batch, crop);
        const g: number[] = [];
        const d: number[] = [];
        const cpu: number[] = [];
        const torch = python ? pytorchRun(python, batch, steps, crop, ngf) : undefined;
        const perRound: number[] = [];
        for (let r = 0; r < rounds; r++)
            perRound.push(
                +(await timeSteps(t, b, r === 0 ? warmup : 0, steps, g, d, cpu)).toFixed(3),
            );
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
            // perf-baseline.md's reference trainer on another CPU (a Zen 1): not this run.
            baselineOtherCpuStepS: ref?.step,
            baselineOtherCpuRssMB: ref?.rssMB,
            speedupVsBaselineOtherCpu:
                ref && crop === 64 && ngf === 16 ? +(ref.step / step).toFixed(2) : undefined,
            stepSPerRound: rounds > 1 ? perRound : undefined,
            pytorchSameRun: torch,
            speedupSameRun:
                typeof torch?.stepS === 'number' ? +(torch.stepS / step).toFixed(2) : undefined,
        };
        console.log(JSON.stringify(row));
        t.dispose();
    }
}

/**
 * PyTorch and this engine in alternating fresh processes, `rounds` times each, 5 s apart: in
 * one long-lived process the engine measured up to 40 % slower right after a PyTorch run (the
 * CPU and memory state it leaves behind), and the machine's speed drifts over minutes. Prints
 * the per-round step medians and the median and range of the per-round ratios.
 */
function alternate(
    python: string,
    batch: number,
    steps: number,
    rounds: number,
    crop: number,
    ngf: number,
): void {
    const ours: number[] = [];
    const torch: number[] = [];
    const ratios: number[] = [];
    const pause = () => spawnSync('sleep', ['5']);
    for (let r = 0; r < rounds; r++) {
        const ref = pytorchRun(python, batch, steps, crop, ngf);
        pause();
        const args = [
            '--require',
            'tsx/cjs',
            __filename,
            '--batch',
            `${batch}`,
            '--steps',
            `${steps}`,
        ];
        const res = spawnSync(process.execPath, [...args, '--crop', `${crop}`, '--ngf', `${ngf}`], {
            encoding: 'utf8',
        });
        pause();
        const row = JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}') as { stepS?: number };
        if (typeof ref.stepS !== 'number' || typeof row.stepS !== 'number')
            throw new Error(`round ${r + 1}: ${JSON.stringify(ref.error ?? res.stderr)}`);
        torch.push(ref.stepS);
        ours.push(row.stepS);
        ratios.push(ref.stepS / row.stepS);
    }
    const f = (x: number) => +x.toFixed(2);
    console.log(
        JSON.stringify({
            batch,
            crop,
            ngf,
            alternatingRounds: rounds,
            stepSPerRound: ours,
            pytorchStepSPerRound: torch,
            speedupSameRun: f(median(ratios)),
            speedupSameRunRange: [f(Math.min(...ratios)), f(Math.max(...ratios))],
        }),
    );
}

/** `steps` timed iterations after `warmup`; appends to g, d, cpu; returns this round's median. */
async function timeSteps(
    t: SpadeTrainer,
    b: ReturnType<typeof syntheticBatch>,
    warmup: number,
    steps: number,
    g: number[],
    d: number[],
    cpu: number[],
): Promise<number> {
    const mine: number[] = [];
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
            mine.push((t2 - t0) / 1000);
        }
    }
    return median(mine);
}

main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
});
