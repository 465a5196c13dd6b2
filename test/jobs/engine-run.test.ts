/**
 * The worker loop over the real engine and data pipeline, at tiny size on the shared
 * COCO-Stuff samples: a short run, exact resume, no tensor leak per step, and overfitting two
 * images (a test that fails when training does not train).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as esbuild from 'esbuild';
import { CheckpointStore } from '../../server/src/jobs/checkpoints';
import { createTrainer } from '../../server/src/jobs/engine-trainer';
import { RunFolder } from '../../server/src/jobs/run-folder';
import { JobRunner } from '../../server/src/jobs/runner';
import { learningRates } from '../../server/src/jobs/schedule';
import type { SampleGrid, Trainer } from '../../server/src/jobs/trainer';
import { runJob } from '../../server/src/jobs/worker-loop';
import type { RunOptions } from '../../server/src/engine/options';
import type { StartMode, WorkerEvent } from '../../server/src/protocol/worker';
import { requireShared } from '../support/shared';
import { scratch, tinyCoco } from './fixtures/options';
import { assertSameCheckpoint } from './helpers';

const quiet = { log: () => undefined };
const repoRoot = path.resolve(__dirname, '..', '..');

async function run(opts: RunOptions, mode: StartMode, maxSteps?: number) {
    const events: WorkerEvent[] = [];
    const start = {
        type: 'start' as const,
        jobId: 'e',
        runDir: opts.outDir,
        options: opts,
        mode,
        maxSteps,
    };
    const done = await runJob(start, createTrainer, (e) => events.push(e), { requested: false });
    return { done, events };
}

/** Mean |synthesized - real| over the grid, in [-1, 1] units. */
function l1(g: SampleGrid): number {
    const pw = g.width / 3;
    let sum = 0;
    for (let y = 0; y < g.height; y++) {
        for (let x = 0; x < pw; x++) {
            for (let c = 0; c < 3; c++) {
                const fake = g.rgb[(y * g.width + pw + x) * 3 + c];
                const real = g.rgb[(y * g.width + 2 * pw + x) * 3 + c];
                sum += Math.abs(fake - real);
            }
        }
    }
    return sum / (pw * g.height * 3) / 127.5;
}

describe('training on the real engine (tiny COCO-Stuff)', function () {
    this.timeout(180000);
    let tmp: ReturnType<typeof scratch>;
    let root: string;
    beforeEach(function () {
        root = requireShared(this, 'data', 'coco_stuff');
        tmp = scratch('engine');
    });
    afterEach(() => tmp?.cleanup());

    it('runs a short job: finite losses, a loadable checkpoint and sample grids', async () => {
        const opts = tinyCoco(path.join(tmp.dir, 'short'), root);
        const { done, events } = await run(opts, 'fresh');
        assert.equal(
            done.reason,
            'finished',
            JSON.stringify(events.filter((e) => e.type === 'error')),
        );
        const records = new RunFolder(opts.outDir).readMetrics().records;
        assert.equal(records.length, 4);
        for (const r of records) {
            for (const k of ['G_GAN', 'G_GAN_Feat', 'D_Fake', 'D_real']) {
                assert.ok(Number.isFinite(r.losses[k]), `${k} at step ${r.step}: ${r.losses[k]}`);
            }
        }
        const png = fs.readFileSync(new RunFolder(opts.outDir).sampleFile(4));
        assert.equal(png.toString('ascii', 1, 4), 'PNG');
        assert.equal(png.readUInt32BE(16), 96, 'label | synthesized | real, 32 px each');
        const ck = new CheckpointStore(opts.outDir, 3);
        const { state } = ck.load(ck.latest()!.dir);
        assert.deepEqual(Object.keys(state.groups).sort(), [
            'D',
            'G',
            'optimizer_D',
            'optimizer_G',
        ]);
        const fresh = await createTrainer(opts, quiet);
        try {
            await fresh.loadState(state, 'exact');
            const back = await fresh.state();
            for (const [name, t] of Object.entries(state.groups.G)) {
                assert.deepEqual(back.groups.G[name].data, t.data, `G ${name} round-trips`);
            }
        } finally {
            fresh.dispose();
        }
    });

    it('stopped and resumed gives the same weights as an uninterrupted run', async () => {
        const straight = tinyCoco(path.join(tmp.dir, 'straight'), root);
        await run(straight, 'fresh');
        const resumed = tinyCoco(
            path.join(tmp.dir, 'resumed'),
            root,
            (o) => (o.saveEverySteps = 100),
        );
        assert.equal((await run(resumed, 'fresh', 1)).done.step, 1);
        assert.equal((await run(resumed, 'resume')).done.step, 4);
        assertSameCheckpoint(
            new CheckpointStore(straight.outDir, 3).latest()!.dir,
            new CheckpointStore(resumed.outDir, 3).latest()!.dir,
        );
    });

    it('keeps the number of live tensors constant from step to step', async () => {
        const opts = tinyCoco(path.join(tmp.dir, 'leak'), root);
        const t: Trainer = await createTrainer(opts, quiet);
        try {
            const counts: number[] = [];
            for (let s = 0; s < 5; s++) {
                const epoch = Math.floor(s / 2) + 1;
                await t.step({ step: s, epoch, epochStep: s % 2, lrs: learningRates(opts, epoch) });
                await t.sample();
                counts.push(tf.memory().numTensors);
            }
            assert.equal(counts[4], counts[1], `live tensors per step: ${counts.join(', ')}`);
        } finally {
            t.dispose();
        }
    });

    it('the bundled worker (as scripts/build.mjs builds it) trains in its own process', async () => {
        // Inside the repository so the external packages resolve from node_modules.
        const outfile = path.join(repoRoot, '.test-output', 'jobs', 'worker.js');
        await esbuild.build({
            entryPoints: [path.join(repoRoot, 'server/src/jobs/worker-main.ts')],
            outfile,
            bundle: true,
            platform: 'node',
            target: 'node20',
            format: 'cjs',
            logLevel: 'silent',
            external: ['sharp', 'onnxruntime-node', '@tensorflow/*'],
        });
        const opts = tinyCoco(path.join(tmp.dir, 'bundled'), root);
        const job = new JobRunner({ workerPath: outfile, execArgv: [] }).start({
            runDir: opts.outDir,
            options: opts,
            mode: 'fresh',
            maxSteps: 2,
        });
        const started: WorkerEvent[] = [];
        job.onEvent((e) => e.type === 'started' && started.push(e));
        const done = await job.finished;
        await job.exited;
        assert.equal(
            done.reason,
            'stopped',
            fs.readFileSync(path.join(opts.outDir, 'worker.log'), 'utf8'),
        );
        assert.equal(done.step, 2);
        assert.match(JSON.stringify(started), /"backend":"(wasm|tensorflow|cpu)/);
        assert.equal(new CheckpointStore(opts.outDir, 3).latest()?.step, 2);
    });

    it('overfitting two images for 12 steps lowers the L1 distance to the real images by over 20%', async () => {
        const opts = tinyCoco(path.join(tmp.dir, 'overfit'), root, (o) => {
            o.dataset.loadSize = 32; // no random crop and no flip: the same two images every step
            o.dataset.flip = false;
            o.batchSize = 2;
            o.optim.lr = 0.002;
            o.optim.niter = 100;
        });
        const t = await createTrainer(opts, quiet);
        try {
            const before = l1(await t.sample());
            for (let s = 0; s < 12; s++) {
                await t.step({
                    step: s,
                    epoch: s + 1,
                    epochStep: 0,
                    lrs: learningRates(opts, s + 1),
                });
            }
            const after = l1(await t.sample());
            assert.ok(after < 0.8 * before, `L1 ${before.toFixed(3)} -> ${after.toFixed(3)}`);
        } finally {
            t.dispose();
        }
    });
});

describe('training on the real engine: bad data', () => {
    it('stops before training when the dataset has no usable sample, naming the folder', async () => {
        const tmp = scratch('nodata');
        try {
            const labels = path.join(tmp.dir, 'labels');
            fs.mkdirSync(labels);
            fs.mkdirSync(path.join(tmp.dir, 'images'));
            const opts = tinyCoco(path.join(tmp.dir, 'run'), tmp.dir, (o) => {
                o.dataset.mode = 'custom';
                o.dataset.labelDir = labels;
                o.dataset.imageDir = path.join(tmp.dir, 'images');
            });
            const { done, events } = await run(opts, 'fresh');
            assert.equal(done.reason, 'failed');
            const err = events.find((e) => e.type === 'error');
            assert.ok(err && err.type === 'error');
            assert.equal(err.code, 'io');
            assert.ok(err.message.includes(labels), err.message);
        } finally {
            tmp.cleanup();
        }
    });
});
