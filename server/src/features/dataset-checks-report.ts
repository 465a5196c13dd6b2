/**
 * Dataset check results as LSP diagnostics on the dataset block (on the property a finding
 * concerns when it is written), with related information pointing at the files, and as the
 * class histogram shown in the dataset's hover.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver';
import type { BlockNode } from '../language/ast';
import { diag, type DiagnosticData } from '../language/catalog';
import { findProperty } from '../language/model';
import type { LineIndex } from '../language/text';
import { anchorSpan } from './dataset-checks-options';
import type { DatasetCheckResult, Finding } from './dataset-checks-run';
import { toLsp } from './diagnostics-provider';

/** Related files shown under one diagnostic. */
const MAX_RELATED = 10;

/** The diagnostics of one dataset block's check result. */
export function datasetDiagnostics(
    uri: string,
    block: BlockNode,
    result: DatasetCheckResult,
    lines: LineIndex,
): Diagnostic[] {
    const name = block.name?.text ?? 'dataset';
    return result.findings.map((f) => {
        const span = anchorSpan(block, f.anchor);
        const data = fixData(uri, block, f);
        const d = toLsp(
            diag(f.kind, span, `Dataset '${name}' on disk: ${f.message}`, data ? { data } : {}),
            lines,
            uri,
        );
        const related = [...new Set(f.files)].slice(0, MAX_RELATED).map((file) => ({
            location: {
                uri: pathToFileURL(file).href,
                range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
            },
            message: path.basename(file),
        }));
        if (related.length) d.relatedInformation = related;
        return d;
    });
}

/**
 * Quick-fix data where one change is clearly right: 255 without dontcare turns it on; RGB
 * masks without a palette get the class file with colours found beside the dataset.
 */
function fixData(uri: string, block: BlockNode, f: Finding): DiagnosticData | undefined {
    const line = (text: string): DiagnosticData | undefined =>
        block.open.missing
            ? undefined
            : { span: { start: block.open.end, end: block.open.end }, insert: `\n    ${text}` };
    if (f.kind === 'dataRgbMask' && f.palette && !findProperty(block, 'class_file')) {
        const from = path.dirname(fileURLToPath(uri));
        const rel = path.relative(from, f.palette).split(path.sep).join('/');
        return line(`class_file = ${JSON.stringify(rel)}`);
    }
    if (f.kind !== 'data255') return undefined;
    const p = findProperty(block, 'dontcare');
    if (p && p.value.kind !== 'missing') return { replacements: ['on'], span: p.value };
    return p ? undefined : line('dontcare = on');
}

/** Markdown for a dataset's hover: the classes found on disk with pixel and map counts. */
export function histogramMarkdown(result: DatasetCheckResult, classes: number, top = 20): string {
    const total = result.histogram.reduce((s, c) => s + c.pixels, 0);
    const samples = `${result.samples} sample${result.samples === 1 ? '' : 's'}`;
    if (total === 0) return `**On disk:** ${samples}; no label map could be read.`;
    const head = `**On disk:** ${samples}; ${result.histogram.length} distinct label values in ${result.inspected} label map(s)${result.partial ? ' (a sample: the check was partial)' : ''}.`;
    const rows = [...result.histogram]
        .sort((a, b) => b.pixels - a.pixels)
        .slice(0, top)
        .map((c) => {
            const name = result.classNames?.[c.id] ?? (c.id === 255 ? 'unlabeled' : '');
            const flag = c.id >= classes && c.id !== 255 ? '(out of range)' : '';
            const pct = ((100 * c.pixels) / total).toFixed(1);
            const label = [name, flag].filter((x) => x).join(' ');
            return `| ${c.id} | ${label} | ${c.pixels} | ${pct}% | ${c.maps} |`;
        });
    const more =
        result.histogram.length > top ? `\n\n${result.histogram.length - top} more values.` : '';
    return [
        head,
        '',
        '| id | class | pixels | share | maps |',
        '|---:|---|---:|---:|---:|',
        ...rows,
    ]
        .join('\n')
        .concat(more);
}
