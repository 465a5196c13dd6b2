/** Rename a named block with every reference to it; prepareRename says what will be renamed. */
import type {
    PrepareRenameParams,
    Range,
    RenameParams,
    WorkspaceEdit,
} from 'vscode-languageserver';
import { occurrences, renameProblem, symbolAt } from '../language/occurrences';
import type { AnalysisCache, DocumentSnapshot } from './analysis-cache';

/** The outcome of a rename: the edit, or why it cannot be done (shown to the user). */
export type RenameResult = { ok: true; edit: WorkspaceEdit } | { ok: false; message: string };

/** Renames named blocks. */
export interface RenameProvider {
    /** The range and current name under the cursor, or null when nothing there can be renamed. */
    prepare(
        doc: DocumentSnapshot,
        params: PrepareRenameParams,
    ): { range: Range; placeholder: string } | null;
    rename(doc: DocumentSnapshot, params: RenameParams): RenameResult;
}

/** Renames within the document. */
export class DefaultRenameProvider implements RenameProvider {
    constructor(private readonly cache: AnalysisCache) {}

    prepare(
        doc: DocumentSnapshot,
        params: PrepareRenameParams,
    ): { range: Range; placeholder: string } | null {
        const { model, file } = this.cache.get(doc);
        const hit = symbolAt(model, file.lines.offsetAt(params.position));
        return hit ? { range: file.lines.rangeOf(hit.span), placeholder: hit.name } : null;
    }

    rename(doc: DocumentSnapshot, params: RenameParams): RenameResult {
        const { model, file } = this.cache.get(doc);
        const hit = symbolAt(model, file.lines.offsetAt(params.position));
        if (!hit)
            return {
                ok: false,
                message:
                    'Only the names of dataset, generator, discriminator and train blocks can be renamed; put the cursor on one.',
            };
        const problem = renameProblem(model, hit.kind, hit.name, params.newName);
        if (problem) return { ok: false, message: problem };
        const { declarations, references } = occurrences(model, hit.kind, hit.name);
        const edits = [...declarations, ...references]
            .sort((a, b) => a.start - b.start)
            .map((s) => ({ range: file.lines.rangeOf(s), newText: params.newName }));
        return { ok: true, edit: { changes: { [doc.uri]: edits } } };
    }
}
