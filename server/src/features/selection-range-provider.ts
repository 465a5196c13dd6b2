/**
 * Selection ranges (expand selection): word, value, property, the block's body, the block,
 * each enclosing block, then the whole document.
 */
import type { SelectionRange, SelectionRangeParams } from 'vscode-languageserver';
import { enclosingBlocks, inside, locate } from '../language/locate';
import type { Span } from '../language/text';
import type { AnalysisCache, DocumentSnapshot } from './analysis-cache';

/** Computes selection ranges for each requested position. */
export interface SelectionRangeProvider {
    provide(doc: DocumentSnapshot, params: SelectionRangeParams): SelectionRange[];
}

/** Selection ranges from the syntax tree. */
export class DefaultSelectionRangeProvider implements SelectionRangeProvider {
    constructor(private readonly cache: AnalysisCache) {}

    provide(doc: DocumentSnapshot, params: SelectionRangeParams): SelectionRange[] {
        const { file } = this.cache.get(doc);
        return params.positions.map((p) => {
            const offset = file.lines.offsetAt(p);
            // Outermost first; each span must contain the next.
            const spans: Span[] = [{ start: 0, end: file.text.length }];
            for (const b of enclosingBlocks(file, offset)) {
                spans.push(b);
                if (b.close && b.open.end <= offset && offset <= b.close.start)
                    spans.push({ start: b.open.end, end: b.close.start });
            }
            const hit = locate(file, offset);
            if (hit.kind === 'key' || hit.kind === 'value') spans.push(hit.property);
            if (hit.kind !== 'none') spans.push(hit.node);
            const chain = spans.filter(
                (s, i) =>
                    inside(s, offset) &&
                    (i === 0 || s.start !== spans[i - 1].start || s.end !== spans[i - 1].end),
            );
            let range: SelectionRange | undefined;
            for (const s of chain) range = { range: file.lines.rangeOf(s), parent: range };
            return range as SelectionRange;
        });
    }
}
