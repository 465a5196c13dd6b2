/**
 * Diagnostics for one document: runs the language phases with a yield between them, so an
 * edit that arrives meanwhile cancels the run, and converts the result to LSP diagnostics.
 */
import {
    DiagnosticSeverity,
    DiagnosticTag,
    type CancellationToken,
    type Diagnostic,
} from 'vscode-languageserver';
import type { ConfigDiagnostic, Severity } from '../language/catalog';
import { PHASES, runPhase } from '../language/checker';
import { bind } from '../language/model';
import { parse } from '../language/parser';
import { RULES } from '../language/rules';
import type { Analysis } from '../language/service';
import type { LineIndex } from '../language/text';
import type { DocumentSnapshot } from './analysis-cache';

/** Computes a document's diagnostics; undefined when cancelled. */
export interface DiagnosticsProvider {
    provide(
        doc: DocumentSnapshot,
        token: CancellationToken,
    ): Promise<{ analysis: Analysis; diagnostics: Diagnostic[] } | undefined>;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
    error: DiagnosticSeverity.Error,
    warning: DiagnosticSeverity.Warning,
    information: DiagnosticSeverity.Information,
    hint: DiagnosticSeverity.Hint,
};

const yieldToEvents = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Runs every registered rule (rules/index.ts). */
export class DefaultDiagnosticsProvider implements DiagnosticsProvider {
    async provide(
        doc: DocumentSnapshot,
        token: CancellationToken,
    ): Promise<{ analysis: Analysis; diagnostics: Diagnostic[] } | undefined> {
        const file = parse(doc.getText());
        const model = bind(file);
        const found: ConfigDiagnostic[] = [];
        for (const phase of PHASES) {
            await yieldToEvents();
            if (token.isCancellationRequested) return undefined;
            found.push(...runPhase(model, RULES, phase));
        }
        found.sort((a, b) => a.span.start - b.span.start);
        const analysis: Analysis = {
            file,
            model,
            diagnostics: [...file.diagnostics, ...dedupe(found)],
        };
        return {
            analysis,
            diagnostics: analysis.diagnostics.map((d) => toLsp(d, file.lines, doc.uri)),
        };
    }
}

function dedupe(ds: ConfigDiagnostic[]): ConfigDiagnostic[] {
    const seen = new Set<string>();
    return ds.filter((d) => {
        const k = `${d.code}:${d.span.start}:${d.span.end}:${d.message}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
    });
}

/** Converts one language diagnostic to LSP, with positions in UTF-16 units. */
export function toLsp(d: ConfigDiagnostic, lines: LineIndex, uri: string): Diagnostic {
    const out: Diagnostic = {
        range: lines.rangeOf(d.span),
        severity: SEVERITY[d.severity],
        code: d.code,
        source: 'spade',
        message: d.message,
    };
    if (d.related?.length)
        out.relatedInformation = d.related.map((r) => ({
            location: { uri, range: lines.rangeOf(r.span) },
            message: r.message,
        }));
    if (d.data) out.data = d.data;
    if (d.unnecessary) out.tags = [DiagnosticTag.Unnecessary];
    return out;
}
