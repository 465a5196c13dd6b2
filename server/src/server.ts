/**
 * The language server over stdio (the client starts it with --stdio). Wiring only: features
 * live in features/, and only handlers/ talks to the connection.
 */
import {
    createConnection,
    DidChangeWatchedFilesNotification,
    ProposedFeatures,
    TextDocuments,
    TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisCache } from './features/analysis-cache';
import { DefaultDiagnosticsProvider } from './features/diagnostics-provider';
import { registerDiagnostics } from './handlers/diagnostics-handler';
import { registerJobs } from './handlers/jobs-handler';
import { ServerLog } from './handlers/log';
import { CONFIG_GLOB, type InitializationOptions } from './protocol/lsp';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const log = new ServerLog(connection.console);
let delayMs = 150;
let canWatch = false;

/** Logs a stray failure without ending the process; a closed connection only drops the log. */
function survive(what: string): void {
    try {
        log.error(`${what}. The server keeps running; please report this.`);
    } catch {
        // The client is gone; nothing is left to tell.
    }
}
process.on('uncaughtException', (e) => survive(`Unexpected error: ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => survive(`Unexpected rejection: ${String(e)}`));

connection.onInitialize((params) => {
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    log.setLevel(init.logLevel);
    if (typeof init.diagnosticsDelayMs === 'number' && init.diagnosticsDelayMs >= 0)
        delayMs = init.diagnosticsDelayMs;
    canWatch = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    // The job index comes from the client (its global storage), so jobs are wired here.
    registerJobs({ connection, documents, log, indexFile: init.jobsIndexFile });
    const filters = [{ pattern: { glob: CONFIG_GLOB } }];
    return {
        capabilities: {
            textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
            workspace: { fileOperations: { didRename: { filters }, didDelete: { filters } } },
        },
        serverInfo: { name: 'spade-language-server', version: '0.1.0' },
    };
});

connection.onInitialized(() => {
    if (canWatch)
        void connection.client.register(DidChangeWatchedFilesNotification.type, {
            watchers: [{ globPattern: CONFIG_GLOB }],
        });
    log.info(`SPADE language server ready (pid ${process.pid}, diagnostics delay ${delayMs} ms).`);
});

registerDiagnostics({
    connection,
    documents,
    provider: new DefaultDiagnosticsProvider(),
    cache: new AnalysisCache(),
    log,
    delayMs: () => delayMs,
});

documents.listen(connection);
connection.listen();
