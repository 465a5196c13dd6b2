/**
 * Training from the command palette on a tiny config: a progress notification appears, a
 * checkpoint is published in the run folder, and Stop Training ends the worker process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JobStatus } from '../../../server/src/protocol/worker';
import { expect, isAlive, waitUntil } from '../harness/wait';
import { commandTitle } from '../harness/probe';
import { spadeCheck, type Scenario } from '../harness/scenario';
import {
    SEL,
    closeAllEditors,
    quickOpen,
    runCommand,
    toastTexts,
    waitForToast,
} from '../harness/workbench';

const FILE = path.join('e2e', 'tiny-train.spade');
const BLOCK = 'tiny_e2e';
/** The default run folder of a train block: runs/<name> beside the config. */
const RUN_DIR = path.join('e2e', 'runs', BLOCK);

export const train: Scenario = {
    name: 'train',
    probes: () => ({ 'spade/jobs/list': {} }),
    unavailable(ctx) {
        for (const id of ['spade.train', 'spade.stopTraining'])
            if (!commandTitle(ctx.manifest, id))
                return `the extension does not contribute the command ${id} (package.json contributes.commands)`;
        return ctx.server.methods['spade/jobs/list'];
    },
    async run(ctx, step) {
        const { page } = ctx;
        const runDir = path.join(ctx.workspace, RUN_DIR);
        const trainTitle = commandTitle(ctx.manifest, 'spade.train') ?? '';
        const stopTitle = commandTitle(ctx.manifest, 'spade.stopTraining') ?? '';

        await step('the tiny config passes spade check', async () => {
            const res = await spadeCheck(ctx, path.join(ctx.workspace, FILE));
            expect(res.code === 0, `spade check: ${res.output}`);
        });

        await step(`"${trainTitle}" from the palette shows a progress notification`, async () => {
            await quickOpen(page, path.basename(FILE));
            await runCommand(page, trainTitle);
            const toast = await waitForToast(page, new RegExp(`training ${BLOCK}`));
            await toast.locator('.monaco-progress-container').waitFor({ state: 'attached' });
            return (await toast.innerText()).replace(/\s+/g, ' ');
        });

        const pid = await step('a checkpoint appears in the run folder', async () => {
            const latest = path.join(runDir, 'checkpoints', 'latest');
            const name = await waitUntil(
                `${latest} naming a published checkpoint (toasts: ${(await toastTexts(page)).join(' | ')})`,
                () => {
                    if (!fs.existsSync(latest)) return false;
                    const n = fs.readFileSync(latest, 'utf8').trim();
                    return fs.existsSync(path.join(runDir, 'checkpoints', n, 'state.json')) && n;
                },
                180_000,
                250,
            );
            const files = fs.readdirSync(path.join(runDir, 'checkpoints', name));
            expect(
                files.some((f) => f.endsWith('.safetensors')),
                `${name} holds ${files.join(', ')}`,
            );
            const job = JSON.parse(fs.readFileSync(path.join(runDir, 'job.json'), 'utf8')) as {
                pid: number;
            };
            expect(
                isAlive(job.pid),
                `the worker (pid ${job.pid}) is not running after the checkpoint`,
            );
            return job.pid;
        });

        await step(`"${stopTitle}" ends the worker`, async () => {
            const t0 = Date.now();
            await runCommand(page, stopTitle);
            await waitUntil(`worker pid ${pid} to exit`, () => !isAlive(pid), 60_000);
            const exited = Date.now() - t0;
            const status = await waitUntil('status.json to record the end of the job', () => {
                const s = readStatus(runDir);
                return s && !['starting', 'running', 'stopping'].includes(s.state) && s;
            });
            expect(
                status.state === 'stopped',
                `status.json says ${status.state}: ${JSON.stringify(status.error ?? {})}`,
            );
            // The progress notification, not the "stopped at step N" message that follows it
            // (every toast has a progress container; the message's stays until it fades).
            await page
                .locator(SEL.toast, {
                    hasText: new RegExp(`training ${BLOCK}`),
                    hasNotText: /stopped at step/,
                })
                .locator('.monaco-progress-container')
                .waitFor({ state: 'detached', timeout: 10_000 });
            const closed = Date.now() - t0;
            await closeAllEditors(page);
            return `stopped at step ${status.step}; worker gone after ${exited} ms, notification closed after ${closed} ms`;
        });
    },
};

function readStatus(runDir: string): JobStatus | undefined {
    try {
        return JSON.parse(fs.readFileSync(path.join(runDir, 'status.json'), 'utf8')) as JobStatus;
    } catch {
        return undefined;
    }
}

/** Pids of workers the scenario may have left (the runner ends them by pid at teardown). */
export function leftoverWorkers(workspace: string): number[] {
    const runs = path.join(workspace, 'e2e', 'runs');
    if (!fs.existsSync(runs)) return [];
    const pids: number[] = [];
    for (const d of fs.readdirSync(runs)) {
        try {
            const job = JSON.parse(fs.readFileSync(path.join(runs, d, 'job.json'), 'utf8')) as {
                pid: number;
            };
            if (isAlive(job.pid)) pids.push(job.pid);
        } catch {
            // No job.json: nothing was started there.
        }
    }
    return pids;
}
