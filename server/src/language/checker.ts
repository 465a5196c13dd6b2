/**
 * Runs the rules in phases (structure, values, references, semantics), checking for
 * cancellation between phases. Each rule is a small function in rules/, registered in
 * rules/index.ts, that reads the model and reports diagnostics through its context.
 */
import type { ConfigDiagnostic } from './catalog';
import type { ConfigModel } from './model';

/** The order rules run in; later phases may assume earlier ones reported bad input. */
export type Phase = 'structure' | 'values' | 'references' | 'semantics';
export const PHASES: readonly Phase[] = ['structure', 'values', 'references', 'semantics'];

/** What a rule gets: the model, and where to report. */
export interface RuleContext {
    model: ConfigModel;
    report(d: ConfigDiagnostic): void;
}

/** One checker rule. */
export interface Rule {
    /** Kebab-case id, equal to its file name under rules/. */
    id: string;
    phase: Phase;
    run(ctx: RuleContext): void;
}

/** Runs the rules of one phase, each problem once (several train blocks can share a dataset). */
export function runPhase(
    model: ConfigModel,
    rules: readonly Rule[],
    phase: Phase,
    seen = new Set<string>(),
): ConfigDiagnostic[] {
    const out: ConfigDiagnostic[] = [];
    const ctx: RuleContext = {
        model,
        report(d) {
            const key = `${d.code}:${d.span.start}:${d.span.end}:${d.message}`;
            if (seen.has(key)) return;
            seen.add(key);
            out.push(d);
        },
    };
    for (const rule of rules) if (rule.phase === phase) rule.run(ctx);
    return out;
}

/** Returns the diagnostics of all rules, or undefined when cancelled. */
export function check(
    model: ConfigModel,
    rules: readonly Rule[],
    isCancelled: () => boolean = () => false,
): ConfigDiagnostic[] | undefined {
    const out: ConfigDiagnostic[] = [];
    const seen = new Set<string>();
    for (const phase of PHASES) {
        if (isCancelled()) return undefined;
        out.push(...runPhase(model, rules, phase, seen));
    }
    return out;
}
