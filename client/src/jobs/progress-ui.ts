/**
 * Progress of running jobs: one cancellable notification per job (epoch, step, percent, ETA,
 * steps/s, latest losses), one status bar item for all of them, and a message when a job ends.
 */
import * as vscode from 'vscode';
import { formatDuration, progressLine } from '../../../server/src/jobs/progress';
import type { DoneEvent, ErrorEvent } from '../../../server/src/protocol/worker';
import type { JobsDeps } from './deps';
import { isActive, type JobTracker, type TrackedJob } from './tracker';

export class ProgressUi implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private readonly shown = new Set<string>();
    private readonly errors = new Map<string, ErrorEvent>();
    private readonly sub: { dispose(): void };

    constructor(
        private readonly tracker: JobTracker,
        private readonly deps: JobsDeps,
        private readonly actions: {
            stop(jobId: string): Promise<void>;
            openDashboard(jobId: string): void;
        },
    ) {
        this.item = vscode.window.createStatusBarItem(
            'spade.training',
            vscode.StatusBarAlignment.Left,
            10,
        );
        this.item.name = 'SPADE training';
        this.item.command = 'spade.openTrainingDashboard';
        this.sub = tracker.onChange((job, e) => {
            if (isActive(job)) this.notify(job);
            if (e?.type === 'error') this.errors.set(job.info.jobId, e);
            if (e?.type === 'done') this.finished(job, e);
            this.refreshItem();
        });
    }

    dispose(): void {
        this.sub.dispose();
        this.item.dispose();
    }

    /** A notification that follows the job until it ends; Cancel stops it (with a checkpoint). */
    private notify(job: TrackedJob): void {
        const id = job.info.jobId;
        if (this.shown.has(id)) return;
        this.shown.add(id);
        void vscode.window.withProgress(
            {
                location: vscode.ProgressLocation.Notification,
                title: `SPADE: training ${job.info.name}`,
                cancellable: true,
            },
            (progress, token) =>
                new Promise<void>((resolve) => {
                    let reported = 0;
                    const update = (j: TrackedJob) => {
                        if (j.info.state === 'stopping') {
                            progress.report({
                                message: 'stopping after this step, saving a checkpoint…',
                            });
                        } else if (j.progress) {
                            const pct = j.progress.percent;
                            progress.report({
                                increment: Math.max(0, pct - reported),
                                message: progressLine(j.progress),
                            });
                            reported = Math.max(reported, pct);
                        }
                    };
                    update(job);
                    const sub = this.tracker.onChange((j) => {
                        if (j.info.jobId !== id) return;
                        if (!isActive(j)) {
                            sub.dispose();
                            resolve();
                            return;
                        }
                        update(j);
                    });
                    token.onCancellationRequested(() => void this.actions.stop(id));
                }),
        );
    }

    private refreshItem(): void {
        const active = this.tracker.active();
        if (active.length === 0) {
            this.item.hide();
            return;
        }
        const j = active[0];
        const p = j.progress;
        const more = active.length > 1 ? ` (+${active.length - 1})` : '';
        const eta = p ? formatDuration(p.etaSeconds) : '';
        this.item.text = p
            ? `$(sync~spin) ${j.info.name} ${p.percent.toFixed(0)}% · ETA ${eta}${more}`
            : `$(sync~spin) ${j.info.name} starting${more}`;
        this.item.tooltip = p
            ? `${progressLine(p)}\nBackend: ${j.backend ?? '?'}\nClick for the dashboard.`
            : undefined;
        this.item.show();
    }

    private finished(job: TrackedJob, done: DoneEvent): void {
        const id = job.info.jobId;
        const name = job.info.name;
        if (done.reason === 'failed') {
            const err = this.errors.get(id);
            const message = err?.message ?? `Training ${name} failed at step ${done.step}.`;
            this.deps.log.error(message);
            void vscode.window
                .showErrorMessage(`SPADE: ${message}`, 'Open dashboard', 'Show log')
                .then((c) => {
                    if (c === 'Open dashboard') this.actions.openDashboard(id);
                    if (c === 'Show log') this.deps.log.show();
                });
            return;
        }
        const text = `SPADE: training ${name} ${done.reason} at step ${done.step} (epoch ${done.epoch}).`;
        this.deps.log.info(
            text + (done.lastCheckpoint ? ` Checkpoint: ${done.lastCheckpoint}` : ''),
        );
        void vscode.window.showInformationMessage(text, 'Open dashboard').then((c) => {
            if (c === 'Open dashboard') this.actions.openDashboard(id);
        });
    }
}
