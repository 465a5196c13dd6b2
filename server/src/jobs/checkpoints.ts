/**
 * The checkpoints of one run folder: `checkpoints/step-NNNNNNNN/` folders published whole by
 * rename, a `checkpoints/latest` pointer replaced atomically after each save, and the last K
 * kept. A worker killed at any point leaves every published checkpoint intact.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunOptions } from '../engine/options';
import {
    fsyncDir,
    publishDirAtomic,
    removeStaleTemps,
    tempSibling,
    writeFileAtomic,
    writeFileDurable,
} from '../util/atomic';
import { decodeTensors, encodeTensors } from './tensor-file';
import type { TrainerState } from './trainer';

export const CHECKPOINT_FORMAT = 1;
const STATE_FILE = 'state.json';
const POINTER = 'latest';

/** state.json of a checkpoint: written last, lists every file with its size. */
export interface CheckpointMeta {
    format: number;
    step: number;
    /** 1-based epoch the next step belongs to. */
    epoch: number;
    seed: number;
    /** Unix milliseconds. */
    time: number;
    /** Tensor group -> file name and byte size. */
    files: Record<string, { file: string; bytes: number }>;
    /** The trainer's JSON state (RNG, data order). */
    trainer: Record<string, unknown>;
    /** Options the weights were built with; compared on resume. */
    options: RunOptions;
}

export interface CheckpointRef {
    step: number;
    dir: string;
}

/** Tests only: stretch a save so a test can kill the process in the middle of it. */
export interface SaveHooks {
    betweenFiles?: () => Promise<void>;
}

export function checkpointName(step: number): string {
    return `step-${String(step).padStart(8, '0')}`;
}

export class CheckpointStore {
    readonly dir: string;

    constructor(
        runDir: string,
        private readonly keep: number,
    ) {
        this.dir = path.join(runDir, 'checkpoints');
    }

    /** Create the folder and clear temporaries a killed save left behind. */
    prepare(): string[] {
        fs.mkdirSync(this.dir, { recursive: true });
        return removeStaleTemps(this.dir);
    }

    /** Published checkpoints, oldest first. */
    list(): CheckpointRef[] {
        if (!fs.existsSync(this.dir)) return [];
        return fs
            .readdirSync(this.dir)
            .map((name) => ({ name, m: /^step-(\d{8,})$/.exec(name) }))
            .filter((e) => e.m && fs.existsSync(path.join(this.dir, e.name, STATE_FILE)))
            .map((e) => ({ step: Number(e.m![1]), dir: path.join(this.dir, e.name) }))
            .sort((a, b) => a.step - b.step);
    }

    /**
     * The checkpoint to resume from: the one `latest` names, or the newest published one if
     * the pointer is missing or names a folder that is gone.
     */
    latest(): CheckpointRef | undefined {
        const all = this.list();
        const pointer = path.join(this.dir, POINTER);
        if (fs.existsSync(pointer)) {
            const name = fs.readFileSync(pointer, 'utf8').trim();
            const hit = all.find((c) => path.basename(c.dir) === name);
            if (hit) return hit;
        }
        return all[all.length - 1];
    }

    async save(
        meta: Omit<CheckpointMeta, 'files' | 'format' | 'time'>,
        state: TrainerState,
        hooks: SaveHooks = {},
    ): Promise<string> {
        const target = path.join(this.dir, checkpointName(meta.step));
        if (fs.existsSync(target)) this.discard(target);
        await publishDirAtomic(target, async (tmp) => {
            const files: CheckpointMeta['files'] = {};
            for (const group of Object.keys(state.groups).sort()) {
                const bytes = encodeTensors(state.groups[group]);
                const file = `${group}.safetensors`;
                writeFileDurable(path.join(tmp, file), bytes);
                files[group] = { file, bytes: bytes.length };
                if (hooks.betweenFiles) await hooks.betweenFiles();
            }
            const full: CheckpointMeta = {
                ...meta,
                format: CHECKPOINT_FORMAT,
                time: Date.now(),
                files,
                trainer: state.json,
            };
            writeFileDurable(path.join(tmp, STATE_FILE), JSON.stringify(full, null, 2) + '\n');
        });
        writeFileAtomic(path.join(this.dir, POINTER), path.basename(target) + '\n');
        this.prune();
        return target;
    }

    /** Read and verify a checkpoint; errors name the folder and the damaged file. */
    load(dir: string): { meta: CheckpointMeta; state: TrainerState } {
        const statePath = path.join(dir, STATE_FILE);
        let meta: CheckpointMeta;
        try {
            meta = JSON.parse(fs.readFileSync(statePath, 'utf8'));
        } catch (e) {
            throw new Error(`${statePath}: cannot be read (${(e as Error).message}).`, {
                cause: e,
            });
        }
        if (meta.format !== CHECKPOINT_FORMAT) {
            throw new Error(
                `${statePath}: checkpoint format ${meta.format}, this version reads ${CHECKPOINT_FORMAT}.`,
            );
        }
        const groups: TrainerState['groups'] = {};
        for (const [group, { file, bytes }] of Object.entries(meta.files)) {
            const p = path.join(dir, file);
            const data = fs.readFileSync(p);
            if (data.length !== bytes) {
                throw new Error(`${p}: ${data.length} bytes, expected ${bytes}; it is damaged.`);
            }
            groups[group] = decodeTensors(data, p);
        }
        return { meta, state: { groups, json: meta.trainer } };
    }

    /** Keep the newest `keep` checkpoints and never the one `latest` names. */
    prune(): void {
        const all = this.list();
        const latest = this.latest();
        const excess = all.slice(0, Math.max(0, all.length - Math.max(1, this.keep)));
        for (const c of excess) {
            if (latest && c.dir === latest.dir) continue;
            this.discard(c.dir);
        }
    }

    /** Rename first so a kill mid-delete never leaves a half-deleted folder that looks whole. */
    private discard(dir: string): void {
        const trash = tempSibling(dir, 'partial');
        fs.renameSync(dir, trash);
        fsyncDir(this.dir);
        fs.rmSync(trash, { recursive: true, force: true });
    }
}
