/**
 * Quick fixes: one code action per candidate a diagnostic's `data` carries (replace a span,
 * insert text, or remove a property or block). Rules attach data only when one change is
 * clearly right (or a short list to pick from), so this file never second-guesses them; it
 * selects on the stable code only for the wording of titles.
 */
import {
    CodeActionKind,
    type CodeAction,
    type CodeActionParams,
    type Diagnostic,
    type TextEdit,
} from 'vscode-languageserver';
import type { DiagnosticData } from '../language/catalog';
import type { LineIndex, Span } from '../language/text';

/** At most this many alternatives per diagnostic (e.g. all allowed values of an enum). */
const MAX_CHOICES = 8;

/** Computes the quick fixes for the diagnostics a client sends with a code-action request. */
export function provideCodeActions(
    uri: string,
    lines: LineIndex,
    params: Pick<CodeActionParams, 'context'>,
): CodeAction[] {
    const only = params.context.only;
    if (only && !only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
    const out: CodeAction[] = [];
    for (const d of params.context.diagnostics) {
        if (d.source !== 'spade' || !isData(d.data)) continue;
        out.push(...fixesFor(uri, lines, d, d.data));
    }
    return out;
}

function fixesFor(
    uri: string,
    lines: LineIndex,
    d: Diagnostic,
    data: DiagnosticData,
): CodeAction[] {
    const code = String(d.code ?? '');
    const range = data.span ? lines.rangeOf(data.span) : d.range;
    const make = (title: string, edit: TextEdit, preferred: boolean): CodeAction => ({
        title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: preferred,
        edit: { changes: { [uri]: [edit] } },
    });
    const out: CodeAction[] = [];
    const choices = (data.replacements ?? []).slice(0, MAX_CHOICES);
    choices.forEach((text, i) =>
        out.push(
            make(
                replaceTitle(code, text),
                { range, newText: text },
                i === 0 && choices.length === 1,
            ),
        ),
    );
    if (data.insert !== undefined) {
        const at = range.end;
        out.push(
            make(
                insertTitle(data.insert),
                { range: { start: at, end: at }, newText: data.insert },
                true,
            ),
        );
    }
    if (data.remove) {
        const span = wholeLines(lines.text, data.remove);
        const what = lines.text.slice(data.remove.start, data.remove.end).split(/[\s=]/)[0];
        out.push(
            make(
                `Remove '${what}'`,
                { range: lines.rangeOf(span), newText: '' },
                code === 'SP5001' || choices.length === 0,
            ),
        );
    }
    return out;
}

function replaceTitle(code: string, text: string): string {
    switch (code) {
        case 'SP4001':
        case 'SP4002':
            return `Use crop ${text}`;
        case 'SP4009':
            return `Use ${text} norm (one device)`;
        case 'SP4006':
        case 'SP6006':
            return `Turn dontcare ${text}`;
        default:
            return `Change to '${text}'`;
    }
}

function insertTitle(text: string): string {
    const t = text.trim();
    if (t.startsWith('class_file =')) return `Map the colours through ${t.slice(13)}`;
    if (t.length > 1 && t.endsWith('=')) return `Add '${t}'`;
    return `Insert '${t}'`;
}

/**
 * Widens a removal to whole lines when nothing else is on them, so removing a property does
 * not leave a blank line; otherwise also takes the spaces before it.
 */
function wholeLines(text: string, span: Span): Span {
    let start = span.start;
    while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
    let end = span.end;
    while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
    const lineStart = start === 0 || text[start - 1] === '\n' || text[start - 1] === '\r';
    if (lineStart && (end === text.length || text[end] === '\n' || text[end] === '\r')) {
        if (text[end] === '\r') end++;
        if (text[end] === '\n') end++;
        return { start, end };
    }
    return { start: lineStart ? start : span.start, end: lineStart ? end : span.end };
}

function isData(x: unknown): x is DiagnosticData {
    return typeof x === 'object' && x !== null;
}
