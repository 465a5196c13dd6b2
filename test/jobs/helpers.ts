/** Shared helpers for job tests: running a job in-process and comparing checkpoints. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckpointStore } from '../../server/src/jobs/checkpoints';
import { runJob, type StopSignal } from '../../server/src/jobs/worker-loop';
import type { RunOptions } from '../../server/src/engine/options';
import type { DoneEvent, StartJob, StartMode, WorkerEvent } from '../../server/src/protocol/worker';
import { createTrainer } from './fixtures/linear-trainer';

export interface InProcessRun {
    done: DoneEvent;
    events: WorkerEvent[];
}

/** Run a job in this process with the linear test trainer. */
export async function runInProcess(
    opts: RunOptions,
    mode: StartMode,
    extra: Partial<StartJob> = {},
    stop: StopSignal = { requested: false },
    onEvent: (e: WorkerEvent, stop: StopSignal) => void = () => {},
): Promise<InProcessRun> {
    const events: WorkerEvent[] = [];
    const start: StartJob = {
        type: 'start',
        jobId: 't',
        runDir: opts.outDir,
        options: opts,
        mode,
        ...extra,
    };
    const done = await runJob(
        start,
        createTrainer,
        (e) => {
            events.push(e);
            onEvent(e, stop);
        },
        stop,
    );
    return { done, events };
}

/** Every tensor of a checkpoint as raw bytes per `group/name`. */
export function checkpointBytes(dir: string): Map<string, Buffer> {
    const { state } = new CheckpointStore(path.dirname(path.dirname(dir)), 1).load(dir);
    const out = new Map<string, Buffer>();
    for (const [g, ts] of Object.entries(state.groups)) {
        for (const [n, t] of Object.entries(ts)) out.set(`${g}/${n}`, Buffer.from(t.data.buffer));
    }
    return out;
}

/** Asserts two checkpoints hold bit-identical tensors and the same trainer JSON state. */
export function assertSameCheckpoint(a: string, b: string): void {
    const ta = checkpointBytes(a);
    const tb = checkpointBytes(b);
    assert.deepEqual([...ta.keys()].sort(), [...tb.keys()].sort());
    for (const [k, v] of ta)
        assert.ok(v.equals(tb.get(k)!), `tensor ${k} differs between ${a} and ${b}`);
    const sa = JSON.parse(fs.readFileSync(path.join(a, 'state.json'), 'utf8'));
    const sb = JSON.parse(fs.readFileSync(path.join(b, 'state.json'), 'utf8'));
    assert.deepEqual(sa.trainer, sb.trainer);
    assert.equal(sa.step, sb.step);
}

export function errorOf(
    events: WorkerEvent[],
): Extract<WorkerEvent, { type: 'error' }> | undefined {
    return events.find((e): e is Extract<WorkerEvent, { type: 'error' }> => e.type === 'error');
}
