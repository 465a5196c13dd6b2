/**
 * Adapter from the engine (SpadeTrainer, engine/trainer.ts) and the data pipeline
 * (DataLoader) to the worker's Trainer interface. Batch (epoch, step) is a pure function of
 * the files, options and seed in the loader, so exact resume needs no data RNG state; the
 * VAE noise is seeded by the engine's step counter, which the checkpoint keeps.
 */
import { builtinPalette, DataLoader, type Batch } from '../data';
import type { RunOptions } from '../engine/options';
import {
    createTrainer as createEngine,
    type EngineState,
    type SpadeTrainer,
} from '../engine/trainer';
import type { StateDict } from '../engine/state';
import type { ResumeMode } from '../protocol/worker';
import type {
    NamedTensor,
    SampleGrid,
    StepContext,
    Trainer,
    TrainerEnv,
    TrainerState,
} from './trainer';

/** Samples shown in the dashboard grid. */
const GRID_ROWS = 4;

function toGroup(s: StateDict): Record<string, NamedTensor> {
    const out: Record<string, NamedTensor> = {};
    for (const [k, v] of s) out[k] = { shape: v.shape, data: v.data };
    return out;
}

function fromGroup(g: Record<string, NamedTensor> | undefined): StateDict {
    return new Map(Object.entries(g ?? {}).map(([k, v]) => [k, { shape: v.shape, data: v.data }]));
}

class EngineTrainer implements Trainer {
    readonly stepsPerEpoch: number;
    private next?: { key: string; batch: Promise<Batch> };
    private gridBatch?: Promise<Batch>;

    constructor(
        private readonly opts: RunOptions,
        private readonly engine: SpadeTrainer,
        private readonly data: DataLoader,
        readonly backend: string,
    ) {
        this.stepsPerEpoch = data.stepsPerEpoch;
    }

    async step(ctx: StepContext): Promise<{ losses: Record<string, number> }> {
        const batch = await this.batch(ctx.epoch, ctx.epochStep);
        this.engine.optG.lr = ctx.lrs.G;
        this.engine.optD.lr = ctx.lrs.D;
        const losses = await this.engine.trainStep(batch);
        // Decode the next batch while the caller writes metrics and checkpoints.
        const after =
            ctx.epochStep + 1 < this.stepsPerEpoch
                ? [ctx.epoch, ctx.epochStep + 1]
                : [ctx.epoch + 1, 0];
        this.prefetch(after[0], after[1]);
        return { losses };
    }

    async sample(): Promise<SampleGrid> {
        this.gridBatch ??= this.data.loadBatch(1, 0);
        const b = await this.gridBatch;
        const n = Math.min(GRID_ROWS, b.size);
        const plane = b.width * b.height;
        const fake = this.engine.synthesize({
            size: n,
            height: b.height,
            width: b.width,
            channels: b.channels,
            semantics: b.semantics.subarray(0, n * b.channels * plane),
        });
        const w = b.width * 3;
        const rgb = new Uint8Array(w * b.height * n * 3);
        const colours = labelColours(this.data.palette ?? builtinPalette(this.opts.dataset.mode));
        const toByte = (v: number) => Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
        for (let i = 0; i < n; i++) {
            for (let y = 0; y < b.height; y++) {
                for (let x = 0; x < b.width; x++) {
                    const p = y * b.width + x;
                    const row = (i * b.height + y) * w;
                    const id = b.label[i * plane + p];
                    const c = colours.get(id) ?? [
                        (id * 37) & 255,
                        (id * 91) & 255,
                        (id * 53) & 255,
                    ];
                    for (let ch = 0; ch < 3; ch++) {
                        rgb[(row + x) * 3 + ch] = c[ch];
                        rgb[(row + b.width + x) * 3 + ch] = toByte(fake[(i * 3 + ch) * plane + p]);
                        rgb[(row + 2 * b.width + x) * 3 + ch] = toByte(
                            b.image[(i * 3 + ch) * plane + p],
                        );
                    }
                }
            }
        }
        return { width: w, height: b.height * n, rgb };
    }

    state(): Promise<TrainerState> {
        const st = this.engine.state();
        const groups: TrainerState['groups'] = {
            G: toGroup(st.G),
            D: toGroup(st.D),
            optimizer_G: toGroup(st.optimizer_G),
            optimizer_D: toGroup(st.optimizer_D),
        };
        if (st.E) groups.E = toGroup(st.E);
        return Promise.resolve({ groups, json: { engineStep: st.step } });
    }

    loadState(s: TrainerState, mode: ResumeMode): Promise<void> {
        const st: EngineState = {
            G: fromGroup(s.groups.G),
            D: fromGroup(s.groups.D),
            optimizer_G: fromGroup(s.groups.optimizer_G),
            optimizer_D: fromGroup(s.groups.optimizer_D),
            step: Number(s.json.engineStep ?? 0),
        };
        if (s.groups.E) st.E = fromGroup(s.groups.E);
        this.engine.loadState(st, mode === 'reference');
        return Promise.resolve();
    }

    dispose(): void {
        this.engine.dispose();
    }

    private batch(epoch: number, step: number): Promise<Batch> {
        const key = `${epoch}:${step}`;
        const hit = this.next?.key === key ? this.next.batch : this.data.loadBatch(epoch, step);
        this.next = undefined;
        return hit;
    }

    private prefetch(epoch: number, step: number): void {
        const batch = this.data.loadBatch(epoch, step);
        batch.catch(() => undefined); // reported when the step awaits it
        this.next = { key: `${epoch}:${step}`, batch };
    }
}

function labelColours(p?: {
    entries: Array<[number, number, number, number]>;
}): Map<number, number[]> {
    return new Map((p?.entries ?? []).map(([id, r, g, b]) => [id, [r, g, b]]));
}

export async function createTrainer(opts: RunOptions, env: TrainerEnv): Promise<Trainer> {
    const data = DataLoader.open(opts.dataset, {
        seed: opts.seed,
        batchSize: opts.batchSize,
        train: true,
        onIssue: (i) => env.log(i.severity === 'error' ? 'warn' : 'info', i.message),
    });
    const engine = await createEngine(opts);
    const r = engine.backend;
    const threads = r?.threads ? `, ${r.threads} thread${r.threads === 1 ? '' : 's'}` : '';
    const kernels = r?.kernels?.startsWith('matMul')
        ? ', matrix kernels on onnxruntime'
        : r?.kernels
          ? `, matrix kernels ${r.kernels}`
          : '';
    const backend = r ? `${r.chosen} (tfjs '${r.active}'${threads}${kernels})` : 'tfjs';
    env.log('info', `Dataset: ${data.size} samples, ${data.stepsPerEpoch} steps per epoch.`);
    return new EngineTrainer(opts, engine, data, backend);
}
