/**
 * Answers the editor requests of #3 (first half): completion, hover, inlay hints, outline,
 * folding, selection ranges, semantic tokens and formatting. Every handler survives a failing
 * provider: it logs the error and answers empty.
 */
import type { Connection, ServerCapabilities, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisCache } from '../features/analysis-cache';
import { DefaultCompletionProvider } from '../features/completion-provider';
import type { ConfigFolders } from '../features/config-folders';
import { DefaultDocumentSymbolsProvider } from '../features/document-symbols-provider';
import { DefaultFoldingProvider } from '../features/folding-provider';
import { DefaultFormattingProvider } from '../features/formatting-provider';
import { DefaultHoverProvider } from '../features/hover-provider';
import { DefaultInlayHintsProvider } from '../features/inlay-hints-provider';
import { DefaultSelectionRangeProvider } from '../features/selection-range-provider';
import {
    DefaultSemanticTokensProvider,
    SEMANTIC_LEGEND,
} from '../features/semantic-tokens-provider';
import type { ServerLog } from './log';

/** What the server announces for these features (spread into its capabilities). */
export const EDITOR_CAPABILITIES: ServerCapabilities = {
    completionProvider: { triggerCharacters: ['=', '"', '/'], resolveProvider: false },
    hoverProvider: true,
    inlayHintProvider: { resolveProvider: false },
    documentSymbolProvider: { label: 'SPADE config' },
    foldingRangeProvider: true,
    selectionRangeProvider: true,
    semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true, range: false },
    documentFormattingProvider: true,
};

/** What the editor handlers need from the server. */
export interface EditorDeps {
    connection: Connection;
    documents: TextDocuments<TextDocument>;
    cache: AnalysisCache;
    folders: ConfigFolders;
    log: ServerLog;
}

/** Registers the request handlers; each answers from the shared analysis of the document. */
export function registerEditor(deps: EditorDeps): void {
    const { connection, documents, cache, log } = deps;
    const completion = new DefaultCompletionProvider(deps.folders);
    const hover = new DefaultHoverProvider(cache);
    const inlay = new DefaultInlayHintsProvider(cache);
    const symbols = new DefaultDocumentSymbolsProvider(cache);
    const folding = new DefaultFoldingProvider(cache);
    const selection = new DefaultSelectionRangeProvider(cache);
    const tokens = new DefaultSemanticTokensProvider(cache);
    const formatting = new DefaultFormattingProvider(cache);

    /** Runs a provider for an open document; a failure is logged and answered with `empty`. */
    const guard = <P extends { textDocument: { uri: string } }, R>(
        what: string,
        empty: R,
        run: (doc: TextDocument, params: P) => R | Promise<R>,
    ) => {
        return async (params: P): Promise<R> => {
            const doc = documents.get(params.textDocument.uri);
            if (!doc) return empty;
            try {
                return await run(doc, params);
            } catch (e) {
                log.error(
                    `${what} failed for ${doc.uri}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}. Please report this with the file.`,
                );
                return empty;
            }
        };
    };

    connection.onCompletion(guard('Completion', null, (d, p) => completion.provide(d, p)));
    connection.onHover(guard('Hover', null, (d, p) => hover.provide(d, p)));
    connection.languages.inlayHint.on(guard('Inlay hints', [], (d, p) => inlay.provide(d, p)));
    connection.onDocumentSymbol(guard('Outline', [], (d) => symbols.provide(d)));
    connection.onFoldingRanges(guard('Folding', [], (d) => folding.provide(d)));
    connection.onSelectionRanges(guard('Selection ranges', [], (d, p) => selection.provide(d, p)));
    connection.languages.semanticTokens.on(
        guard('Semantic tokens', { data: [] }, (d) => tokens.provide(d)),
    );
    connection.onDocumentFormatting(guard('Formatting', [], (d) => formatting.provide(d)));
}
