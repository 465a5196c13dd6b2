/**
 * Answers navigation requests: go to definition, find references, rename (with prepareRename)
 * for named blocks, and workspace symbols across the configs of the workspace folders.
 */
import {
    ResponseError,
    ErrorCodes,
    type Connection,
    type ServerCapabilities,
    type TextDocuments,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisCache } from '../features/analysis-cache';
import { DefaultDefinitionProvider } from '../features/definition-provider';
import { DefaultReferencesProvider } from '../features/references-provider';
import { DefaultRenameProvider } from '../features/rename-provider';
import {
    DefaultWorkspaceSymbolsProvider,
    type ConfigSource,
} from '../features/workspace-symbols-provider';
import type { ServerLog } from './log';

/** What the server announces for navigation (spread into its capabilities). */
export const NAVIGATION_CAPABILITIES: ServerCapabilities = {
    definitionProvider: true,
    referencesProvider: true,
    renameProvider: { prepareProvider: true },
    workspaceSymbolProvider: true,
};

/** What the navigation handlers need from the server. */
export interface NavigationDeps {
    connection: Connection;
    documents: TextDocuments<TextDocument>;
    cache: AnalysisCache;
    configs: ConfigSource;
    log: ServerLog;
}

/** Registers definition, references, rename and workspace symbol handlers. */
export function registerNavigation(deps: NavigationDeps): void {
    const { connection, documents, cache, log } = deps;
    const definition = new DefaultDefinitionProvider(cache);
    const references = new DefaultReferencesProvider(cache);
    const rename = new DefaultRenameProvider(cache);
    const workspace = new DefaultWorkspaceSymbolsProvider(deps.configs);
    const failed = (what: string, e: unknown): void =>
        log.error(
            `${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}. Please report this with the file.`,
        );

    connection.onDefinition((params) => {
        const doc = documents.get(params.textDocument.uri);
        try {
            return doc ? definition.provide(doc, params) : null;
        } catch (e) {
            failed('Go to definition', e);
            return null;
        }
    });
    connection.onReferences((params) => {
        const doc = documents.get(params.textDocument.uri);
        try {
            return doc ? references.provide(doc, params) : [];
        } catch (e) {
            failed('Find references', e);
            return [];
        }
    });
    connection.onPrepareRename((params) => {
        const doc = documents.get(params.textDocument.uri);
        try {
            return doc ? rename.prepare(doc, params) : null;
        } catch (e) {
            failed('Prepare rename', e);
            return null;
        }
    });
    connection.onRenameRequest((params) => {
        const doc = documents.get(params.textDocument.uri);
        if (!doc) return null;
        const r = rename.rename(doc, params);
        // The client shows the message of a rejected rename to the user.
        if (!r.ok) throw new ResponseError(ErrorCodes.InvalidParams, r.message);
        return r.edit;
    });
    connection.onWorkspaceSymbol(async (params) => {
        try {
            return await workspace.provide(params);
        } catch (e) {
            failed('Workspace symbols', e);
            return [];
        }
    });
}
