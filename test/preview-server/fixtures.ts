/** Fixtures of the preview server tests: random-weights models, run folders, a server client. */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
    createMessageConnection,
    StreamMessageReader,
    StreamMessageWriter,
    type MessageConnection,
} from 'vscode-jsonrpc/node';
import { exportGenerator } from '../../server/src/engine/onnx/export';
import { randomGeneratorState } from '../../server/src/engine/onnx/random-state';
import type { RunOptions } from '../../server/src/engine/options';
import { CheckpointStore } from '../../server/src/jobs/checkpoints';
import { tinyOptions } from '../jobs/fixtures/options';
import { repoRoot } from '../support/shared';

export const uri = (p: string): string => pathToFileURL(p).toString();

/** Options of a tiny generator: `classes` classes, 64x64, optionally a style input. */
export function modelOptions(dir: string, classes: number, zDim = 0): RunOptions {
    return tinyOptions(dir, (o) => {
        o.dataset.labelNc = classes;
        o.dataset.useInstance = true;
        o.generator.ngf = 4;
        o.generator.spadeHidden = 16;
        o.generator.useVae = zDim > 0;
        o.generator.zDim = zDim > 0 ? zDim : 256;
    });
}

/** Writes a random-weights ONNX generator for `o` and returns its path. */
export function writeRandomModel(file: string, o: RunOptions, seed = 5): string {
    const state = randomGeneratorState(o.generator, o.dataset, seed);
    fs.writeFileSync(file, exportGenerator(state, o.generator, o.dataset).bytes);
    return file;
}

/** Writes a run folder with options.json and one checkpoint at `step` (random G weights). */
export async function writeRun(runDir: string, o: RunOptions, step: number): Promise<void> {
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'options.json'), JSON.stringify(o));
    const store = new CheckpointStore(runDir, 2);
    store.prepare();
    const G = Object.fromEntries(randomGeneratorState(o.generator, o.dataset, 9));
    await store.save(
        { step, epoch: 1, seed: 1, trainer: {}, options: o },
        { groups: { G, D: {}, optimizer_G: {}, optimizer_D: {} }, json: {} },
    );
}

/** The built language server (dist/server.js) over stdio. */
export class PreviewServer {
    conn!: MessageConnection;
    private child!: ChildProcess;
    readonly logs: string[] = [];

    /** Builds the bundle and starts the server with `env` added to this process's. */
    async start(env: Record<string, string>): Promise<void> {
        const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
            cwd: repoRoot,
            encoding: 'utf8',
        });
        assert.equal(build.status, 0, `build failed: ${build.stderr}`);
        this.child = spawn(
            process.execPath,
            [path.join(repoRoot, 'dist', 'server.js'), '--stdio'],
            {
                stdio: ['pipe', 'pipe', 'pipe'],
                env: { ...process.env, ...env },
            },
        );
        this.conn = createMessageConnection(
            new StreamMessageReader(this.child.stdout!),
            new StreamMessageWriter(this.child.stdin!),
        );
        this.conn.onNotification('window/logMessage', (p: { message: string }) =>
            this.logs.push(p.message),
        );
        this.conn.listen();
        await this.conn.sendRequest('initialize', {
            processId: process.pid,
            rootUri: null,
            capabilities: {},
            initializationOptions: { logLevel: 'debug' },
        });
        await this.conn.sendNotification('initialized', {});
    }

    /** The server's process id. */
    get pid(): number | undefined {
        return this.child.pid;
    }

    get alive(): boolean {
        return this.child.exitCode === null;
    }

    stop(): void {
        this.conn?.dispose();
        this.child?.kill();
    }
}

/** The error a request failed with (code and message); fails the test when it succeeded. */
export async function failure(p: Promise<unknown>): Promise<{ code: number; message: string }> {
    try {
        await p;
    } catch (e) {
        return e as { code: number; message: string };
    }
    assert.fail('the request succeeded; an error was expected');
}
