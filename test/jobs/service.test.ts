import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { JobRequestError, JobService } from '../../server/src/jobs/service';
import type { JobEventParams } from '../../server/src/protocol/worker';
import { JobTracker } from '../../client/src/jobs/tracker';
import { linearTrainerModule, scratch } from './fixtures/options';

const CONFIG = `dataset tiny {
    mode      = custom
    label_dir = "data/labels"
    image_dir = "data/images"
    classes   = 4
    dontcare  = off
    instances = off
    preprocess { mode = resize_and_crop  load = 64  crop = 64 }
}
generator g { ngf = 4 }
discriminator d { scales = 1 }
train first {
    data = tiny   generator = g   discriminator = d
    batch = 2   epochs = 2
    checkpoints { every = 3  keep = 2  samples_every = 4 }
}
train second {
    data = tiny   generator = g   discriminator = d
    out = "elsewhere/second"
}
`;

describe('job service (editor requests) and the editor-side tracker', function () {
    this.timeout(60000);
    let tmp: ReturnType<typeof scratch>;
    let uri: string;
    let events: JobEventParams[];
    let open: string | undefined;
    let service: JobService;

    beforeEach(() => {
        tmp = scratch('service');
        fs.mkdirSync(path.join(tmp.dir, 'data', 'labels'), { recursive: true });
        fs.mkdirSync(path.join(tmp.dir, 'data', 'images'), { recursive: true });
        const file = path.join(tmp.dir, 'c.spade');
        fs.writeFileSync(file, CONFIG);
        uri = pathToFileURL(file).toString();
        events = [];
        open = undefined;
        service = new JobService({
            documentText: () => open,
            onEvent: (p) => events.push(p),
            runnerOptions: {
                env: { SPADE_TRAINER_MODULE: linearTrainerModule },
                indexFile: path.join(tmp.dir, 'jobs.json'),
            },
        });
    });
    afterEach(async () => {
        for (const j of service.runner.list()) {
            j.kill();
            await j.exited;
        }
        service.dispose();
        tmp.cleanup();
    });

    it('lists train blocks with their run folders, then their checkpoints once trained', async () => {
        const before = service.trainBlocks({ uri }).blocks;
        assert.deepEqual(
            before.map((b) => [b.name, b.line, path.relative(tmp.dir, b.runDir), b.checkpointStep]),
            [
                ['first', 11, path.join('runs', 'first'), undefined],
                ['second', 16, path.join('elsewhere', 'second'), undefined],
            ],
        );
        const { job } = service.start({ uri, block: 'first', mode: 'fresh' });
        assert.equal(job.runDir, path.join(tmp.dir, 'runs', 'first'));
        await service.runner.get(job.jobId)!.finished;
        assert.equal(service.trainBlocks({ uri }).blocks[0].checkpointStep, 10);
    });

    it('forwards every event of a job, and the tracker folds them into its state', async () => {
        const tracker = new JobTracker();
        const { job } = service.start({ uri, block: 'first', mode: 'fresh', runName: 'alt' });
        assert.equal(path.basename(job.runDir), 'alt');
        // Events may beat the start reply to the editor: the tracker holds them until it knows the job.
        await service.runner.get(job.jobId)!.finished;
        for (const e of events) tracker.apply(e);
        assert.equal(tracker.all().length, 0);
        tracker.upsert(job);
        const t = tracker.get(job.jobId)!;
        assert.equal(t.info.state, 'finished');
        assert.equal(t.progress?.step, 10);
        assert.equal(t.backend, 'plain TypeScript (test trainer)');
        assert.equal(t.sample?.step, 8);
        assert.deepEqual(tracker.active(), []);
        assert.ok(events.every((e) => e.jobId === job.jobId));
        assert.equal(events[events.length - 1].event.type, 'done');
    });

    it('trains the open document text, unsaved edits included', async () => {
        open = CONFIG.replace('batch = 2', 'batch = 5');
        const { job } = service.start({ uri, block: 'first', mode: 'fresh' });
        await service.runner.get(job.jobId)!.finished;
        const saved = fs.readFileSync(path.join(job.runDir, 'config.spade'), 'utf8');
        assert.match(saved, /batch = 5/);
        assert.equal(
            JSON.parse(fs.readFileSync(path.join(job.runDir, 'options.json'), 'utf8')).batchSize,
            5,
        );
    });

    it('refuses configs with errors, unknown blocks, bad run names and non-file URIs, saying why', () => {
        open = CONFIG.replace('classes   = 4', 'classes   = "four"');
        assert.throws(
            () => service.start({ uri, block: 'first', mode: 'fresh' }),
            (e: unknown) =>
                e instanceof JobRequestError &&
                /c\.spade:5:\d+: .*fix it before training/.test(e.message),
        );
        open = undefined;
        assert.throws(
            () => service.start({ uri, block: 'nope', mode: 'fresh' }),
            /No train block named 'nope'\. Known: first, second/,
        );
        assert.throws(
            () => service.start({ uri, block: 'first', mode: 'fresh', runName: '../x' }),
            /not a plain folder name/,
        );
        assert.throws(
            () => service.start({ uri: 'untitled:Untitled-1', block: 'first', mode: 'fresh' }),
            /save it to disk/,
        );
        assert.throws(() => service.stop({ jobId: 'gone' }), /No job gone is running/);
    });
});
