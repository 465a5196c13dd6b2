/**
 * What the installed build offers, asked of the build itself: its manifest (commands, custom
 * editors) and its language server (capabilities, and whether custom requests are handled).
 * A scenario whose feature is missing reports itself skipped with the reason this finds,
 * so it switches on by itself once the feature lands.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
    createMessageConnection,
    ResponseError,
    StreamMessageReader,
    StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import type { InitializeResult } from 'vscode-languageserver-protocol';

/** The parts of the installed extension's package.json the scenarios look at. */
export interface Manifest {
    commands: { command: string; title: string; category?: string }[];
    customEditors: { viewType: string; selector: { filenamePattern: string }[] }[];
}

/** What the language server answered. */
export interface ServerFacts {
    capabilities: InitializeResult['capabilities'];
    /** Per probed method: undefined when handled, else why not (MethodNotFound or its error). */
    methods: Record<string, string | undefined>;
}

export function readManifest(extensionDir: string): Manifest {
    const pkg = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
    const contributes = pkg.contributes ?? {};
    return { commands: contributes.commands ?? [], customEditors: contributes.customEditors ?? [] };
}

/** The palette title of a contributed command ("Category: Title"), or undefined. */
export function commandTitle(m: Manifest, id: string): string | undefined {
    const c = m.commands.find((x) => x.command === id);
    if (!c) return undefined;
    return c.category ? `${c.category}: ${c.title}` : c.title;
}

/**
 * Starts the installed server over stdio, initializes it on the workspace, sends each probe
 * request and records whether it is handled, then shuts it down.
 */
export async function probeServer(
    extensionDir: string,
    workspace: string,
    probes: Record<string, unknown>,
): Promise<ServerFacts> {
    const child = spawn(
        process.execPath,
        [path.join(extensionDir, 'dist', 'server.js'), '--stdio'],
        {
            cwd: workspace,
            stdio: ['pipe', 'pipe', 'ignore'],
        },
    );
    const conn = createMessageConnection(
        new StreamMessageReader(child.stdout),
        new StreamMessageWriter(child.stdin),
    );
    conn.listen();
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
        const uri = pathToFileURL(workspace).toString();
        const init = await conn.sendRequest<InitializeResult>('initialize', {
            processId: process.pid,
            rootUri: uri,
            workspaceFolders: [{ uri, name: 'workspace' }],
            capabilities: {},
        });
        await conn.sendNotification('initialized', {});
        const methods: Record<string, string | undefined> = {};
        for (const [method, params] of Object.entries(probes)) {
            try {
                await conn.sendRequest(method, params);
                methods[method] = undefined;
            } catch (e) {
                methods[method] =
                    e instanceof ResponseError && e.code === -32601
                        ? `the language server does not handle ${method} yet`
                        : `the language server answered ${method} with: ${String((e as Error).message)}`;
            }
        }
        await conn.sendRequest('shutdown');
        await conn.sendNotification('exit');
        return { capabilities: init.capabilities, methods };
    } finally {
        clearTimeout(timer);
        conn.dispose();
        if (child.exitCode === null) child.kill();
    }
}
