/**
 * The editor side of training against a stand-in vscode API: Restricted Mode refuses with a
 * reason, Train sends the right requests, progress follows the job's events and can cancel,
 * the status bar tracks it, and the end is reported.
 */
import * as assert from 'node:assert/strict';
import type * as vscodeTypes from 'vscode';
import type * as JobsModule from '../../client/src/jobs';
import type * as CommandsModule from '../../client/src/jobs/commands';
import type { JobInfo, StartJobParams, WorkerEvent } from '../../server/src/protocol/worker';
import { fake, installFakeVscode, Uri } from './fixtures/fake-vscode';

let jobs: typeof JobsModule;
let UNTRUSTED_MESSAGE: string;
let uninstall: () => void;

const JOB: JobInfo = {
    jobId: 'j1',
    runDir: '/runs/a',
    name: 'a',
    pid: 42,
    state: 'starting',
    reattached: false,
};
const tick = () => new Promise((r) => setImmediate(r));

describe('training commands and progress in the editor (stand-in vscode)', () => {
    before(() => {
        // The client modules import 'vscode' when loaded: install the stand-in first.
        uninstall = installFakeVscode();
        /* eslint-disable @typescript-eslint/no-require-imports */
        jobs = require('../../client/src/jobs') as typeof JobsModule;
        ({ UNTRUSTED_MESSAGE } =
            require('../../client/src/jobs/commands') as typeof CommandsModule);
        /* eslint-enable @typescript-eslint/no-require-imports */
    });
    after(() => uninstall());
    let requests: { method: string; params: unknown }[];
    let notify: (p: unknown) => void;
    let listed: JobInfo[];
    let subscriptions: { dispose(): unknown }[];

    beforeEach(() => {
        fake.reset();
        requests = [];
        listed = [];
        subscriptions = [];
        const deps = {
            sendRequest: <R>(method: string, params: unknown): Promise<R> => {
                requests.push({ method, params });
                const answers: Record<string, unknown> = {
                    'spade/jobs/list': { jobs: listed },
                    'spade/jobs/trainBlocks': {
                        blocks: [{ name: 'a', line: 3, runDir: '/runs/a' }],
                    },
                    'spade/jobs/start': { job: JOB },
                    'spade/jobs/stop': null,
                };
                return Promise.resolve(answers[method] as R);
            },
            onNotification: (_m: string, h: (p: unknown) => void) => {
                notify = h;
                return { dispose: () => undefined };
            },
            log: {
                info: () => undefined,
                warn: () => undefined,
                error: () => undefined,
                show: () => undefined,
            },
        };
        const context = {
            subscriptions,
            extensionUri: Uri.file('/ext'),
        } as unknown as vscodeTypes.ExtensionContext;
        jobs.registerJobs(context, deps);
    });
    afterEach(() => subscriptions.forEach((s) => s.dispose()));

    const event = (e: WorkerEvent) => notify({ jobId: 'j1', event: e });

    it('refuses Train and Resume in Restricted Mode, saying why, without asking the server', async () => {
        fake.trusted = false;
        fake.answers.push('Manage Workspace Trust');
        await fake.commands.get('spade.train')!(Uri.file('/w/c.spade'), 'a');
        await fake.commands.get('spade.resumeTraining')!(Uri.file('/w/c.spade'), 'a');
        assert.equal(fake.shown.length, 2);
        assert.equal(fake.shown[0].message, UNTRUSTED_MESSAGE);
        assert.match(UNTRUSTED_MESSAGE, /Restricted Mode, because it reads the datasets/);
        assert.deepEqual(fake.executed, ['workbench.trust.manage']);
        assert.deepEqual(
            requests.map((r) => r.method),
            ['spade/jobs/list'],
        );
    });

    it('trains the only block of the active file, then follows progress, cancel and the end', async () => {
        fake.activeUri = Uri.file('/w/c.spade');
        await fake.commands.get('spade.train')!();
        const start = requests.find((r) => r.method === 'spade/jobs/start')!
            .params as StartJobParams;
        assert.deepEqual(start, { uri: 'file:///w/c.spade', block: 'a', mode: 'fresh' });
        assert.equal(fake.progress.length, 1);
        assert.equal(fake.progress[0].title, 'SPADE: training a');

        event({
            type: 'started',
            jobId: 'j1',
            pid: 42,
            backend: 'wasm',
            stepsPerEpoch: 5,
            step: 0,
            epoch: 1,
            totalSteps: 10,
            totalEpochs: 2,
        });
        const p = {
            type: 'progress' as const,
            epoch: 1,
            totalSteps: 10,
            totalEpochs: 2,
            stepsPerSecond: 2,
            losses: { G_GAN: 1 },
        };
        event({ ...p, step: 2, percent: 20, etaSeconds: 4 });
        event({ ...p, step: 5, percent: 50, etaSeconds: 2.5 });
        const reports = fake.progress[0].reports.filter((r) => r.increment !== undefined);
        assert.deepEqual(
            reports.map((r) => r.increment),
            [20, 30],
            'increments add up to the percent',
        );
        assert.match(
            reports[1].message!,
            /^epoch 1\/2 · step 5\/10 · 50\.0% · 2\.00 step\/s · ETA 3s · G_GAN 1\.00$/,
        );
        assert.equal(fake.statusBar.visible, true);
        assert.equal(fake.statusBar.text, '$(sync~spin) a 50% · ETA 3s');

        fake.progress[0].cancel();
        await tick();
        assert.deepEqual(requests[requests.length - 1], {
            method: 'spade/jobs/stop',
            params: { jobId: 'j1' },
        });
        assert.match(
            fake.progress[0].reports[fake.progress[0].reports.length - 1].message!,
            /stopping after this step/,
        );

        event({
            type: 'done',
            reason: 'stopped',
            step: 5,
            epoch: 1,
            lastCheckpoint: '/runs/a/checkpoints/step-00000005',
        });
        await tick();
        assert.equal(fake.progress[0].done, true);
        assert.equal(fake.statusBar.visible, false);
        assert.deepEqual(fake.shown[fake.shown.length - 1], {
            kind: 'info',
            message: 'SPADE: training a stopped at step 5 (epoch 1).',
            items: ['Open dashboard'],
        });
    });

    it('reports a failure with the worker message and picks up jobs running before a reload', async () => {
        listed = [{ ...JOB, jobId: 'j1', state: 'running', reattached: true }];
        fake.reset();
        subscriptions.forEach((s) => s.dispose());
        const context = {
            subscriptions,
            extensionUri: Uri.file('/ext'),
        } as unknown as vscodeTypes.ExtensionContext;
        jobs.registerJobs(context, {
            sendRequest: <R>(method: string) =>
                Promise.resolve((method === 'spade/jobs/list' ? { jobs: listed } : null) as R),
            onNotification: (_m, h) => ((notify = h), { dispose: () => undefined }),
            log: {
                info: () => undefined,
                warn: () => undefined,
                error: () => undefined,
                show: () => undefined,
            },
        });
        await tick();
        assert.equal(fake.progress.length, 1, 'a reattached job gets its notification');
        event({
            type: 'error',
            code: 'non-finite-loss',
            message: 'Loss G_GAN became NaN at step 13 (epoch 3); training stopped.',
            step: 13,
        });
        event({ type: 'done', reason: 'failed', step: 12, epoch: 3 });
        await tick();
        const last = fake.shown[fake.shown.length - 1];
        assert.equal(last.kind, 'error');
        assert.equal(
            last.message,
            'SPADE: Loss G_GAN became NaN at step 13 (epoch 3); training stopped.',
        );
        assert.deepEqual(last.items, ['Open dashboard', 'Show log']);
    });
});
