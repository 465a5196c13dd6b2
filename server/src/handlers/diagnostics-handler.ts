/**
 * Publishes diagnostics: at once on open, debounced on change (a newer edit cancels the run
 * in flight), and cleared when a document is closed, deleted or renamed.
 */
import {
    CancellationTokenSource,
    FileChangeType,
    type Connection,
    type TextDocuments,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisCache } from '../features/analysis-cache';
import type { DiagnosticsProvider } from '../features/diagnostics-provider';
import type { ServerLog } from './log';
import type { WatchedFiles } from './watched-files';

/** What the diagnostics handler needs from the server. */
export interface DiagnosticsDeps {
    connection: Connection;
    documents: TextDocuments<TextDocument>;
    provider: DiagnosticsProvider;
    cache: AnalysisCache;
    log: ServerLog;
    delayMs: () => number;
    /** Watched-file events (a deleted config loses its diagnostics). */
    watched: WatchedFiles;
}

/** Wires document and workspace events to diagnostics publishing. */
export function registerDiagnostics(deps: DiagnosticsDeps): void {
    const { connection, documents, provider, cache, log } = deps;
    const pending = new Map<
        string,
        { source: CancellationTokenSource; timer: ReturnType<typeof setTimeout> }
    >();
    const checked = new Set<string>();

    const cancel = (uri: string): void => {
        const p = pending.get(uri);
        if (!p) return;
        clearTimeout(p.timer);
        p.source.cancel();
        pending.delete(uri);
    };

    const clear = (uri: string, why: string): void => {
        cancel(uri);
        checked.delete(uri);
        cache.delete(uri);
        log.debug(`diagnostics cleared for ${uri} (${why})`);
        void connection.sendDiagnostics({ uri, diagnostics: [] });
    };

    const run = async (uri: string, source: CancellationTokenSource): Promise<void> => {
        const doc = documents.get(uri);
        if (!doc) return;
        const started = Date.now();
        try {
            const result = await provider.provide(doc, source.token);
            if (
                !result ||
                source.token.isCancellationRequested ||
                documents.get(uri)?.version !== doc.version
            ) {
                log.debug(`check of ${uri} v${doc.version} superseded`);
                return;
            }
            pending.delete(uri);
            cache.put(doc, result.analysis);
            await connection.sendDiagnostics({
                uri,
                version: doc.version,
                diagnostics: result.diagnostics,
            });
            log.debug(
                `checked ${uri} v${doc.version}: ` +
                    `${result.diagnostics.length} diagnostics in ${Date.now() - started} ms`,
            );
        } catch (e) {
            const why = e instanceof Error ? (e.stack ?? e.message) : String(e);
            log.error(`Checking ${uri} failed: ${why}. Please report this with the file.`);
        }
    };

    const schedule = (uri: string, delay: number): void => {
        cancel(uri);
        const source = new CancellationTokenSource();
        const timer = setTimeout(() => void run(uri, source), delay);
        pending.set(uri, { source, timer });
    };

    documents.onDidChangeContent((e) => {
        const uri = e.document.uri;
        // The first content of a document (its open) is checked at once; edits wait for a pause.
        schedule(uri, checked.has(uri) ? deps.delayMs() : 0);
        checked.add(uri);
    });
    documents.onDidClose((e) => clear(e.document.uri, 'closed'));
    deps.watched.listen((changes) => {
        for (const c of changes)
            if (c.type === FileChangeType.Deleted && c.uri.endsWith('.spade'))
                clear(c.uri, 'deleted');
    });
    connection.workspace.onDidRenameFiles((params) => {
        for (const f of params.files) clear(f.oldUri, `renamed to ${f.newUri}`);
    });
    connection.workspace.onDidDeleteFiles((params) => {
        for (const f of params.files) clear(f.uri, 'deleted');
    });
}
