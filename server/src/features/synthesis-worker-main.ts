/**
 * The synthesis worker process: serves the preview's modelInfo and synthesize requests that the
 * language server forwards (protocol/synthesis-worker.ts). Loading a model (a run folder's
 * checkpoint is exported in memory, synchronously) and onnxruntime run here, so a slow export
 * or a native crash never stalls or ends the language server. Bundled by scripts/build.mjs to
 * dist/synthesis-worker.js; the server forks it on the first request.
 */
import type {
    FailureMessage,
    FromSynthesisWorker,
    RequestMessage,
    ToSynthesisWorker,
} from '../protocol/synthesis-worker';
import { DataError } from '../data/issues';
import { PreviewCancelled, PreviewError } from './preview-masks';
import { PreviewSynthesis } from './preview-synthesis';

let synthesis: PreviewSynthesis | undefined;
/** Requests received and not yet answered. */
const active = new Set<number>();
/** Active requests the server cancelled: they are not answered. */
const cancelled = new Set<number>();

function send(m: FromSynthesisWorker, then?: () => void): void {
    // The server is gone when the channel is: nothing left to answer.
    if (!process.connected || !process.send) return then?.();
    process.send(m, undefined, {}, () => then?.());
}

function failure(id: number, e: unknown): FailureMessage {
    if (e instanceof PreviewCancelled) {
        return { type: 'failure', id, kind: 'cancelled', message: e.message };
    }
    if (e instanceof PreviewError || e instanceof DataError) {
        return { type: 'failure', id, kind: 'user', message: e.message };
    }
    const err = e instanceof Error ? e : new Error(String(e));
    return { type: 'failure', id, kind: 'bug', message: err.message, stack: err.stack };
}

async function serve(s: PreviewSynthesis, m: RequestMessage): Promise<void> {
    active.add(m.id);
    try {
        const result =
            m.method === 'modelInfo'
                ? await s.modelInfo(m.params)
                : await s.synthesize(m.params, () => !cancelled.has(m.id));
        if (!cancelled.has(m.id)) send({ type: 'result', id: m.id, result });
    } catch (e) {
        if (!cancelled.has(m.id)) send(failure(m.id, e));
    } finally {
        active.delete(m.id);
        cancelled.delete(m.id);
    }
}

process.on('message', (m: ToSynthesisWorker) => {
    if (m.type === 'configure') {
        synthesis ??= new PreviewSynthesis(m.settings, (level, message) =>
            send({ type: 'log', level, message }),
        );
    } else if (m.type === 'cancel') {
        if (active.has(m.id)) cancelled.add(m.id);
    } else if (m.type === 'request') {
        synthesis ??= new PreviewSynthesis();
        void serve(synthesis, m);
    }
});

// The server went away (shut down, or killed): this process has no one left to serve.
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (e) => {
    const message = `synthesis worker: ${e.stack ?? e.message}`;
    send({ type: 'log', level: 'error', message }, () => process.exit(3));
});
