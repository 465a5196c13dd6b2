/**
 * Code lenses: Train and Resume on train blocks, Check data and Preview a mask on dataset
 * blocks. The commands run in the client (protocol/dataset.ts); the dataset lens also shows
 * the latest background check's outcome so the user sees it without opening Problems.
 */
import type { CodeLens, Range } from 'vscode-languageserver';
import type { BlockNode } from '../language/ast';
import { CATALOG } from '../language/catalog';
import type { Analysis } from '../language/service';
import { LENS_COMMANDS } from '../protocol/dataset';
import type { DatasetCheckResult } from './dataset-checks-run';

/** What the lenses may show about a dataset's files (the background check's result). */
export interface DatasetResults {
    result(uri: string, dataset: string): DatasetCheckResult | undefined;
}

/** The lenses of one config. */
export function provideCodeLenses(
    uri: string,
    analysis: Analysis,
    datasets?: DatasetResults,
): CodeLens[] {
    const out: CodeLens[] = [];
    const lines = analysis.file.lines;
    const at = (b: BlockNode): Range => lines.rangeOf(b.keyword);
    const lens = (b: BlockNode, title: string, command: string, args: unknown[]): CodeLens => ({
        range: at(b),
        command: { title, command, arguments: args },
    });
    for (const [name, b] of analysis.model.symbols.get('train') ?? []) {
        out.push(lens(b, '$(play) Train', LENS_COMMANDS.train, [uri, name]));
        out.push(lens(b, '$(debug-continue) Resume', LENS_COMMANDS.resume, [uri, name]));
    }
    for (const [name, b] of analysis.model.symbols.get('dataset') ?? []) {
        const r = datasets?.result(uri, name);
        out.push(
            lens(b, `$(checklist) Check data${status(r)}`, LENS_COMMANDS.checkData, [uri, name]),
        );
        const preview: unknown[] = r?.firstLabel ? [uri, name, r.firstLabel] : [uri, name];
        out.push(lens(b, '$(eye) Preview a mask', LENS_COMMANDS.previewMask, preview));
    }
    return out;
}

function status(r: DatasetCheckResult | undefined): string {
    if (!r) return '';
    const problems = r.findings.filter((f) => CATALOG[f.kind].severity !== 'information').length;
    const what = problems === 0 ? 'no problems' : `${problems} problem${problems > 1 ? 's' : ''}`;
    const samples = `${r.samples} sample${r.samples === 1 ? '' : 's'}`;
    return ` (${samples}, ${what}${r.partial ? ', partial' : ''})`;
}
