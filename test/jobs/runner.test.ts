import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointStore } from '../../server/src/jobs/checkpoints';
import type { Job } from '../../server/src/jobs/job';
import { RunFolder } from '../../server/src/jobs/run-folder';
import { JobRunner, JobStartError } from '../../server/src/jobs/runner';
import type { WorkerEvent } from '../../server/src/protocol/worker';
import { isProcessAlive } from '../../server/src/util/atomic';
import { linearTrainerModule, scratch, tinyOptions } from './fixtures/options';
import { assertSameCheckpoint } from './helpers';

/** Resolves with the first event matching `pred` (rejects if the job ends first). */
function waitFor(job: Job, pred: (e: WorkerEvent) => boolean): Promise<WorkerEvent> {
    return new Promise((resolve, reject) => {
        const off = job.onEvent((e) => {
            if (pred(e)) {
                off();
                resolve(e);
            } else if (e.type === 'done') {
                off();
                reject(new Error(`job ended (${e.reason}) before the awaited event`));
            }
        });
    });
}

describe('job runner (worker processes through tsx)', function () {
    this.timeout(60000);
    let tmp: ReturnType<typeof scratch>;
    const started: Job[] = [];
    const runner = (env: NodeJS.ProcessEnv = {}, indexFile?: string) =>
        new JobRunner({
            env: { SPADE_TRAINER_MODULE: linearTrainerModule, ...env },
            indexFile,
            pollMs: 100,
        });
    const start = (r: JobRunner, ...a: Parameters<JobRunner['start']>) => {
        const j = r.start(...a);
        started.push(j);
        return j;
    };

    beforeEach(() => (tmp = scratch('runner')));
    afterEach(async () => {
        // Leak check: every worker a test started has exited.
        for (const j of started.splice(0)) {
            j.kill();
            await j.finished;
            await j.exited;
            assert.ok(!isProcessAlive(j.pid), `worker ${j.pid} still alive`);
        }
        tmp.cleanup();
    });

    it('runs a job in a child process and reports started, metrics, checkpoints and done', async () => {
        const opts = tinyOptions(path.join(tmp.dir, 'run'));
        const job = start(runner(), {
            runDir: opts.outDir,
            options: opts,
            mode: 'fresh',
            configText: 'train t {}',
        });
        const events: WorkerEvent[] = [];
        job.onEvent((e) => events.push(e));
        const done = await job.finished;
        assert.equal(done.reason, 'finished');
        assert.notEqual(job.pid, process.pid);
        const startedEv = events.find((e) => e.type === 'started');
        assert.equal(startedEv && 'pid' in startedEv && startedEv.pid, job.pid);
        assert.equal(events.filter((e) => e.type === 'metrics').length, 30);
        assert.ok(events.some((e) => e.type === 'sample'));
        assert.equal(fs.readFileSync(path.join(opts.outDir, 'config.spade'), 'utf8'), 'train t {}');
        assert.equal(new RunFolder(opts.outDir).readJob()?.pid, job.pid);
    });

    it('stops gracefully on request, saving a checkpoint at the current step', async () => {
        const opts = tinyOptions(path.join(tmp.dir, 'stop'), (o) => (o.saveEverySteps = 100));
        const job = start(runner({ LINEAR_TRAINER_STEP_MS: '20' }), {
            runDir: opts.outDir,
            options: opts,
            mode: 'fresh',
        });
        await waitFor(job, (e) => e.type === 'metrics' && e.step >= 3);
        job.stop();
        const done = await job.finished;
        assert.equal(done.reason, 'stopped');
        assert.ok(done.step >= 3 && done.step < 30);
        assert.equal(new CheckpointStore(opts.outDir, 3).latest()?.step, done.step);
    });

    it('a worker killed with SIGKILL mid-save leaves the previous checkpoint intact, and resume is exact', async () => {
        const straight = tinyOptions(path.join(tmp.dir, 'straight'));
        const a = start(runner(), {
            runDir: straight.outDir,
            options: straight,
            mode: 'fresh',
            maxSteps: 20,
        });
        await a.finished;

        const opts = tinyOptions(path.join(tmp.dir, 'killed'));
        const job = start(runner(), {
            runDir: opts.outDir,
            options: opts,
            mode: 'fresh',
            testHooks: { slowSaveMs: 30000, slowSaveFromStep: 10 },
        });
        await waitFor(
            job,
            (e) =>
                e.type === 'log' && /test hook: pausing checkpoint save at step 10/.test(e.message),
        );
        const ckDir = path.join(opts.outDir, 'checkpoints');
        const partial = fs.readdirSync(ckDir).filter((n) => n.includes('.partial-'));
        assert.equal(partial.length, 1, 'the save is in progress in a temporary folder');
        assert.ok(
            fs.readdirSync(path.join(ckDir, partial[0])).length > 0,
            'some files already written',
        );
        // Killed from outside (not job.kill(), which is the user's stop): a crash.
        process.kill(job.pid, 'SIGKILL');
        const done = await job.finished;
        assert.equal(done.reason, 'failed');
        const store = new CheckpointStore(opts.outDir, 3);
        assert.deepEqual(
            store.list().map((c) => c.step),
            [5],
        );
        assert.equal(store.latest()?.step, 5);
        assert.equal(new RunFolder(opts.outDir).readStatus()?.state, 'failed');

        const resumed = start(runner(), {
            runDir: opts.outDir,
            options: opts,
            mode: 'resume',
            maxSteps: 20,
        });
        assert.equal((await resumed.finished).step, 20);
        assert.ok(
            !fs.readdirSync(ckDir).some((n) => n.includes('.partial-')),
            'the torn save was cleaned up',
        );
        assertSameCheckpoint(
            new CheckpointStore(straight.outDir, 3).latest()!.dir,
            store.latest()!.dir,
        );
    });

    it('reports a worker crash with its message and marks the run folder failed', async () => {
        const opts = tinyOptions(path.join(tmp.dir, 'crash'));
        const job = start(runner({ LINEAR_TRAINER_CRASH_AT_STEP: '7' }), {
            runDir: opts.outDir,
            options: opts,
            mode: 'fresh',
        });
        const errors: string[] = [];
        job.onEvent((e) => e.type === 'error' && errors.push(e.message));
        const done = await job.finished;
        assert.equal(done.reason, 'failed');
        assert.equal(errors.length, 1, 'reported once');
        assert.match(
            errors[0],
            /^The training worker crashed: boom\. This is a bug; the last checkpoint is intact/,
        );
        assert.match(
            fs.readFileSync(path.join(opts.outDir, 'worker.log'), 'utf8'),
            /error Error: boom\n +at /,
        );
        const st = new RunFolder(opts.outDir).readStatus();
        assert.equal(st?.state, 'failed');
        assert.equal(
            new CheckpointStore(opts.outDir, 3).latest()?.step,
            5,
            'the last checkpoint stays',
        );
    });

    it('finds a running job again after the runner goes away (window reload) and follows it to the end', async () => {
        const index = path.join(tmp.dir, 'jobs.json');
        const opts = tinyOptions(path.join(tmp.dir, 'reload'));
        const first = runner({ LINEAR_TRAINER_STEP_MS: '40' }, index);
        const job = start(first, { runDir: opts.outDir, options: opts, mode: 'fresh' });
        await waitFor(job, (e) => e.type === 'metrics' && e.step >= 2);
        first.dispose();
        started.splice(started.indexOf(job), 1); // followed below through its reattached twin
        assert.ok(isProcessAlive(job.pid), 'the worker outlives its runner');

        const second = runner({}, index);
        const found = second.reattach();
        assert.equal(found.length, 1);
        const again = found[0];
        started.push(again);
        assert.equal(again.id, job.id);
        assert.equal(again.pid, job.pid);
        assert.ok(again.reattached);
        const steps: number[] = [];
        again.onEvent((e) => e.type === 'metrics' && steps.push(e.step));
        assert.throws(
            () => second.start({ runDir: opts.outDir, options: opts, mode: 'resume' }),
            (e: unknown) => e instanceof JobStartError && e.code === 'run-busy',
        );
        const done = await again.finished;
        assert.equal(done.reason, 'finished');
        assert.equal(steps[steps.length - 1], 30);
        assert.deepEqual(second.reattach(), [], 'a finished job is not reattached');
    });

    it('stops a reattached job without IPC (stop request), which still saves a checkpoint', async () => {
        const index = path.join(tmp.dir, 'jobs.json');
        const opts = tinyOptions(path.join(tmp.dir, 'sig'), (o) => (o.saveEverySteps = 100));
        const first = runner({ LINEAR_TRAINER_STEP_MS: '40' }, index);
        const job = start(first, { runDir: opts.outDir, options: opts, mode: 'fresh' });
        await waitFor(job, (e) => e.type === 'metrics' && e.step >= 2);
        first.dispose();
        started.splice(started.indexOf(job), 1); // followed below through its reattached twin
        const [again] = runner({}, index).reattach();
        started.push(again);
        again.stop();
        const done = await again.finished;
        assert.equal(done.reason, 'stopped');
        assert.equal(new CheckpointStore(opts.outDir, 3).latest()?.step, done.step);
    });
});
