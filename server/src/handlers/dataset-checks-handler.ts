/**
 * Runs the dataset checks in the background after edits, republishes a config's diagnostics
 * when a check finishes, re-runs checks when watched files change, and answers the
 * `spade/checkDataset` request of the Check data lens.
 */
import {
    type Connection,
    type Diagnostic,
    type FileEvent,
    type TextDocuments,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import type { AnalysisCache } from '../features/analysis-cache';
import { NodeDatasetFiles } from '../features/dataset-checks-files';
import { DatasetChecks } from '../features/dataset-checks-provider';
import { setDatasetHoverSource } from '../features/dataset-hover';
import type { CheckBudget } from '../features/dataset-checks-run';
import type { DiagnosticsProvider } from '../features/diagnostics-provider';
import {
    CHECK_DATASET_REQUEST,
    type CheckDatasetParams,
    type CheckDatasetResult,
} from '../protocol/dataset';
import { registerCodeActions } from './code-action-handler';
import type { ServerLog } from './log';

/** What the dataset-check handler needs from the server. */
export interface DatasetChecksDeps {
    connection: Connection;
    documents: TextDocuments<TextDocument>;
    cache: AnalysisCache;
    checks: DatasetChecks;
    /** The language diagnostics provider, wrapped by `withDatasetDiagnostics`. */
    diagnostics: DatasetAwareProvider;
    log: ServerLog;
    /** Quiet time after an edit before the datasets are looked at again. */
    delayMs: number;
    /** The budget of an explicit check (the Check data lens). */
    explicitBudget: CheckBudget;
}

/** A diagnostics provider that appends dataset diagnostics and remembers what it published. */
export interface DatasetAwareProvider extends DiagnosticsProvider {
    last(uri: string): { version: number; diagnostics: Diagnostic[] } | undefined;
    /** Forgets a closed document (a reopened one starts again at version 1). */
    forget(uri: string): void;
}

/** Wraps the language diagnostics so every publish carries the dataset findings too. */
export function withDatasetDiagnostics(
    inner: DiagnosticsProvider,
    checks: DatasetChecks,
): DatasetAwareProvider {
    const last = new Map<string, { version: number; diagnostics: Diagnostic[] }>();
    return {
        async provide(doc, token) {
            const r = await inner.provide(doc, token);
            if (!r) return r;
            last.set(doc.uri, { version: doc.version, diagnostics: r.diagnostics });
            return {
                ...r,
                diagnostics: [...r.diagnostics, ...checks.diagnostics(doc.uri, r.analysis)],
            };
        },
        last: (uri) => last.get(uri),
        forget: (uri) => void last.delete(uri),
    };
}

/** Wires the checks; returns their watched-files listener. */
export function registerDatasetChecks(deps: DatasetChecksDeps): (changes: FileEvent[]) => void {
    const { connection, documents, cache, checks, log } = deps;
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const changed: string[] = [];
    let watchTimer: ReturnType<typeof setTimeout> | undefined;

    checks.onError = (m) => log.error(m);
    checks.onDidUpdate = (uri) => {
        const doc = documents.get(uri);
        const published = deps.diagnostics.last(uri);
        // A newer version is being checked; its publish will carry these results.
        if (!doc || published?.version !== doc.version) return;
        const extra = checks.diagnostics(uri, cache.get(doc));
        log.debug(`dataset check of ${uri} finished: ${extra.length} diagnostics`);
        void connection.sendDiagnostics({
            uri,
            version: doc.version,
            diagnostics: [...published.diagnostics, ...extra],
        });
    };

    documents.onDidChangeContent((e) => {
        const uri = e.document.uri;
        clearTimeout(timers.get(uri));
        timers.set(
            uri,
            setTimeout(() => {
                timers.delete(uri);
                const doc = documents.get(uri);
                if (doc) checks.update(uri, cache.get(doc));
            }, deps.delayMs),
        );
    });
    documents.onDidClose((e) => {
        clearTimeout(timers.get(e.document.uri));
        checks.close(e.document.uri);
        deps.diagnostics.forget(e.document.uri);
    });

    connection.onRequest(
        CHECK_DATASET_REQUEST,
        async (p: CheckDatasetParams): Promise<CheckDatasetResult> => {
            const doc = documents.get(p.uri);
            if (!doc)
                return { summaries: [], message: `${p.uri} is not open; open it and try again.` };
            if (!checks.configDir(p.uri))
                return {
                    summaries: [],
                    message:
                        `${p.uri} is not saved on disk, so its dataset paths ` +
                        'have no folder to be relative to. Save it first.',
                };
            const summaries = await checks.checkNow(
                p.uri,
                cache.get(doc),
                p.dataset,
                deps.explicitBudget,
            );
            return summaries.length
                ? { summaries }
                : {
                      summaries,
                      message: `${p.uri} has no dataset block${p.dataset ? ` named '${p.dataset}'` : ''}.`,
                  };
        },
    );

    return (changes) => {
        const files = changes
            .filter((c) => c.uri.startsWith('file:') && !c.uri.endsWith('.spade'))
            .map((c) => fileURLToPath(c.uri));
        if (files.length === 0) return;
        // Copying a dataset in sends many batches; re-check once they pause.
        changed.push(...files);
        clearTimeout(watchTimer);
        watchTimer = setTimeout(() => {
            log.debug(`${changed.length} watched dataset file(s) changed`);
            checks.filesChanged(changed.splice(0));
        }, deps.delayMs);
    };
}

/** What `registerEditorFixes` hands back to the server's wiring. */
export interface EditorFixesWiring {
    /** The diagnostics provider to give the diagnostics handler (adds dataset findings). */
    provider: DiagnosticsProvider;
    /** To add to the server's watched-files listeners (re-checks changed datasets). */
    onWatchedFiles: (changes: FileEvent[]) => void;
}

/**
 * Quick fixes, code lenses and background dataset checks in one call, so the server's
 * wiring stays a few lines. The dataset checks also answer the dataset hover section.
 */
export function registerEditorFixes(deps: {
    connection: Connection;
    documents: TextDocuments<TextDocument>;
    cache: AnalysisCache;
    log: ServerLog;
    diagnostics: DiagnosticsProvider;
}): EditorFixesWiring {
    const checks = new DatasetChecks(new NodeDatasetFiles());
    setDatasetHoverSource(checks);
    const provider = withDatasetDiagnostics(deps.diagnostics, checks);
    registerCodeActions({ ...deps, datasets: checks });
    const onWatchedFiles = registerDatasetChecks({
        ...deps,
        checks,
        diagnostics: provider,
        delayMs: 300,
        explicitBudget: { timeMs: 60_000, maxSamples: 100_000 },
    });
    return { provider, onWatchedFiles };
}
