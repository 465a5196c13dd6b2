/** The outline: top-level blocks with their nested blocks and properties. */
import { SymbolKind, type DocumentSymbol, type DocumentSymbolParams } from 'vscode-languageserver';
import { valueText, type BlockNode } from '../language/ast';
import type { LineIndex } from '../language/text';
import type { AnalysisCache, DocumentSnapshot } from './analysis-cache';

/** Computes the outline of a document. */
export interface DocumentSymbolsProvider {
    provide(doc: DocumentSnapshot, params: DocumentSymbolParams): DocumentSymbol[];
}

/** Symbol kinds per top-level block kind, so the outline's icons tell them apart. */
export const BLOCK_SYMBOL_KIND: Record<string, SymbolKind> = {
    dataset: SymbolKind.Module,
    generator: SymbolKind.Class,
    discriminator: SymbolKind.Class,
    train: SymbolKind.Function,
};

/** The outline from the syntax tree. */
export class DefaultDocumentSymbolsProvider implements DocumentSymbolsProvider {
    constructor(private readonly cache: AnalysisCache) {}

    provide(doc: DocumentSnapshot): DocumentSymbol[] {
        const { file } = this.cache.get(doc);
        return file.blocks.filter((b) => !b.keyword.missing).map((b) => blockSymbol(b, file.lines));
    }
}

function blockSymbol(b: BlockNode, lines: LineIndex): DocumentSymbol {
    const children: DocumentSymbol[] = [];
    for (const m of b.members) {
        if (m.kind === 'block') {
            children.push(blockSymbol(m, lines));
        } else if (!m.key.missing) {
            children.push({
                name: m.key.text,
                detail: valueText(m.value),
                kind: SymbolKind.Property,
                range: lines.rangeOf(m),
                selectionRange: lines.rangeOf(m.key),
            });
        }
    }
    const named = b.name && !b.name.missing;
    return {
        name: named ? (b.name?.text ?? '') : b.keyword.text,
        detail: named ? b.keyword.text : undefined,
        kind: b.parent
            ? SymbolKind.Namespace
            : (BLOCK_SYMBOL_KIND[b.keyword.text] ?? SymbolKind.Object),
        range: lines.rangeOf(b),
        selectionRange: lines.rangeOf(named && b.name ? b.name : b.keyword),
        children,
    };
}
