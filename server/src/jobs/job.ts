/**
 * A running (or finished) job as the runner sees it: either a child process it forked and talks
 * to over IPC, or a worker found again after a reload and followed through its run folder.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
    DoneEvent,
    JobInfo,
    JobState,
    JobStatus,
    ProgressEvent,
    ToWorker,
    WorkerEvent,
} from '../protocol/worker';
import { isProcessAlive, writeFileAtomic } from '../util/atomic';
import { CheckpointStore } from './checkpoints';
import { RunFolder } from './run-folder';

export type JobListener = (e: WorkerEvent) => void;

export class Job {
    state: JobState = 'starting';
    backend?: string;
    lastProgress?: ProgressEvent;
    /** Resolves when the job has ended, however it ended. */
    readonly finished: Promise<DoneEvent>;
    /** Resolves when the worker process is gone (reaped, or no longer found). */
    readonly exited: Promise<void>;
    private resolveFinished!: (d: DoneEvent) => void;
    private resolveExited!: () => void;
    private readonly listeners = new Set<JobListener>();
    private readonly folder: RunFolder;
    private ended = false;
    /** Whether an error event was passed on (a crash's status must not repeat it). */
    private errorSeen = false;
    /** Whether kill() ended the worker (then its exit is a stop, not a crash). */
    private killedByUser = false;
    private timer?: NodeJS.Timeout;

    private constructor(
        readonly id: string,
        readonly runDir: string,
        readonly name: string,
        public pid: number,
        readonly reattached: boolean,
        private readonly child?: ChildProcess,
    ) {
        this.folder = new RunFolder(runDir);
        this.finished = new Promise((r) => (this.resolveFinished = r));
        this.exited = new Promise((r) => (this.resolveExited = r));
    }

    /** A job whose worker this process forked; events arrive over IPC. */
    static forked(id: string, runDir: string, name: string, child: ChildProcess): Job {
        const job = new Job(id, runDir, name, child.pid ?? -1, false, child);
        child.on('message', (e: WorkerEvent) => job.handle(e));
        // Messages sent just before exit can arrive after 'exit'; let them in first.
        child.on('exit', (code, signal) => {
            job.resolveExited();
            setTimeout(() => job.onExit(code, signal), 200);
        });
        child.on('error', (err) =>
            job.fail(
                `The worker process could not run: ${err.message}. See ${job.folder.logFile}.`,
            ),
        );
        return job;
    }

    /** A job found in its run folder after a reload; followed by polling its files. */
    static followed(id: string, runDir: string, name: string, pid: number, pollMs: number): Job {
        const job = new Job(id, runDir, name, pid, true);
        // Start at the end: history is read by whoever needs it (the dashboard's snapshot).
        let metricsAt = fs.existsSync(job.folder.metricsFile)
            ? fs.statSync(job.folder.metricsFile).size
            : 0;
        let statusAt = 0;
        const seenSamples = new Set(job.sampleFiles());
        const poll = () => {
            const st = job.folder.readStatus();
            if (st && st.updatedAt !== statusAt) {
                statusAt = st.updatedAt;
                job.applyStatus(st);
            }
            const m = job.folder.readMetrics(metricsAt);
            metricsAt = m.next;
            for (const r of m.records) job.emit({ type: 'metrics', ...r });
            for (const f of job.sampleFiles()) {
                if (seenSamples.has(f)) continue;
                seenSamples.add(f);
                const step = Number(/step-(\d+)\.png$/.exec(f)?.[1] ?? 0);
                job.emit({ type: 'sample', step, file: f });
            }
            if (!isProcessAlive(pid)) {
                job.resolveExited();
                job.onExit(null, null);
            }
        };
        const st = job.folder.readStatus();
        if (st) job.applyStatus(st);
        job.timer = setInterval(poll, pollMs);
        job.timer.unref();
        return job;
    }

    onEvent(l: JobListener): () => void {
        this.listeners.add(l);
        return () => this.listeners.delete(l);
    }

    /** Ask for a graceful stop: the worker finishes its step, saves a checkpoint and exits. */
    stop(): void {
        if (this.ended) return;
        this.state = 'stopping';
        if (this.child?.connected) {
            this.child.send({ type: 'stop' } satisfies ToWorker);
            return;
        }
        // No IPC (reattached): the worker polls for the file between steps; the signal is
        // quicker where signals exist (on Windows it would kill, so it is not sent there).
        writeFileAtomic(this.folder.stopFile, `${Date.now()}\n`);
        if (process.platform !== 'win32' && isProcessAlive(this.pid))
            process.kill(this.pid, 'SIGTERM');
    }

    /**
     * End the worker at once, as the user asked: the job reads as stopped (not failed), without
     * a final checkpoint; the last published checkpoint stays intact.
     */
    kill(): void {
        if (this.ended || !isProcessAlive(this.pid)) return;
        this.killedByUser = true;
        process.kill(this.pid, 'SIGKILL');
    }

    /** Stop following without touching the worker (the runner is going away). */
    detach(): void {
        if (this.timer) clearInterval(this.timer);
        this.child?.removeAllListeners();
        if (this.child?.connected) this.child.disconnect();
    }

    info(): JobInfo {
        const status = this.folder.readStatus();
        return {
            jobId: this.id,
            runDir: this.runDir,
            name: this.name,
            pid: this.pid,
            state: this.state,
            reattached: this.reattached,
            ...(status ? { status } : {}),
        };
    }

    private handle(e: WorkerEvent): void {
        if (e.type === 'started') {
            this.state = 'running';
            this.backend = e.backend;
        } else if (e.type === 'progress') {
            this.lastProgress = e;
        } else if (e.type === 'done') {
            this.finish(e);
            return;
        }
        this.emit(e);
    }

    private applyStatus(st: JobStatus): void {
        this.backend = st.backend;
        if (st.state === 'running' || st.state === 'stopping') {
            this.state = st.state;
            const rate = st.stepsPerSecond ?? 0;
            const p: ProgressEvent = {
                type: 'progress',
                step: st.step,
                epoch: st.epoch,
                totalSteps: st.totalSteps,
                totalEpochs: st.totalEpochs,
                percent: st.totalSteps > 0 ? (100 * st.step) / st.totalSteps : 0,
                stepsPerSecond: rate,
                etaSeconds: st.etaSeconds,
                losses: st.losses ?? {},
            };
            this.lastProgress = p;
            this.emit(p);
        }
    }

    private onExit(code: number | null, signal: NodeJS.Signals | null): void {
        if (this.ended) return;
        const st = this.folder.readStatus();
        const finalState = st?.state;
        if (finalState === 'finished' || finalState === 'stopped' || finalState === 'failed') {
            if (st?.error && !this.errorSeen) {
                this.emit({ type: 'error', code: st.error.code, message: st.error.message });
            }
            this.finish({ type: 'done', reason: finalState, step: st!.step, epoch: st!.epoch });
            return;
        }
        if (this.killedByUser) {
            this.stoppedByKill(st);
            return;
        }
        const how = signal ? `was killed (${signal})` : `exited with code ${code ?? '?'}`;
        this.fail(
            `The worker for ${this.name} ${how} at step ${st?.step ?? 0}. The last published ` +
                'checkpoint is intact; use Resume to continue. ' +
                `Details: worker.log and worker.out in ${this.runDir}.`,
        );
    }

    /** A kill the user asked for: recorded as a stop at the last checkpoint, said so in the log. */
    private stoppedByKill(st: JobStatus | undefined): void {
        const last = new CheckpointStore(this.runDir, 1).latest();
        const step = st?.step ?? 0;
        this.folder.appendLog(
            'warn',
            `Killed at step ${step} as the user asked, without a final checkpoint; ` +
                (last ? `the last checkpoint (step ${last.step}) is intact.` : 'none was saved.'),
        );
        if (st) this.folder.writeStatus({ ...st, state: 'stopped', updatedAt: Date.now() });
        const done: DoneEvent = { type: 'done', reason: 'stopped', step, epoch: st?.epoch ?? 1 };
        if (last) done.lastCheckpoint = last.dir;
        this.finish({ ...done, killed: true });
    }

    private fail(message: string): void {
        if (this.ended) return;
        const st = this.folder.readStatus();
        this.emit({ type: 'error', code: 'internal', message, step: st?.step });
        if (st && st.state !== 'failed') {
            this.folder.writeStatus({
                ...st,
                state: 'failed',
                error: { code: 'internal', message },
                updatedAt: Date.now(),
            });
        }
        this.finish({ type: 'done', reason: 'failed', step: st?.step ?? 0, epoch: st?.epoch ?? 1 });
    }

    private finish(d: DoneEvent): void {
        if (this.ended) return;
        this.ended = true;
        this.state = d.reason;
        if (this.timer) clearInterval(this.timer);
        this.emit(d);
        this.resolveFinished(d);
    }

    private emit(e: WorkerEvent): void {
        if (e.type === 'error') this.errorSeen = true;
        for (const l of this.listeners) {
            try {
                l(e);
            } catch {
                // One broken listener must not stop the others.
            }
        }
    }

    private sampleFiles(): string[] {
        const dir = this.folder.samplesDir;
        if (!fs.existsSync(dir)) return [];
        return fs
            .readdirSync(dir)
            .filter((f) => /^step-\d+\.png$/.test(f))
            .map((f) => path.join(dir, f));
    }
}
