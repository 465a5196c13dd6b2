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
import { CODE_ACTION_CAPABILITIES } from './handlers/code-action-handler';
import { registerEditorFixes } from './handlers/dataset-checks-handler';
import { registerDiagnostics } from './handlers/diagnostics-handler';
import { EDITOR_CAPABILITIES, registerEditor } from './handlers/editor-handler';
import { NAVIGATION_CAPABILITIES, registerNavigation } from './handlers/navigation-handler';
import { registerJobs } from './handlers/jobs-handler';
import { registerPreview } from './handlers/preview-handler';
import { ServerLog } from './handlers/log';
import { WatchedFiles } from './handlers/watched-files';
import { DATASET_WATCH_GLOB } from './protocol/dataset';
import { CONFIG_GLOB, type InitializationOptions } from './protocol/lsp';
import { NodeConfigFolders } from './util/config-folders-node';
import { NodeWorkspaceConfigs } from './util/workspace-configs-node';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const log = new ServerLog(connection.console);
let delayMs = 150;
let canWatch = false;
let roots: string[] = [];

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
    roots = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    // The job index comes from the client (its global storage), so jobs are wired here.
    registerJobs({ connection, documents, log, indexFile: init.jobsIndexFile });
    const filters = [{ pattern: { glob: CONFIG_GLOB } }];
    return {
        capabilities: {
            textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
            workspace: { fileOperations: { didRename: { filters }, didDelete: { filters } } },
            ...CODE_ACTION_CAPABILITIES,
            ...EDITOR_CAPABILITIES,
            ...NAVIGATION_CAPABILITIES,
        },
        serverInfo: { name: 'spade-language-server', version: '0.1.0' },
    };
});

connection.onInitialized(() => {
    if (canWatch)
        void connection.client.register(DidChangeWatchedFilesNotification.type, {
            watchers: [{ globPattern: CONFIG_GLOB }, { globPattern: DATASET_WATCH_GLOB }],
        });
    log.info(`SPADE language server ready (pid ${process.pid}, diagnostics delay ${delayMs} ms).`);
});

const cache = new AnalysisCache();
// One handler for watched-file events, shared by diagnostics, dataset checks and symbols.
const watched = new WatchedFiles(connection, log);
// Quick fixes, code lenses and dataset checks; the latter add to the published diagnostics.
const fixes = registerEditorFixes({
    connection,
    documents,
    cache,
    log,
    diagnostics: new DefaultDiagnosticsProvider(),
});
registerDiagnostics({
    connection,
    documents,
    provider: fixes.provider,
    cache,
    log,
    delayMs: () => delayMs,
    watched,
});
watched.listen(fixes.onWatchedFiles);
// Completion, hover, inlay hints, structure, formatting and navigation (#3).
registerEditor({ connection, documents, cache, log, folders: new NodeConfigFolders() });
const configs = new NodeWorkspaceConfigs(
    () => roots,
    () => documents.all(),
);
watched.listen((changes) => configs.watchedFilesChanged(changes));
registerNavigation({ connection, documents, cache, log, configs });
// Mask preview: read/write masks, model info, synthesis (#7).
registerPreview({ connection, log });

documents.listen(connection);
connection.listen();
