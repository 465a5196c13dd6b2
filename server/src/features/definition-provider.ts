/** Go to definition: from a block name used as a value to the block that declares it. */
import type { DefinitionParams, Location } from 'vscode-languageserver';
import { symbolAt } from '../language/occurrences';
import type { AnalysisCache, DocumentSnapshot } from './analysis-cache';

/** Finds the declaration of the named block at a position. */
export interface DefinitionProvider {
    provide(doc: DocumentSnapshot, params: DefinitionParams): Location | null;
}

/** Definitions within the document (configs do not refer to each other). */
export class DefaultDefinitionProvider implements DefinitionProvider {
    constructor(private readonly cache: AnalysisCache) {}

    provide(doc: DocumentSnapshot, params: DefinitionParams): Location | null {
        const { model, file } = this.cache.get(doc);
        const hit = symbolAt(model, file.lines.offsetAt(params.position));
        if (!hit?.block?.name) return null;
        return { uri: doc.uri, range: file.lines.rangeOf(hit.block.name) };
    }
}
