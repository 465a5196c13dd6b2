import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointStore } from '../../server/src/jobs/checkpoints';
import { RunFolder } from '../../server/src/jobs/run-folder';
import { scratch, tinyOptions } from './fixtures/options';
import { assertSameCheckpoint, checkpointBytes, errorOf, runInProcess } from './helpers';

describe('training job loop (in process, test trainer)', () => {
    let tmp: ReturnType<typeof scratch>;
    beforeEach(() => (tmp = scratch('loop')));
    afterEach(() => tmp.cleanup());

    it('runs the whole schedule, writing metrics, samples, checkpoints and a finished status', async () => {
        const opts = tinyOptions(path.join(tmp.dir, 'run'));
        const { done, events } = await runInProcess(opts, 'fresh');
        assert.equal(done.reason, 'finished');
        assert.equal(done.step, 30); // 10 samples / batch 2 = 5 steps x 6 epochs
        const folder = new RunFolder(opts.outDir);
        const { records } = folder.readMetrics();
        assert.deepEqual(
            records.map((r) => r.step),
            Array.from({ length: 30 }, (_, i) => i + 1),
        );
        assert.ok(records.every((r) => Object.values(r.losses).every(Number.isFinite)));
        assert.ok(fs.existsSync(folder.sampleFile(10)) && fs.existsSync(folder.sampleFile(30)));
        assert.equal(folder.readStatus()?.state, 'finished');
        const store = new CheckpointStore(opts.outDir, opts.keepCheckpoints);
        assert.deepEqual(
            store.list().map((c) => c.step),
            [20, 25, 30],
        );
        assert.equal(store.latest()?.step, 30);
        assert.equal(events.filter((e) => e.type === 'checkpoint').length, 6);
        assert.deepEqual(folder.readOptions(), opts);
        const leftovers = (dir: string) =>
            fs.readdirSync(dir).filter((n) => /\.(tmp|partial)-/.test(n));
        assert.deepEqual([...leftovers(opts.outDir), ...leftovers(store.dir)], []);
    });

    it('stops with a checkpoint when a stop-request file appears (a reattached stop without IPC)', async () => {
        const opts = tinyOptions(path.join(tmp.dir, 'file-stop'));
        const folder = new RunFolder(opts.outDir);
        const { done } = await runInProcess(opts, 'fresh', {}, { requested: false }, (e) => {
            if (e.type === 'metrics' && e.step === 3) fs.writeFileSync(folder.stopFile, 'x');
        });
        assert.equal(done.reason, 'stopped');
        assert.equal(done.step, 3);
        assert.equal(new CheckpointStore(opts.outDir, 3).latest()?.step, 3);
        assert.ok(!fs.existsSync(folder.stopFile), 'the request is consumed');
    });

    it('stopped at step N and resumed gives at step M the same state as an uninterrupted run', async () => {
        const a = tinyOptions(path.join(tmp.dir, 'straight'));
        await runInProcess(a, 'fresh', { maxSteps: 23 });
        const b = tinyOptions(path.join(tmp.dir, 'resumed'));
        // Stop mid-epoch (step 7 of 5-step epochs), off the save grid, then resume.
        const stop = { requested: false };
        const first = await runInProcess(b, 'fresh', {}, stop, (e, s) => {
            if (e.type === 'metrics' && e.step === 7) s.requested = true;
        });
        assert.equal(first.done.reason, 'stopped');
        assert.equal(first.done.step, 7);
        const second = await runInProcess(b, 'resume', { maxSteps: 23 });
        const started = second.events.find((e) => e.type === 'started');
        assert.deepEqual(started && 'resumedFrom' in started && started.resumedFrom, {
            step: 7,
            mode: 'exact',
        });
        assert.equal(second.done.step, 23);
        const ca = new CheckpointStore(a.outDir, 3).latest()!;
        const cb = new CheckpointStore(b.outDir, 3).latest()!;
        assert.equal(cb.step, 23);
        assertSameCheckpoint(ca.dir, cb.dir);
        // The metrics log reads as one run: no step twice, none missing.
        const steps = new RunFolder(b.outDir).readMetrics().records.map((r) => r.step);
        assert.deepEqual(
            steps,
            Array.from({ length: 23 }, (_, i) => i + 1),
        );
    });

    it('reference resume restores weights and epoch only, so it differs from exact resume', async () => {
        const exact = tinyOptions(path.join(tmp.dir, 'exact'));
        const ref = tinyOptions(path.join(tmp.dir, 'ref'), (o) => (o.referenceResume = true));
        for (const o of [exact, ref]) {
            await runInProcess(o, 'fresh', { maxSteps: 10 });
            await runInProcess(o, 'resume', { maxSteps: 20 });
        }
        const refLog = new RunFolder(ref.outDir).readMetrics().records;
        const exactLog = new RunFolder(exact.outDir).readMetrics().records;
        // Epoch 3 (steps 11-15) is within niter for both: identical rates.
        assert.deepEqual(refLog[12].lrs, exactLog[12].lrs);
        assert.notDeepEqual(
            refLog[12].losses,
            exactLog[12].losses,
            'fresh Adam/RNG must change the path',
        );
        const a = checkpointBytes(new CheckpointStore(exact.outDir, 3).latest()!.dir);
        const b = checkpointBytes(new CheckpointStore(ref.outDir, 3).latest()!.dir);
        assert.ok(!a.get('G/W1')!.equals(b.get('G/W1')!));
    });

    it('stops on a NaN loss naming the step and the loss, keeping the last good checkpoint', async () => {
        const opts = tinyOptions(path.join(tmp.dir, 'nan'));
        process.env.LINEAR_TRAINER_NAN_AT_STEP = '13';
        try {
            const { done, events } = await runInProcess(opts, 'fresh');
            assert.equal(done.reason, 'failed');
            const err = errorOf(events)!;
            assert.equal(err.code, 'non-finite-loss');
            assert.match(err.message, /Loss G_GAN became NaN at step 13 \(epoch 3\)/);
            assert.match(err.message, /step-00000010/);
            const store = new CheckpointStore(opts.outDir, 3);
            assert.equal(store.latest()?.step, 10);
            assert.equal(new RunFolder(opts.outDir).readStatus()?.state, 'failed');
            // No metrics line for the bad step.
            const steps = new RunFolder(opts.outDir).readMetrics().records.map((r) => r.step);
            assert.equal(Math.max(...steps), 12);
        } finally {
            delete process.env.LINEAR_TRAINER_NAN_AT_STEP;
        }
    });

    it('refuses a resume after a shape-changing config change, naming the option and both values', async () => {
        const opts = tinyOptions(path.join(tmp.dir, 'cfg'));
        await runInProcess(opts, 'fresh', { maxSteps: 5 });
        const changed = tinyOptions(opts.outDir, (o) => (o.generator.ngf = 8));
        const { done, events } = await runInProcess(changed, 'resume');
        assert.equal(done.reason, 'failed');
        const err = errorOf(events)!;
        assert.equal(err.code, 'config-changed');
        assert.match(err.message, /`ngf` in the generator block \[generator\.ngf\] was 5, now 8/);
        assert.doesNotMatch(err.message, /shape \[/);
    });

    it('resumes after a change that keeps shapes, logging what changed', async () => {
        const opts = tinyOptions(path.join(tmp.dir, 'soft'));
        await runInProcess(opts, 'fresh', { maxSteps: 5 });
        const changed = tinyOptions(opts.outDir, (o) => (o.optim.lr = 0.005));
        const { done, events } = await runInProcess(changed, 'resume', { maxSteps: 8 });
        assert.equal(done.step, 8);
        const warn = events.find((e) => e.type === 'log' && e.level === 'warn');
        assert.match(
            warn && 'message' in warn ? warn.message : '',
            /`lr` in the train.s optimizer block 0\.01 -> 0\.005/,
        );
    });

    it('refuses to start fresh over existing checkpoints and to resume with none', async () => {
        const opts = tinyOptions(path.join(tmp.dir, 'guard'));
        const none = await runInProcess(opts, 'resume');
        assert.equal(errorOf(none.events)?.code, 'no-checkpoint');
        await runInProcess(opts, 'fresh', { maxSteps: 5 });
        const again = await runInProcess(opts, 'fresh');
        assert.equal(errorOf(again.events)?.code, 'run-exists');
        assert.match(errorOf(again.events)!.message, /checkpoints up to step 5/);
        assert.equal(
            new CheckpointStore(opts.outDir, 3).latest()?.step,
            5,
            'the old run is untouched',
        );
    });

    it("reports an epoch's last step in that epoch, in progress, status, checkpoint and done alike", async () => {
        // 5 steps per epoch; status.json is read back when the step-5 checkpoint is announced.
        const opts = tinyOptions(path.join(tmp.dir, 'epoch'));
        const folder = new RunFolder(opts.outDir);
        const statusAt: { step: number; epoch: number }[] = [];
        const { done, events } = await runInProcess(
            opts,
            'fresh',
            { maxSteps: 5 },
            undefined,
            (e) => {
                if (e.type === 'checkpoint') {
                    const st = folder.readStatus();
                    if (st) statusAt.push({ step: st.step, epoch: st.epoch });
                }
            },
        );
        const progress = events.filter((e) => e.type === 'progress');
        const last = progress[progress.length - 1];
        assert.equal(last.step, 5);
        assert.equal(last.epoch, 1, 'step 5/5 of epoch 1 is not epoch 2');
        assert.ok(progress.every((p) => p.epoch <= 1));
        assert.deepEqual(statusAt[statusAt.length - 1], { step: 5, epoch: 1 });
        const ck = events.find((e) => e.type === 'checkpoint' && e.step === 5);
        assert.equal(ck?.type === 'checkpoint' && ck.epoch, 1);
        assert.equal(done.epoch, 1);
        assert.equal(folder.readStatus()?.epoch, 1, 'the final status agrees');
    });
});
