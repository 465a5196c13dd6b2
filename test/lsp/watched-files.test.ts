/**
 * Watched-file events reach every listener (the connection takes one handler), and the
 * workspace configs forget their walk when a config is created or deleted, not when one changes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
    FileChangeType,
    type Connection,
    type DidChangeWatchedFilesParams,
    type FileEvent,
    type RemoteConsole,
} from 'vscode-languageserver';
import { ServerLog } from '../../server/src/handlers/log';
import { WatchedFiles } from '../../server/src/handlers/watched-files';
import { NodeWorkspaceConfigs } from '../../server/src/util/workspace-configs-node';

describe('watched files', () => {
    it('hands each batch to every listener, even after one of them throws', () => {
        const handlers: Array<(p: DidChangeWatchedFilesParams) => void> = [];
        const connection = {
            onDidChangeWatchedFiles: (h: (p: DidChangeWatchedFilesParams) => void) =>
                handlers.push(h),
        } as unknown as Connection;
        const errors: string[] = [];
        const log = new ServerLog({
            error: (m: string) => errors.push(m),
        } as unknown as RemoteConsole);
        const watched = new WatchedFiles(connection, log);
        const heard: string[] = [];
        watched.listen((c) => heard.push(`first ${c.length}`));
        watched.listen(() => {
            throw new Error('listener broke');
        });
        watched.listen((c) => heard.push(`last ${c[0].uri}`));
        const changes: FileEvent[] = [
            { uri: 'file:///w/a.spade', type: FileChangeType.Created },
            { uri: 'file:///w/b.png', type: FileChangeType.Changed },
        ];
        assert.equal(handlers.length, 1);
        handlers[0]({ changes });
        assert.deepEqual(heard, ['first 2', 'last file:///w/a.spade']);
        assert.equal(errors.length, 1);
        assert.match(errors[0], /2 watched-file change\(s\) failed: .*listener broke/);
    });

    it('lists a new config after its creation is reported, but not after a mere change', async () => {
        const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-watch-'));
        try {
            fs.writeFileSync(path.join(ws, 'one.spade'), 'dataset a {}\n');
            const configs = new NodeWorkspaceConfigs(
                () => [pathToFileURL(ws).toString()],
                () => [],
            );
            const names = async () =>
                (await configs.configs()).map((c) => path.basename(new URL(c.uri).pathname));
            assert.deepEqual(await names(), ['one.spade']);
            const two = path.join(ws, 'two.spade');
            fs.writeFileSync(two, 'dataset b {}\n');
            const event = (type: FileChangeType) => [{ uri: pathToFileURL(two).toString(), type }];
            configs.watchedFilesChanged(event(FileChangeType.Changed));
            // The walk is reused: a changed config cannot add a file to it.
            assert.deepEqual(await names(), ['one.spade']);
            configs.watchedFilesChanged(event(FileChangeType.Created));
            assert.deepEqual((await names()).sort(), ['one.spade', 'two.spade']);
            fs.rmSync(two);
            configs.watchedFilesChanged(event(FileChangeType.Deleted));
            assert.deepEqual(await names(), ['one.spade']);
        } finally {
            fs.rmSync(ws, { recursive: true, force: true });
        }
    });
});
