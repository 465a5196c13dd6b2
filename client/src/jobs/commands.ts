/**
 * Train, Resume, Stop and Open dashboard. Train and Resume refuse in Restricted Mode (an
 * untrusted workspace) with a message saying why: training runs native code on the
 * workspace's data and writes run folders.
 */
import * as vscode from 'vscode';
import {
    JobMethods,
    type JobInfo,
    type StartJobParams,
    type StartJobResult,
    type StartMode,
    type TrainBlockInfo,
    type TrainBlocksResult,
} from '../../../server/src/protocol/worker';
import { errorText, type JobsDeps } from './deps';
import type { Dashboards } from './dashboard-panel';
import { isActive, type JobTracker, type TrackedJob } from './tracker';

export const UNTRUSTED_MESSAGE =
    'SPADE: training is disabled in Restricted Mode, because it reads the datasets a config names, ' +
    'runs native code and writes run folders. Trust this workspace to train; ' +
    'editing and checking configs keep working.';

/** Tells the user why, and offers the trust editor. Returns whether the workspace is trusted. */
export async function requireTrust(): Promise<boolean> {
    if (vscode.workspace.isTrusted) return true;
    const choice = await vscode.window.showWarningMessage(
        UNTRUSTED_MESSAGE,
        'Manage Workspace Trust',
    );
    if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
    return false;
}

export class JobCommands {
    constructor(
        private readonly deps: JobsDeps,
        private readonly tracker: JobTracker,
        private readonly dashboards: Dashboards,
    ) {}

    /** `spade.train [uri] [block]`: the code lens passes both; the palette asks. */
    async train(uri?: vscode.Uri, block?: string): Promise<void> {
        await this.startFlow('fresh', uri, block);
    }

    async resume(uri?: vscode.Uri, block?: string): Promise<void> {
        await this.startFlow('resume', uri, block);
    }

    async stop(jobId?: string): Promise<void> {
        const job = jobId
            ? this.tracker.get(jobId)
            : await this.pickJob(this.tracker.active(), 'Stop which training?');
        if (!job) {
            if (!jobId && this.tracker.active().length === 0)
                void vscode.window.showInformationMessage('SPADE: no training is running.');
            return;
        }
        try {
            await this.deps.sendRequest(JobMethods.stop, { jobId: job.info.jobId });
            this.tracker.markStopping(job.info.jobId);
        } catch (e) {
            void vscode.window.showErrorMessage(`SPADE: ${errorText(e)}`);
        }
    }

    async openDashboard(jobId?: string): Promise<void> {
        const jobs = this.tracker.all();
        const job = jobId
            ? this.tracker.get(jobId)
            : jobs.length === 1
              ? jobs[0]
              : await this.pickJob(jobs, 'Dashboard of which training?');
        if (job) {
            this.dashboards.open(job.info.runDir, job.info.jobId);
            return;
        }
        if (jobs.length === 0) {
            const picked = await vscode.window.showOpenDialog({
                canSelectFolders: true,
                canSelectFiles: false,
                openLabel: 'Open run folder',
                title: 'No training in this session: pick a run folder to show',
            });
            if (picked?.[0]) this.dashboards.open(picked[0].fsPath);
        }
    }

    private async startFlow(mode: StartMode, uri?: vscode.Uri, block?: string): Promise<void> {
        if (!(await requireTrust())) return;
        const target = uri ?? vscode.window.activeTextEditor?.document.uri;
        if (!target || !target.fsPath.endsWith('.spade')) {
            void vscode.window.showWarningMessage(
                'SPADE: open a .spade config with a train block first, then run this command again.',
            );
            return;
        }
        let name = block;
        let runName: string | undefined;
        if (name === undefined) {
            const picked = await this.pickBlock(target, mode);
            if (!picked) return;
            name = picked.name;
            if (mode === 'fresh' && picked.checkpointStep !== undefined) {
                const choice = await vscode.window.showWarningMessage(
                    `SPADE: ${picked.runDir} already holds checkpoints up to step ${picked.checkpointStep}.`,
                    {
                        modal: true,
                        detail: 'Resume continues it exactly; a new run name starts over beside it.',
                    },
                    'Resume',
                    'New run name…',
                );
                if (choice === 'Resume') mode = 'resume';
                else if (choice === 'New run name…') {
                    runName = await vscode.window.showInputBox({
                        prompt: 'Run name (a sibling folder of the configured run folder)',
                        value: `${picked.name}-2`,
                        validateInput: (v) =>
                            /^[\w.-]+$/.test(v) && v !== '.' && v !== '..'
                                ? undefined
                                : "Use letters, digits, '.', '-' or '_'.",
                    });
                    if (!runName) return;
                } else return;
            }
        }
        const params: StartJobParams = {
            uri: target.toString(),
            block: name,
            mode,
            ...(runName ? { runName } : {}),
        };
        try {
            const { job } = await this.deps.sendRequest<StartJobResult>(JobMethods.start, params);
            this.deps.log.info(
                `Started training ${job.name} (job ${job.jobId}, pid ${job.pid}) in ${job.runDir}.`,
            );
            this.tracker.upsert(job);
        } catch (e) {
            const message = errorText(e);
            this.deps.log.error(message);
            void vscode.window.showErrorMessage(`SPADE: ${message}`);
        }
    }

    private async pickBlock(uri: vscode.Uri, mode: StartMode): Promise<TrainBlockInfo | undefined> {
        let blocks: TrainBlockInfo[];
        try {
            blocks = (
                await this.deps.sendRequest<TrainBlocksResult>(JobMethods.trainBlocks, {
                    uri: uri.toString(),
                })
            ).blocks;
        } catch (e) {
            void vscode.window.showErrorMessage(`SPADE: ${errorText(e)}`);
            return undefined;
        }
        if (mode === 'resume') blocks = blocks.filter((b) => b.checkpointStep !== undefined);
        if (blocks.length === 0) {
            const file = vscode.workspace.asRelativePath(uri);
            void vscode.window.showWarningMessage(
                mode === 'resume'
                    ? `SPADE: no train block in ${file} has a checkpoint to resume; ` +
                          'start a training first.'
                    : `SPADE: ${file} has no train block; add one (train NAME { data = ... }).`,
            );
            return undefined;
        }
        if (blocks.length === 1) return blocks[0];
        const items = blocks.map((b) => ({
            label: b.name,
            description: vscode.workspace.asRelativePath(b.runDir),
            detail:
                b.checkpointStep !== undefined
                    ? `checkpoint at step ${b.checkpointStep}`
                    : undefined,
            block: b,
        }));
        return (
            await vscode.window.showQuickPick(items, {
                title: mode === 'resume' ? 'Resume which training?' : 'Train which block?',
            })
        )?.block;
    }

    private async pickJob(jobs: TrackedJob[], title: string): Promise<TrackedJob | undefined> {
        if (jobs.length <= 1) return jobs[0];
        const items = jobs.map((j) => ({
            label: j.info.name,
            description: `${j.info.state}${j.progress ? ` · ${j.progress.percent.toFixed(0)}%` : ''}`,
            detail: j.info.runDir,
            job: j,
        }));
        return (await vscode.window.showQuickPick(items, { title }))?.job;
    }
}

/** Jobs the server was already running (reattached after a reload). */
export async function loadJobs(deps: JobsDeps, tracker: JobTracker): Promise<void> {
    try {
        const { jobs } = await deps.sendRequest<{ jobs: JobInfo[] }>(JobMethods.list, {});
        for (const j of jobs) tracker.upsert(j);
        const live = tracker.all().filter(isActive);
        if (live.length > 0)
            deps.log.info(`Following ${live.length} training job(s) started before the reload.`);
    } catch (e) {
        deps.log.warn(`Could not list training jobs: ${errorText(e)}`);
    }
}
