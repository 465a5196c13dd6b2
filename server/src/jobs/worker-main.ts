/**
 * The worker process: one training job per process (native tfjs and onnxruntime addons cannot
 * load twice in one process). It takes one `start` message, reports events over IPC, and keeps
 * training when its parent goes away (a window reload): the run folder's status.json,
 * metrics.jsonl and worker.log carry everything a reattaching runner needs.
 * Bundled by scripts/build.mjs to dist/worker.js.
 */
import type { StartJob, ToWorker, WorkerEvent } from '../protocol/worker';
import { RunFolder } from './run-folder';
import type { TrainerFactory, TrainerModule } from './trainer';
import { runJob, type StopSignal } from './worker-loop';

const stop: StopSignal = { requested: false };
let started: StartJob | undefined;

/**
 * Record a crash: the stack in worker.log, the state in status.json (so the run folder does not
 * claim to be running). Returns the user-facing message.
 */
function markCrashed(e: unknown): string {
    const err = e instanceof Error ? e : new Error(String(e));
    const message =
        `The training worker crashed: ${err.message}. This is a bug; the last checkpoint is ` +
        `intact, so Resume continues from it. The stack is in worker.log.`;
    if (!started) return message;
    try {
        const folder = new RunFolder(started.runDir);
        folder.appendLog('error', err.stack ?? err.message);
        const st = folder.readStatus();
        if (st && st.jobId === started.jobId) {
            folder.writeStatus({
                ...st,
                state: 'failed',
                error: { code: 'internal', message },
                updatedAt: Date.now(),
            });
        }
    } catch {
        // Nothing more to do: the runner (if any) reports the exit.
    }
    return message;
}

function send(e: WorkerEvent, then?: () => void): void {
    if (!process.connected || !process.send) {
        then?.();
        return;
    }
    try {
        process.send(e, undefined, {}, () => then?.());
    } catch {
        // The channel closed between the check and the send: the files still record it.
        then?.();
    }
}

/**
 * The engine adapter, or a module named by SPADE_TRAINER_MODULE (tests use a small numeric
 * trainer through it, so job behaviour is tested without the engine).
 */
async function loadFactory(): Promise<TrainerFactory> {
    const override = process.env.SPADE_TRAINER_MODULE;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (override) return (require(override) as TrainerModule).createTrainer;
    return (await import('./engine-trainer')).createTrainer;
}

async function onStart(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
    const factory = await loadFactory();
    const done = await runJob(msg, factory, (e) => send(e), stop);
    send(done, () => process.exit(done.reason === 'failed' ? 2 : 0));
}

process.on('message', (msg: ToWorker) => {
    if (msg.type === 'stop') {
        stop.requested = true;
    } else if (msg.type === 'start' && !started) {
        started = msg;
        onStart(msg).catch((e: unknown) => {
            const message = markCrashed(e);
            send({ type: 'error', code: 'internal', message }, () => process.exit(3));
        });
    }
});

// A stop by signal comes from a runner that lost its IPC channel (after a reload) or Ctrl-C.
process.on('SIGTERM', () => (stop.requested = true));
process.on('SIGINT', () => (stop.requested = true));
// The parent went away: keep training; the run folder is the record.
process.on('disconnect', () => undefined);
process.on('uncaughtException', (e) => {
    send({ type: 'error', code: 'internal', message: markCrashed(e) }, () => process.exit(3));
});
