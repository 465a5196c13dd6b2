/**
 * Checks a start can succeed before anything is created (run folder, worker), so a refused
 * start leaves nothing behind and is reported once. The runner checks the checkpoints for
 * every caller; the CLI also checks the data folders (in the editor the dataset checks show
 * them as diagnostics, and test trainers read no data). The worker repeats the checkpoint
 * checks, since another start may have raced this one.
 */
import * as fs from 'node:fs';
import { datasetFolders } from '../data/dataset';
import type { DatasetOptions } from '../engine/options';
import type { StartMode } from '../protocol/worker';
import { CheckpointStore } from './checkpoints';

/** Why a start is refused before anything is created (worded as the worker words it). */
export interface PreflightRefusal {
    code: 'run-exists' | 'no-checkpoint';
    message: string;
}

/** Why `mode` cannot start in `runDir` as its checkpoints stand, or undefined when it can. */
export function checkpointRefusal(runDir: string, mode: StartMode): PreflightRefusal | undefined {
    // `keep` only matters when pruning, which this never does.
    const latest = new CheckpointStore(runDir, 1).latest();
    if (mode === 'fresh' && latest) {
        return {
            code: 'run-exists',
            message:
                `The run folder ${runDir} already holds checkpoints up to step ${latest.step}. ` +
                'Use Resume to continue it, or choose another run name to start over.',
        };
    }
    if (mode === 'resume' && !latest) {
        return {
            code: 'no-checkpoint',
            message:
                `Nothing to resume in ${runDir}: no checkpoint has been saved there. ` +
                'Start a new training instead.',
        };
    }
    return undefined;
}

/** One message per dataset folder that does not exist, saying what to fix. */
export function missingDataFolders(ds: DatasetOptions): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const [what, dir] of Object.entries(datasetFolders(ds))) {
        if (!dir || seen.has(dir) || fs.existsSync(dir)) continue;
        seen.add(dir);
        const fix =
            ds.mode === 'custom'
                ? `Check ${what}_dir in the dataset block, or create the folder ` +
                  '(for the procedural landscapes: spade make-scenes).'
                : `Dataset mode ${ds.mode} reads it under root (${ds.root}); check root.`;
        out.push(`${dir}: the ${what} folder does not exist. ${fix}`);
    }
    return out;
}
