/** Answers textDocument/codeAction with quick fixes and textDocument/codeLens with lenses. */
import {
    CodeActionKind,
    type Connection,
    type ServerCapabilities,
    type TextDocuments,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisCache } from '../features/analysis-cache';
import { provideCodeActions } from '../features/code-action-provider';
import { provideCodeLenses, type DatasetResults } from '../features/code-lens-provider';

/** What the server announces for quick fixes and lenses (spread into its capabilities). */
export const CODE_ACTION_CAPABILITIES: ServerCapabilities = {
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    codeLensProvider: { resolveProvider: false },
};

/** What the code action and lens handlers need from the server. */
export interface CodeActionDeps {
    connection: Connection;
    documents: TextDocuments<TextDocument>;
    cache: AnalysisCache;
    datasets?: DatasetResults;
}

export function registerCodeActions(deps: CodeActionDeps): void {
    const { connection, documents, cache } = deps;
    connection.onCodeAction((params) => {
        const doc = documents.get(params.textDocument.uri);
        if (!doc) return [];
        return provideCodeActions(doc.uri, cache.get(doc).file.lines, params);
    });
    connection.onCodeLens((params) => {
        const doc = documents.get(params.textDocument.uri);
        if (!doc) return [];
        return provideCodeLenses(doc.uri, cache.get(doc), deps.datasets);
    });
}
