/**
 * The extension's entry: starts the SPADE language server for .spade files and gives it one
 * log channel. The server registers its own file watcher (deleted and renamed configs lose
 * their diagnostics). Features arrive as one file each, wired here.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
    LanguageClient,
    TransportKind,
    type LanguageClientOptions,
    type ServerOptions,
} from 'vscode-languageclient/node';
import {
    LANGUAGE_ID,
    type InitializationOptions,
    type LogLevel,
} from '../../server/src/protocol/lsp';
import { registerCodeLensCommands } from './codelens';
import { registerJobs } from './jobs';
import { registerPreview } from './preview';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const log = vscode.window.createOutputChannel('SPADE', { log: true });
    context.subscriptions.push(log);

    const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
    const serverOptions: ServerOptions = {
        run: { module: serverModule, transport: TransportKind.stdio },
        debug: {
            module: serverModule,
            transport: TransportKind.stdio,
            options: { execArgv: ['--nolazy', '--inspect=6009'] },
        },
    };
    const initializationOptions: InitializationOptions = {
        logLevel: levelOf(log.logLevel),
        jobsIndexFile: path.join(context.globalStorageUri.fsPath, 'jobs.json'),
    };
    const clientOptions: LanguageClientOptions = {
        documentSelector: [
            { scheme: 'file', language: LANGUAGE_ID },
            { scheme: 'untitled', language: LANGUAGE_ID },
        ],
        outputChannel: log,
        initializationOptions,
    };
    const started = new LanguageClient(
        'spade',
        'SPADE language server',
        serverOptions,
        clientOptions,
    );
    client = started;
    // Features register at once (VS Code may open a custom editor while the server starts);
    // their requests wait for the server.
    const ready = started.start();
    const deps = {
        sendRequest: async <R>(m: string, p: unknown, t?: vscode.CancellationToken) => {
            await ready;
            return started.sendRequest<R>(m, p, t);
        },
        onNotification: (m: string, h: (p: unknown) => void) => started.onNotification(m, h),
        log,
    };
    const jobs = registerJobs(context, deps);
    registerCodeLensCommands(context, deps);
    context.subscriptions.push(
        registerPreview(context, { ...deps, runFolders: () => jobs.runFolders() }),
    );
    try {
        await ready;
        log.info('SPADE language server started.');
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        log.error(`The SPADE language server did not start: ${message}`);
        const choice = await vscode.window.showErrorMessage(
            `SPADE: the language server did not start (${message}). ` +
                'Reinstall the extension, or see the log for details.',
            'Show log',
        );
        if (choice === 'Show log') log.show();
    }
}

export async function deactivate(): Promise<void> {
    await client?.stop();
    client = undefined;
}

function levelOf(l: vscode.LogLevel): LogLevel {
    switch (l) {
        case vscode.LogLevel.Trace:
        case vscode.LogLevel.Debug:
            return 'debug';
        case vscode.LogLevel.Warning:
            return 'warn';
        case vscode.LogLevel.Error:
            return 'error';
        default:
            return 'info';
    }
}
