/** Find references: every use of a named block, with its declaration when asked. */
import type { Location, ReferenceParams } from 'vscode-languageserver';
import { occurrences, symbolAt } from '../language/occurrences';
import type { AnalysisCache, DocumentSnapshot } from './analysis-cache';

/** Lists the occurrences of the named block at a position. */
export interface ReferencesProvider {
    provide(doc: DocumentSnapshot, params: ReferenceParams): Location[];
}

/** References within the document, in document order. */
export class DefaultReferencesProvider implements ReferencesProvider {
    constructor(private readonly cache: AnalysisCache) {}

    provide(doc: DocumentSnapshot, params: ReferenceParams): Location[] {
        const { model, file } = this.cache.get(doc);
        const hit = symbolAt(model, file.lines.offsetAt(params.position));
        if (!hit) return [];
        const { declarations, references } = occurrences(model, hit.kind, hit.name);
        const spans = params.context.includeDeclaration
            ? [...declarations, ...references]
            : references;
        return spans
            .sort((a, b) => a.start - b.start)
            .map((s) => ({ uri: doc.uri, range: file.lines.rangeOf(s) }));
    }
}
