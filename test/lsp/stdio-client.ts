/**
 * A small LSP client over stdio for tests: starts the server from source (through tsx),
 * records published diagnostics and waits on them by predicate, never by sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
    createMessageConnection,
    StreamMessageReader,
    StreamMessageWriter,
    type MessageConnection,
} from 'vscode-jsonrpc/node';
import type {
    InitializeResult,
    PublishDiagnosticsParams,
    TextEdit,
    WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { repoRoot } from '../support/shared';

/** A running server and the documents the test has open in it. */
export class StdioClient {
    readonly published: PublishDiagnosticsParams[] = [];
    readonly logs: string[] = [];
    init!: InitializeResult;
    private child!: ChildProcess;
    conn!: MessageConnection;
    private readonly waiters: Array<() => void> = [];
    private readonly texts = new Map<string, { text: string; version: number }>();

    async start(capabilities: object = {}): Promise<void> {
        this.child = spawn(
            process.execPath,
            ['--import', 'tsx', path.join(repoRoot, 'server', 'src', 'server.ts'), '--stdio'],
            { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] },
        );
        this.conn = createMessageConnection(
            new StreamMessageReader(this.child.stdout!),
            new StreamMessageWriter(this.child.stdin!),
        );
        this.conn.onNotification(
            'textDocument/publishDiagnostics',
            (p: PublishDiagnosticsParams) => {
                this.published.push(p);
                for (const w of this.waiters.splice(0)) w();
            },
        );
        this.conn.onNotification('window/logMessage', (p: { message: string }) =>
            this.logs.push(p.message),
        );
        this.conn.onRequest('client/registerCapability', () => null);
        this.conn.listen();
        this.init = await this.conn.sendRequest('initialize', {
            processId: process.pid,
            rootUri: null,
            capabilities,
            initializationOptions: { diagnosticsDelayMs: 20, logLevel: 'debug' },
        });
        await this.conn.sendNotification('initialized', {});
    }

    stop(): void {
        this.conn?.dispose();
        this.child?.kill();
    }

    get alive(): boolean {
        return this.child.exitCode === null;
    }

    /** Resolves with the first publish at index >= after that matches. */
    diagnostics(
        uri: string,
        match: (p: PublishDiagnosticsParams) => boolean,
        after = 0,
        timeoutMs = 15000,
    ): Promise<PublishDiagnosticsParams> {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                const got = this.published.filter((p) => p.uri === uri);
                reject(new Error(`no matching diagnostics for ${uri}; got ${JSON.stringify(got)}`));
            }, timeoutMs);
            const look = (): boolean => {
                const hit = this.published.find((p, i) => i >= after && p.uri === uri && match(p));
                if (!hit) return false;
                clearTimeout(timer);
                resolve(hit);
                return true;
            };
            const wait = (): void => {
                if (!look()) this.waiters.push(wait);
            };
            wait();
        });
    }

    async open(uri: string, text: string): Promise<void> {
        this.texts.set(uri, { text, version: 1 });
        await this.conn.sendNotification('textDocument/didOpen', {
            textDocument: { uri, languageId: 'spade', version: 1, text },
        });
    }

    async close(uri: string): Promise<void> {
        this.texts.delete(uri);
        await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }

    /** Replaces the whole text; returns the new version. */
    async change(uri: string, text: string): Promise<number> {
        const d = this.texts.get(uri)!;
        d.text = text;
        d.version++;
        await this.conn.sendNotification('textDocument/didChange', {
            textDocument: { uri, version: d.version },
            contentChanges: [{ text }],
        });
        return d.version;
    }

    text(uri: string): string {
        return this.texts.get(uri)!.text;
    }

    /** Applies a workspace edit's changes for `uri` to the test's copy and sends it. */
    async apply(uri: string, edit: WorkspaceEdit | undefined): Promise<number> {
        const edits: TextEdit[] = edit?.changes?.[uri] ?? [];
        const doc = TextDocument.create(uri, 'spade', 0, this.text(uri));
        return this.change(uri, TextDocument.applyEdits(doc, edits));
    }
}
