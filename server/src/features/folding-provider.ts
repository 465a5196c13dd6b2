/** Folding: every block spanning lines, block comments, and runs of line comments. */
import {
    FoldingRangeKind,
    type FoldingRange,
    type FoldingRangeParams,
} from 'vscode-languageserver';
import { allBlocks } from '../language/ast';
import type { AnalysisCache, DocumentSnapshot } from './analysis-cache';

/** Computes folding ranges. */
export interface FoldingProvider {
    provide(doc: DocumentSnapshot, params: FoldingRangeParams): FoldingRange[];
}

/** Folding from the syntax tree and the comments. */
export class DefaultFoldingProvider implements FoldingProvider {
    constructor(private readonly cache: AnalysisCache) {}

    provide(doc: DocumentSnapshot): FoldingRange[] {
        const { file } = this.cache.get(doc);
        const line = (o: number): number => file.lines.positionAt(o).line;
        const out: FoldingRange[] = [];
        for (const b of allBlocks(file.blocks)) {
            const start = line(b.start);
            // The closing brace's line stays visible, as editors do for braces.
            const end = b.close ? line(b.close.start) - 1 : line(b.end);
            if (end > start) out.push({ startLine: start, endLine: end });
        }
        let run: { start: number; end: number } | undefined;
        const flush = (): void => {
            if (run && run.end > run.start)
                out.push({
                    startLine: run.start,
                    endLine: run.end,
                    kind: FoldingRangeKind.Comment,
                });
            run = undefined;
        };
        for (const c of file.comments) {
            const s = line(c.start);
            const e = line(c.end);
            if (c.block) {
                flush();
                if (e > s) out.push({ startLine: s, endLine: e, kind: FoldingRangeKind.Comment });
                continue;
            }
            const ownLine = /^[ \t]*$/.test(
                file.text.slice(file.text.lastIndexOf('\n', c.start - 1) + 1, c.start),
            );
            if (run && ownLine && s === run.end + 1) run.end = s;
            else {
                flush();
                if (ownLine) run = { start: s, end: s };
            }
        }
        flush();
        return out.sort((a, b) => a.startLine - b.startLine);
    }
}
