/**
 * Document formatting through language/format.ts: one edit replacing the text when the
 * layout changes, none when it is already formatted or has syntax errors (a half-typed file
 * is never rearranged under the user).
 */
import type { DocumentFormattingParams, TextEdit } from 'vscode-languageserver';
import { format } from '../language/format';
import type { AnalysisCache, DocumentSnapshot } from './analysis-cache';

/** Formats a whole document. */
export interface FormattingProvider {
    provide(doc: DocumentSnapshot, params: DocumentFormattingParams): TextEdit[];
}

/** The language's one layout (docs/formatting.md); tab size options are not consulted. */
export class DefaultFormattingProvider implements FormattingProvider {
    constructor(private readonly cache: AnalysisCache) {}

    provide(doc: DocumentSnapshot): TextEdit[] {
        const { file } = this.cache.get(doc);
        const out = format(file);
        if (out === undefined || out === file.text) return [];
        return [{ range: file.lines.rangeOf({ start: 0, end: file.text.length }), newText: out }];
    }
}
