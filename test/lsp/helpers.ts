/**
 * Shared harness for LSP tests over stdio: starts the built server, opens inline documents
 * whose cursor positions are marked with `<|>`, and asserts on completion and hover answers.
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
    CompletionItem,
    CompletionList,
    Hover,
    InitializeResult,
    MarkupContent,
    Position,
} from 'vscode-languageserver-protocol';
import { repoRoot } from '../support/shared';

/** The cursor marker in inline test documents. */
export const MARK = '<|>';

/** A document with its markers removed and the position of each marker, in order. */
export function marked(textWithMarkers: string): { text: string; at: Position[] } {
    const at: Position[] = [];
    let text = '';
    let rest = textWithMarkers;
    for (;;) {
        const i = rest.indexOf(MARK);
        if (i < 0) break;
        text += rest.slice(0, i);
        const lines = text.split('\n');
        at.push({ line: lines.length - 1, character: lines[lines.length - 1].length });
        rest = rest.slice(i + MARK.length);
    }
    return { text: text + rest, at };
}

let built = false;

/** A running server and a connection to it. */
export interface TestServer {
    conn: MessageConnection;
    init: InitializeResult;
    child: ChildProcess;
    logs: string[];
    /** Opens a document (version 1). */
    open(uri: string, text: string): Promise<void>;
    /** Opens a document with markers and returns the marker positions. */
    openMarked(uri: string, textWithMarkers: string): Promise<Position[]>;
    stop(): void;
}

/** Builds dist/ once per test process and starts the server with the given workspace roots. */
export async function startServer(workspaceFolders: string[] = []): Promise<TestServer> {
    if (!built) {
        const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
            cwd: repoRoot,
            encoding: 'utf8',
        });
        assert.equal(build.status, 0, `build failed: ${build.stderr}`);
        built = true;
    }
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'server.js'), '--stdio'], {
        stdio: ['pipe', 'pipe', 'pipe'],
    });
    const conn = createMessageConnection(
        new StreamMessageReader(child.stdout),
        new StreamMessageWriter(child.stdin),
    );
    const logs: string[] = [];
    conn.onNotification('window/logMessage', (p: { message: string }) => logs.push(p.message));
    conn.onNotification('textDocument/publishDiagnostics', () => undefined);
    conn.onRequest('client/registerCapability', () => null);
    conn.listen();
    const init: InitializeResult = await conn.sendRequest('initialize', {
        processId: process.pid,
        rootUri: null,
        workspaceFolders: workspaceFolders.map((uri) => ({ uri, name: path.basename(uri) })),
        capabilities: {},
        initializationOptions: { diagnosticsDelayMs: 1000, logLevel: 'debug' },
    });
    await conn.sendNotification('initialized', {});
    const open = (uri: string, text: string): Promise<void> =>
        conn.sendNotification('textDocument/didOpen', {
            textDocument: { uri, languageId: 'spade', version: 1, text },
        });
    return {
        conn,
        init,
        child,
        logs,
        open,
        async openMarked(uri, textWithMarkers) {
            const { text, at } = marked(textWithMarkers);
            await open(uri, text);
            return at;
        },
        stop() {
            conn.dispose();
            child.kill();
        },
    };
}

let counter = 0;

/** A fresh document URI under a folder (file URIs let path completion read the disk). */
export function docUri(dir = '/ws'): string {
    counter++;
    return `file://${dir}/doc${counter}.spade`;
}

/** Requests completion at the first marker of an inline document. */
export async function completeAt(
    s: TestServer,
    textWithMarkers: string,
    uri = docUri(),
): Promise<CompletionItem[]> {
    const [at] = await s.openMarked(uri, textWithMarkers);
    const r: CompletionList | CompletionItem[] | null = await s.conn.sendRequest(
        'textDocument/completion',
        { textDocument: { uri }, position: at },
    );
    return Array.isArray(r) ? r : (r?.items ?? []);
}

/** Asserts that completion at the marker offers `includes` and none of `excludes`. */
export async function expectCompletion(
    s: TestServer,
    textWithMarkers: string,
    expected: { includes?: string[]; excludes?: string[]; exactly?: string[] },
    uri?: string,
): Promise<CompletionItem[]> {
    const items = await completeAt(s, textWithMarkers, uri);
    const labels = items.map((i) => i.label);
    for (const l of expected.includes ?? [])
        assert.ok(labels.includes(l), `completion lacks '${l}'; got ${labels.join(', ')}`);
    for (const l of expected.excludes ?? [])
        assert.ok(!labels.includes(l), `completion offers '${l}'; got ${labels.join(', ')}`);
    if (expected.exactly) assert.deepEqual([...labels].sort(), [...expected.exactly].sort());
    return items;
}

/** Requests hover at the first marker and asserts its text matches every pattern. */
export async function expectHover(
    s: TestServer,
    textWithMarkers: string,
    patterns: RegExp[],
    uri = docUri(),
): Promise<string> {
    const [at] = await s.openMarked(uri, textWithMarkers);
    const h: Hover | null = await s.conn.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position: at,
    });
    assert.ok(h, 'no hover');
    const value = (h.contents as MarkupContent).value;
    for (const p of patterns) assert.match(value, p);
    return value;
}
