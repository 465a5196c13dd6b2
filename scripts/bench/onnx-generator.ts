/**
 * Generator inference through onnxruntime-node: the plain export against the one-hot exports
 * ('taps' and 'patterns' lookups), and the engine's own tfjs generator ('tfjs': wasm backend,
 * eval mode, the same weights), optionally beside PyTorch, at the perf-baseline configs
 * (184 semantic channels, instance-norm SPADE, normal upsampling, random weights, batch 1).
 *
 *   npx tsx scripts/bench/onnx-generator.ts [--configs c,d] [--iters 15]
 *       [--variants plain,taps,patterns,tfjs] [--threads N] [--torch /usr/bin/python3]
 *       [--synthesize]   (also time GeneratorSession.synthesizeOne: mask in, RGB out)
 *
 * The input is a real COCO-Stuff validation mask with its instance map (shared/data) when
 * present, else random rectangles. The machine is shared and its speed drifts by several
 * times within a minute, so the variants run interleaved, one forward each per iteration,
 * and each ratio is the median of the per-iteration ratios (with the quartiles).
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { initBackend } from '../../server/src/engine/backend';
import { Rng as InitRng } from '../../server/src/engine/init';
import { SpadeGenerator } from '../../server/src/engine/nets/generator';
import { loadState } from '../../server/src/engine/state-io';
import { exportGenerator } from '../../server/src/engine/onnx/export';
import type {
    ExportDataset,
    ExportGenerator,
    ExportOptions,
} from '../../server/src/engine/onnx/export';
import type { LabelMap } from '../../server/src/engine/onnx/preprocess';
import { buildSemantics } from '../../server/src/engine/onnx/preprocess';
import { randomGeneratorState, Rng } from '../../server/src/engine/onnx/random-state';
import { GeneratorSession } from '../../server/src/engine/onnx/session';
import { sharedPath } from '../../test/support/shared';

const CONFIGS: Record<string, { crop: number; ngf: number }> = {
    // a 256x256 preview with a small model (issue 7's latency goal)
    p: { crop: 256, ngf: 16 },
    a: { crop: 256, ngf: 64 },
    b: { crop: 256, ngf: 32 },
    c: { crop: 128, ngf: 16 },
    d: { crop: 64, ngf: 16 },
};

const VARIANTS: Record<string, ExportOptions> = {
    plain: { mode: 'plain' },
    taps: { mode: 'onehot', lookup: 'taps' },
    patterns: { mode: 'onehot', lookup: 'patterns' },
    // patterns with gamma/beta as patterns at every size / only from 128x128 up
    'patterns-all': { mode: 'onehot', lookup: 'patterns', patternMinPixels: 0 },
    'patterns-16k': { mode: 'onehot', lookup: 'patterns', patternMinPixels: 16384 },
};

function arg(name: string, dflt: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const quantile = (a: number[], q: number) =>
    [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(q * a.length))];

async function readIds(file: string): Promise<LabelMap> {
    const { data, info } = await sharp(file)
        .extractChannel(0)
        .raw()
        .toBuffer({ resolveWithObject: true });
    return { ids: new Uint8Array(data), width: info.width, height: info.height };
}

/** A real mask (label, instance) or, without shared data, random rectangles. */
async function sampleMask(size: number): Promise<{ labels: LabelMap; instance?: LabelMap }> {
    const label = sharedPath('data', 'coco_stuff', 'val_label', '000000000139.png');
    const inst = sharedPath('data', 'coco_stuff', 'val_inst', '000000000139.png');
    if (label !== undefined && inst !== undefined) {
        return { labels: await readIds(label), instance: await readIds(inst) };
    }
    const rng = new Rng(3);
    const ids = new Uint8Array(size * size);
    for (let r = 0; r < 12; r++) {
        const [x0, y0] = [rng.uniform() * size, rng.uniform() * size].map(Math.floor);
        const [w, h] = [rng.uniform() * size, rng.uniform() * size].map((v) => 1 + (v >> 1));
        const v = Math.floor(rng.uniform() * 182);
        for (let y = y0; y < Math.min(size, y0 + h); y++) {
            ids.fill(v, y * size + x0, y * size + Math.min(size, x0 + w));
        }
    }
    return { labels: { ids, width: size, height: size } };
}

/** A PyTorch process answering `run` with the time of one forward. */
async function torchServer(python: string, crop: number, ngf: number, threads: number) {
    const script = path.join(__dirname, 'onnx-torch-ref.py');
    const args = [script, '--serve', '--crop', String(crop), '--ngf', String(ngf)];
    const child = spawn(python, [...args, '--threads', String(threads)], {
        env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: '1' },
        stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => String((await lines.next()).value ?? '');
    if ((await next()) !== 'ready') throw new Error('PyTorch reference did not start');
    return {
        run: async () => {
            child.stdin.write('run\n');
            return Number((await next()).slice(2));
        },
        rss: async () => {
            child.stdin.write('rss\n');
            return Number((await next()).slice(7));
        },
        close: () => child.stdin.end(),
    };
}

/** The engine's generator (wasm, eval mode) on the same weights and input: one forward. */
async function tfjsRunner(
    state: ReturnType<typeof randomGeneratorState>,
    gen: ExportGenerator,
    crop: number,
    sem: Float32Array,
): Promise<() => Promise<number>> {
    const report = await initBackend('cpu', { wasmThreads: 1 });
    console.log(`tfjs: backend ${report.active}, ${report.kernels ?? ''}`);
    const g = new SpadeGenerator(
        {
            ...gen,
            spectral: false,
            spadeHidden: 128,
            zDim: 256,
            initType: 'xavier',
            initVariance: 0.02,
        },
        { semanticNc: 184, cropSize: crop, aspectRatio: 1 },
        { type: 'xavier', gain: 0.02, rng: new InitRng(1) },
    );
    loadState(g.store, state);
    const seg = tf.tidy(() =>
        tf.transpose<tf.Tensor4D>(tf.tensor4d(sem, [1, 184, crop, crop]), [0, 2, 3, 1]),
    );
    const run = async () => {
        const t = performance.now();
        const y = tf.tidy(() => g.forward(seg));
        await y.data();
        y.dispose();
        return (performance.now() - t) / 1000;
    };
    await run();
    return run;
}

async function main(): Promise<void> {
    const configs = arg('configs', 'c,d').split(',');
    const iters = Number(arg('iters', '15'));
    const threads = Number(arg('threads', String(os.availableParallelism())));
    const python = arg('torch', '');
    const variants = arg('variants', 'plain,taps,patterns').split(',');
    const rows: string[] = [];
    for (const c of configs) {
        const { crop, ngf } = CONFIGS[c];
        const data: ExportDataset = {
            labelNc: 182,
            containDontcare: true,
            useInstance: true,
            cropSize: crop,
            aspectRatio: 1,
        };
        const gen: ExportGenerator = {
            arch: 'spade',
            ngf,
            upsampling: 'normal',
            paramFreeNorm: 'instance',
            spadeKernel: 3,
            useVae: false,
        };
        const state = randomGeneratorState(gen, data, 7);
        const mask = await sampleMask(crop);
        const sem = buildSemantics([mask.labels], data, crop, crop, [mask.instance]);
        const feed = { semantics: new ort.Tensor('float32', sem, [1, 184, crop, crop]) };
        const runners = new Map<string, () => Promise<number>>();
        const sessions: ort.InferenceSession[] = [];
        for (const v of variants) {
            if (v === 'tfjs') {
                runners.set(v, await tfjsRunner(state, gen, crop, sem));
                continue;
            }
            const { bytes } = exportGenerator(state, gen, data, VARIANTS[v]);
            const t0 = performance.now();
            const s = await ort.InferenceSession.create(bytes, {
                graphOptimizationLevel: 'all',
                executionMode: 'sequential',
                intraOpNumThreads: threads,
                interOpNumThreads: 1,
            });
            const made = ((performance.now() - t0) / 1000).toFixed(2);
            console.log(`${c} ${v}: ${(bytes.length / 2 ** 20).toFixed(0)} MiB, session ${made} s`);
            sessions.push(s);
            await s.run(feed);
            runners.set(v, async () => {
                const t = performance.now();
                await s.run(feed);
                return (performance.now() - t) / 1000;
            });
        }
        if (process.argv.includes('--synthesize')) {
            // The preview's path: mask in, RGB bytes out (preprocessing and tensor2im included).
            const gs = await GeneratorSession.load(exportGenerator(state, gen, data).bytes, {
                threads,
            });
            await gs.synthesizeOne({ labels: mask.labels, instance: mask.instance });
            runners.set('synthesizeOne', async () => {
                const t = performance.now();
                await gs.synthesizeOne({ labels: mask.labels, instance: mask.instance });
                return (performance.now() - t) / 1000;
            });
        }
        const torch = python ? await torchServer(python, crop, ngf, threads) : undefined;
        if (torch) runners.set('torch', torch.run);
        const times = new Map<string, number[]>();
        for (let i = 0; i < iters; i++) {
            for (const [v, run] of runners) times.set(v, [...(times.get(v) ?? []), await run()]);
        }
        const ratio = (base: string, v: string) => {
            const b = times.get(base);
            if (b === undefined) return '-';
            const r = times.get(v)!.map((t, i) => b[i] / t);
            const f = (x: number) => x.toFixed(2);
            return `${f(quantile(r, 0.5))}x [${f(quantile(r, 0.25))}-${f(quantile(r, 0.75))}]`;
        };
        for (const v of runners.keys()) {
            const med = quantile(times.get(v)!, 0.5);
            const best = Math.min(...times.get(v)!);
            rows.push(
                `| ${c} | ${v} | ${med.toFixed(3)} | ${best.toFixed(3)} | ${(1 / med).toFixed(2)} ` +
                    `| ${ratio('plain', v)} | ${ratio('torch', v)} |`,
            );
        }
        if (torch) {
            console.log(`${c} torch peak RSS ${((await torch.rss()) / 1024).toFixed(0)} MB`);
            torch.close();
        }
        for (const s of sessions) await s.release();
    }
    console.log(
        '\n| config | variant | median s | best s | img/s | speed vs plain | speed vs PyTorch |',
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    const rss = (process.resourceUsage().maxRSS / 1024).toFixed(0);
    console.log(`\npeak RSS of this process (every session above): ${rss} MB`);
    console.log(
        `threads ${threads}, ${iters} interleaved iterations, ${os.cpus()[0]?.model ?? 'cpu'} ` +
            `x${os.cpus().length}, node ${process.version}, onnxruntime-node ${ort.env.versions.common}`,
    );
}

main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
