/**
 * The built language server over stdio: initialize, open documents, await publishDiagnostics,
 * and the clearing of diagnostics for closed, deleted and renamed files. Waits on events only.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
    createMessageConnection,
    StreamMessageReader,
    StreamMessageWriter,
    type MessageConnection,
} from 'vscode-jsonrpc/node';
import type {
    Diagnostic,
    InitializeResult,
    PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import { repoRoot } from '../support/shared';

interface Published extends PublishDiagnosticsParams {
    at: number;
}

describe('language server over stdio', function () {
    let child: ChildProcess;
    let conn: MessageConnection;
    const published: Published[] = [];
    const logs: string[] = [];
    const waiters: Array<() => void> = [];
    let init: InitializeResult;

    /** Resolves with the first publish (already received or coming) that matches. */
    function diagnostics(
        uri: string,
        match: (p: PublishDiagnosticsParams) => boolean,
        after = 0,
    ): Promise<Published> {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(
                () =>
                    reject(
                        new Error(
                            `no matching diagnostics for ${uri}; got ${JSON.stringify(published.filter((p) => p.uri === uri))}`,
                        ),
                    ),
                10000,
            );
            const look = (): boolean => {
                const hit = published.find((p, i) => i >= after && p.uri === uri && match(p));
                if (!hit) return false;
                clearTimeout(timer);
                resolve(hit);
                return true;
            };
            if (!look()) waiters.push(() => void look());
        });
    }

    const open = (uri: string, text: string, version = 1) =>
        conn.sendNotification('textDocument/didOpen', {
            textDocument: { uri, languageId: 'spade', version, text },
        });
    const change = (uri: string, text: string, version: number) =>
        conn.sendNotification('textDocument/didChange', {
            textDocument: { uri, version },
            contentChanges: [{ text }],
        });
    const codes = (ds: Diagnostic[]) => ds.map((d) => d.code);

    before(async function () {
        this.timeout(120000);
        const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
            cwd: repoRoot,
            encoding: 'utf8',
        });
        assert.equal(build.status, 0, `build failed: ${build.stderr}`);
        child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'server.js'), '--stdio'], {
            stdio: ['pipe', 'pipe', 'pipe'],
        });
        conn = createMessageConnection(
            new StreamMessageReader(child.stdout!),
            new StreamMessageWriter(child.stdin!),
        );
        conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
            published.push({ ...p, at: Date.now() });
            for (const w of waiters.splice(0)) w();
        });
        conn.onNotification('window/logMessage', (p: { message: string }) => logs.push(p.message));
        conn.listen();
        init = await conn.sendRequest('initialize', {
            processId: process.pid,
            rootUri: null,
            capabilities: {},
            initializationOptions: { diagnosticsDelayMs: 40, logLevel: 'debug' },
        });
        await conn.sendNotification('initialized', {});
    });

    after(() => {
        conn?.dispose();
        child?.kill();
    });

    it('announces incremental sync and rename/delete file operations for .spade files', () => {
        assert.equal((init.capabilities.textDocumentSync as { change: number }).change, 2);
        assert.equal(
            init.capabilities.workspace?.fileOperations?.didRename?.filters[0].pattern.glob,
            '**/*.spade',
        );
    });

    it('publishes diagnostics with codes and UTF-16 ranges when a document opens', async () => {
        const uri = 'file:///ws/open.spade';
        await open(
            uri,
            'dataset a {\r\n    mode = custom\r\n    classes = -1\r\n    label_dir = "l"\r\n    image_dir = "i"\r\n}\r\n',
        );
        const p = await diagnostics(uri, () => true);
        assert.deepEqual(codes(p.diagnostics), ['SP3002']);
        assert.deepEqual(p.diagnostics[0].range, {
            start: { line: 2, character: 14 },
            end: { line: 2, character: 16 },
        });
        assert.equal(p.diagnostics[0].source, 'spade');
    });

    it('checks only the last of several quick edits (earlier runs are debounced away)', async () => {
        const uri = 'file:///ws/edit.spade';
        await open(uri, 'generator g {}\n');
        await diagnostics(uri, (p) => p.version === 1);
        const mark = published.length;
        await change(uri, 'generator g { ngf = -1 }\n', 2);
        await change(uri, 'generator g { ngf = -2 }\n', 3);
        await change(uri, 'generator g { ngf = x }\n', 4);
        const p = await diagnostics(uri, (q) => q.version === 4, mark);
        assert.deepEqual(codes(p.diagnostics), ['SP3001']);
        const versions = published
            .slice(mark)
            .filter((q) => q.uri === uri)
            .map((q) => q.version);
        assert.deepEqual(versions, [4]);
    });

    it('clears diagnostics when a document closes', async () => {
        const uri = 'file:///ws/close.spade';
        await open(uri, 'datset x {}\n');
        await diagnostics(uri, (p) => p.diagnostics.length === 1);
        const mark = published.length;
        await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
        await diagnostics(uri, (p) => p.diagnostics.length === 0, mark);
    });

    it('clears diagnostics of a file with errors deleted while open', async () => {
        const uri = 'file:///ws/deleted.spade';
        await open(uri, 'datset x {}\n');
        await diagnostics(uri, (p) => p.diagnostics.length === 1);
        const mark = published.length;
        await conn.sendNotification('workspace/didChangeWatchedFiles', {
            changes: [{ uri, type: 3 }],
        });
        const p = await diagnostics(uri, () => true, mark);
        assert.deepEqual(p.diagnostics, []);
    });

    it('clears diagnostics of a file with errors renamed while open', async () => {
        const uri = 'file:///ws/renamed.spade';
        await open(uri, 'datset x {}\n');
        await diagnostics(uri, (p) => p.diagnostics.length === 1);
        const mark = published.length;
        await conn.sendNotification('workspace/didRenameFiles', {
            files: [{ oldUri: uri, newUri: 'file:///ws/renamed2.spade' }],
        });
        const p = await diagnostics(uri, () => true, mark);
        assert.deepEqual(p.diagnostics, []);
    });

    it('carries quick-fix data and the unnecessary tag to the client', async () => {
        const uri = 'file:///ws/data.spade';
        await open(uri, 'generator g { upsamplng = more  style = off  z_dim = 8 }\n');
        const p = await diagnostics(uri, (q) => q.diagnostics.length === 2);
        const typo = p.diagnostics.find((d) => d.code === 'SP2002');
        assert.deepEqual((typo?.data as { replacements: string[] }).replacements, ['upsampling']);
        assert.deepEqual(p.diagnostics.find((d) => d.code === 'SP5001')?.tags, [1]);
    });

    it('logs through the connection with levels', () => {
        assert.ok(
            logs.some((l) => /SPADE language server ready/.test(l)),
            logs.join('\n'),
        );
        assert.ok(logs.some((l) => /checked file:\/\/\/ws\/open\.spade v1/.test(l)));
    });

    it('survives a document of random garbage and keeps serving', async () => {
        const uri = 'file:///ws/garbage.spade';
        await open(uri, '\u0000{{{]]]"\\\u{1F600}\r\r\n=== dataset dataset {');
        const p = await diagnostics(uri, () => true);
        assert.ok(p.diagnostics.length > 0);
        assert.equal(child.exitCode, null);
    });
});
