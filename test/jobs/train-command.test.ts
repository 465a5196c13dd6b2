import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTrainCommand } from '../../server/src/cli/train-command';
import type { CliIO } from '../../server/src/cli/command';
import { CheckpointStore } from '../../server/src/jobs/checkpoints';
import { RunFolder } from '../../server/src/jobs/run-folder';
import { linearTrainerModule, scratch, tinyOptions } from './fixtures/options';

const CONFIG = `
dataset tiny {
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
train tiny_run {
    data = tiny   generator = g   discriminator = d
    batch = 2   epochs = 2
    device = cpu
    checkpoints { every = 3  keep = 2  samples_every = 4 }
}
`;

/** Creates the data folders of `opts` (spade train refuses to start without them). */
function makeData(opts: { dataset: { root: string } }): void {
    for (const d of ['label', 'image'])
        fs.mkdirSync(path.join(opts.dataset.root, d), { recursive: true });
}

describe('spade train (CLI)', function () {
    this.timeout(60000);
    let tmp: ReturnType<typeof scratch>;
    let out: string[];
    let err: string[];
    let io: CliIO;
    const cmd = makeTrainCommand({
        runnerOptions: { env: { SPADE_TRAINER_MODULE: linearTrainerModule } },
        tty: false,
    });
    beforeEach(() => {
        tmp = scratch('cli');
        out = [];
        err = [];
        io = { out: (l) => out.push(l), err: (l) => err.push(l), cwd: tmp.dir };
    });
    afterEach(() => tmp.cleanup());

    it('trains a .spade train block into the run named by --run, reporting progress', async () => {
        fs.mkdirSync(path.join(tmp.dir, 'data', 'labels'), { recursive: true });
        fs.mkdirSync(path.join(tmp.dir, 'data', 'images'), { recursive: true });
        fs.writeFileSync(path.join(tmp.dir, 'c.spade'), CONFIG);
        const code = await cmd.run(['c.spade', '--run', 'try1', '--max-steps', '4'], io);
        assert.equal(code, 0, err.join('\n'));
        const runDir = path.join(tmp.dir, 'runs', 'try1');
        assert.equal(new CheckpointStore(runDir, 2).latest()?.step, 4);
        assert.equal(new RunFolder(runDir).readOptions()?.generator.ngf, 4);
        assert.equal(fs.readFileSync(path.join(runDir, 'config.spade'), 'utf8'), CONFIG);
        const text = err.join('\n');
        assert.match(text, /Training try1 into .*try1 \(worker pid \d+\)/);
        assert.match(text, /epoch 1\/2 · step 4\/10 · 40\.0% · [\d.]+ step\/s · ETA \S+ · G_GAN/);
        assert.match(text, /Training stopped at step 4 \(epoch 1\)\. Checkpoint: .*step-00000004/);
    });

    it('trains from a resolved-options JSON file and resumes it with --resume', async () => {
        const opts = tinyOptions(path.join(tmp.dir, 'runs', 'json'));
        makeData(opts);
        fs.writeFileSync(path.join(tmp.dir, 'o.json'), JSON.stringify(opts));
        assert.equal(await cmd.run(['o.json', '--max-steps', '6'], io), 0, err.join('\n'));
        assert.equal(await cmd.run(['o.json', '--resume'], io), 0, err.join('\n'));
        assert.match(err.join('\n'), /Training finished at step 30 \(epoch 6\)/);
    });

    it('exits 1 with the option named when a resume meets a shape change', async () => {
        const opts = tinyOptions(path.join(tmp.dir, 'runs', 'shape'));
        makeData(opts);
        fs.writeFileSync(path.join(tmp.dir, 'o.json'), JSON.stringify(opts));
        assert.equal(await cmd.run(['o.json', '--max-steps', '5'], io), 0);
        opts.dataset.labelNc = 9;
        fs.writeFileSync(path.join(tmp.dir, 'o.json'), JSON.stringify(opts));
        assert.equal(await cmd.run(['o.json', '--resume'], io), 1);
        assert.match(
            err.join('\n'),
            /`classes` in the dataset block \(label_nc\) \[dataset\.labelNc\] was 3, now 9/,
        );
    });

    it('exits 2 on bad usage, a missing file or an ambiguous block, saying what to do', async () => {
        assert.equal(await cmd.run([], io), 2);
        assert.match(err[0], /name the config FILE to train/);
        assert.equal(await cmd.run(['x.spade', '--frobnicate'], io), 2);
        assert.match(err.join('\n'), /unknown option '--frobnicate'/);
        assert.equal(await cmd.run(['missing.spade'], io), 2);
        assert.match(err.join('\n'), /missing\.spade: cannot read it \(ENOENT\)/);
        fs.writeFileSync(
            path.join(tmp.dir, 'two.spade'),
            CONFIG + CONFIG.replace(/tiny_run/, 'other').replace(/dataset tiny[\s\S]*?\n}\n/, ''),
        );
        assert.equal(await cmd.run(['two.spade'], io), 2);
        assert.match(
            err.join('\n'),
            /has several train blocks \(tiny_run, other\); choose one with --block NAME/,
        );
        // A PNG (or any file without a train block) given as the config.
        fs.writeFileSync(path.join(tmp.dir, 'mask.png'), Buffer.from([137, 80, 78, 71]));
        err.length = 0;
        assert.equal(await cmd.run(['mask.png'], io), 2);
        assert.match(
            err.join('\n'),
            /mask\.png: is not a \.spade config .*; pass a \.spade config/,
        );
        assert.doesNotMatch(err.join('\n'), /\(none\)/);
        fs.writeFileSync(path.join(tmp.dir, 'empty.spade'), 'generator g { ngf = 4 }\n');
        err.length = 0;
        assert.equal(await cmd.run(['empty.spade'], io), 2);
        assert.match(err.join('\n'), /empty\.spade: has no train block; add one/);
    });

    describe('refusals and a second Ctrl-C', () => {
        /** Options whose data folders exist (outside the run folder) unless `data` is false. */
        const optionsIn = (run: string, data = true) => {
            const opts = tinyOptions(path.join(tmp.dir, 'runs', run));
            opts.dataset.root = path.join(tmp.dir, data ? 'data' : 'no-data');
            if (data) makeData(opts);
            fs.writeFileSync(path.join(tmp.dir, `${run}.json`), JSON.stringify(opts));
            return opts;
        };

        it('refuses --resume with no checkpoint with exit 2, creating no run folder', async () => {
            const opts = optionsIn('none');
            assert.equal(await cmd.run(['none.json', '--resume'], io), 2);
            assert.ok(!fs.existsSync(opts.outDir), 'no run folder is created');
            const text = err.join('\n');
            assert.match(text, /Nothing to resume in .*none: no checkpoint .*Drop --resume/);
            assert.doesNotMatch(text, /Training none into|worker pid/);
        });

        it('refuses missing data folders once each with exit 2, creating no run folder', async () => {
            const opts = optionsIn('nodata', false);
            assert.equal(await cmd.run(['nodata.json'], io), 2);
            assert.ok(!fs.existsSync(opts.outDir), 'no run folder is created');
            assert.equal(err.length, 2, err.join('\n'));
            assert.match(err[0], /no-data[/\\]label: the label folder does not exist\. Check/);
            assert.match(err[1], /no-data[/\\]image: the image folder does not exist\./);
        });

        it('refuses a fresh start over checkpoints before starting a worker, exit 2', async () => {
            optionsIn('twice');
            assert.equal(await cmd.run(['twice.json', '--max-steps', '5'], io), 0);
            err.length = 0;
            assert.equal(await cmd.run(['twice.json'], io), 2);
            assert.equal(err.length, 1, err.join('\n'));
            assert.match(err[0], /already holds checkpoints up to step 5\. Add --resume/);
        });

        /**
         * `spade train` on a slow stand-in trainer, once it has saved a checkpoint: the run, its
         * checkpoints and the handler it added for `signal`.
         */
        async function slowRun(name: string, signal: NodeJS.Signals) {
            const opts = optionsIn(name);
            const slow = makeTrainCommand({
                runnerOptions: {
                    env: {
                        SPADE_TRAINER_MODULE: linearTrainerModule,
                        LINEAR_TRAINER_STEP_MS: '40',
                    },
                },
                tty: false,
            });
            const before = new Set(process.listeners(signal));
            const running = slow.run([`${name}.json`], io);
            const store = new CheckpointStore(opts.outDir, 3);
            while (!store.latest()) await new Promise((r) => setTimeout(r, 20));
            const handler = process.listeners(signal).find((l) => !before.has(l));
            return { opts, running, store, handler, listenersBefore: before.size };
        }

        it('a second Ctrl-C kills the worker: stopped (not failed), exit 130, checkpoint kept', async () => {
            const { opts, running, store, handler: onSigint } = await slowRun('killed', 'SIGINT');
            assert.ok(onSigint, 'spade train listens for Ctrl-C');
            onSigint('SIGINT');
            onSigint('SIGINT');
            assert.equal(await running, 130);
            const text = err.join('\n');
            assert.match(
                text,
                /Training killed by the second Ctrl-C at step \d+ \(epoch \d+\), without a final checkpoint\. The last checkpoint is intact: .*step-00000005 \(--resume continues from it\)/,
            );
            assert.doesNotMatch(text, /failed|internal|exited with code|was killed \(SIGKILL\)/);
            assert.equal(new RunFolder(opts.outDir).readStatus()?.state, 'stopped');
            assert.equal(store.latest()?.step, 5);
        });

        it('SIGTERM stops the worker with a checkpoint instead of leaving it training', async () => {
            const run = await slowRun('terminated', 'SIGTERM');
            const { opts, running, handler: onTerm } = run;
            assert.ok(onTerm, 'spade train listens for SIGTERM');
            onTerm('SIGTERM');
            assert.equal(await running, 0);
            assert.match(err.join('\n'), /Training stopped at step \d+/);
            assert.equal(new RunFolder(opts.outDir).readStatus()?.state, 'stopped');
            assert.equal(
                process.listeners('SIGTERM').length,
                run.listenersBefore,
                'handler removed',
            );
        });
    });
});
