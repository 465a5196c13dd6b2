/**
 * Dataset checks per open config: one background check per dataset block, started when the
 * block's effective options change (a newer check cancels the one in flight), re-run when a
 * watched file under its folders changes, and kept until the config closes. Only configs
 * saved on disk are checked: relative paths need a folder to be relative to.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CancellationTokenSource, type Diagnostic } from 'vscode-languageserver';
import { CATALOG } from '../language/catalog';
import type { CheckDatasetSummary } from '../protocol/dataset';
import type { Analysis } from '../language/service';
import type { BlockNode } from '../language/ast';
import type { DatasetFiles } from './dataset-checks-files';
import { datasetTarget, type CheckTarget } from './dataset-checks-options';
import { datasetDiagnostics, histogramMarkdown } from './dataset-checks-report';
import {
    DatasetChecker,
    DEFAULT_BUDGET,
    type CheckBudget,
    type DatasetCheckResult,
} from './dataset-checks-run';

interface DatasetState {
    target: CheckTarget;
    result?: DatasetCheckResult;
    running?: { key: string; source: CancellationTokenSource; done: Promise<void> };
}

/** Background dataset checks of every open config. */
export class DatasetChecks {
    private readonly checker: DatasetChecker;
    private readonly docs = new Map<string, Map<string, DatasetState>>();
    /** Called when a check finishes with a new result for a config (to republish). */
    onDidUpdate: (uri: string) => void = () => undefined;
    /** Called when a check fails unexpectedly (a bug, not a bad file). */
    onError: (message: string) => void = () => undefined;

    constructor(
        private readonly files: DatasetFiles,
        private readonly budget: CheckBudget = DEFAULT_BUDGET,
    ) {
        this.checker = new DatasetChecker(files);
    }

    /** The config's folder, or undefined when it is not a saved file. */
    configDir(uri: string): string | undefined {
        if (!uri.startsWith('file:')) return undefined;
        const file = fileURLToPath(uri);
        return this.files.stat(file) ? path.dirname(file) : undefined;
    }

    /** Starts checks whose options changed since the last run; drops removed datasets. */
    update(uri: string, analysis: Analysis): void {
        const dir = this.configDir(uri);
        const states = this.docs.get(uri) ?? new Map<string, DatasetState>();
        this.docs.set(uri, states);
        const seen = new Set<string>();
        for (const block of dir ? this.blocks(analysis) : []) {
            const target = datasetTarget(block, dir!);
            if (!target) continue;
            seen.add(target.name);
            const s = states.get(target.name);
            if (s && s.target.key === target.key && (s.result || s.running)) continue;
            const state = s ?? { target };
            state.target = target;
            states.set(target.name, state);
            this.start(uri, state, this.budget);
        }
        for (const [name, s] of states) {
            if (seen.has(name)) continue;
            s.running?.source.cancel();
            states.delete(name);
        }
    }

    /** The dataset diagnostics of a config whose results match its current text. */
    diagnostics(uri: string, analysis: Analysis): Diagnostic[] {
        const states = this.docs.get(uri);
        const dir = this.configDir(uri);
        if (!states || !dir) return [];
        const out: Diagnostic[] = [];
        for (const block of this.blocks(analysis)) {
            const s = block.name ? states.get(block.name.text) : undefined;
            const target = datasetTarget(block, dir);
            if (!s?.result || !target || s.result.key !== target.key) continue;
            out.push(...datasetDiagnostics(uri, block, s.result, analysis.file.lines));
        }
        return out;
    }

    /** The latest result of a dataset block, if any. */
    result(uri: string, dataset: string): DatasetCheckResult | undefined {
        return this.docs.get(uri)?.get(dataset)?.result;
    }

    /** Markdown with the dataset's class histogram, for hover; undefined before a result. */
    hoverSection(uri: string, dataset: string): string | undefined {
        const s = this.docs.get(uri)?.get(dataset);
        return s?.result ? histogramMarkdown(s.result, s.target.options.labelNc) : undefined;
    }

    /** Re-runs the checks of datasets whose folders hold one of these files. */
    filesChanged(files: string[]): void {
        if (files.length === 0) return;
        this.checker.forget(files);
        for (const [uri, states] of this.docs) {
            for (const s of states.values()) {
                if (files.some((f) => covers(s.target, f))) this.start(uri, s, this.budget);
            }
        }
    }

    /** Checks now with a larger budget (the 'Check data' lens) and returns summaries. */
    async checkNow(
        uri: string,
        analysis: Analysis,
        dataset: string | undefined,
        budget: CheckBudget,
    ): Promise<CheckDatasetSummary[]> {
        this.update(uri, analysis);
        const states = [...(this.docs.get(uri)?.values() ?? [])].filter(
            (s) => dataset === undefined || s.target.name === dataset,
        );
        for (const s of states) this.start(uri, s, budget);
        await Promise.all(states.map((s) => s.running?.done ?? Promise.resolve()));
        return states.flatMap((s) => {
            const r = s.result;
            if (!r) return [];
            const count = (sev: string) =>
                r.findings.filter((f) => CATALOG[f.kind].severity === sev).length;
            return [
                {
                    dataset: s.target.name,
                    samples: r.samples,
                    inspected: r.inspected,
                    partial: r.partial,
                    errors: count('error'),
                    warnings: count('warning'),
                    elapsedMs: r.elapsedMs,
                },
            ];
        });
    }

    /** Forgets a closed config, cancelling its checks. */
    close(uri: string): void {
        for (const s of this.docs.get(uri)?.values() ?? []) s.running?.source.cancel();
        this.docs.delete(uri);
    }

    private blocks(analysis: Analysis): BlockNode[] {
        return [...(analysis.model.symbols.get('dataset')?.values() ?? [])];
    }

    private start(uri: string, state: DatasetState, budget: CheckBudget): void {
        state.running?.source.cancel();
        const source = new CancellationTokenSource();
        const key = state.target.key;
        const run = this.checker
            .run(state.target, source.token, budget)
            .then((result) => {
                if (!result || source.token.isCancellationRequested) return;
                if (state.running?.source !== source) return;
                state.result = result;
                this.onDidUpdate(uri);
            })
            .catch((e: unknown) => {
                this.onError(
                    `The dataset check of '${state.target.name}' in ${uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}. Please report this.`,
                );
            })
            .finally(() => {
                if (state.running?.source === source) state.running = undefined;
            });
        state.running = { key, source, done: run };
    }
}

/** Whether a changed file can affect a dataset's check. */
function covers(t: CheckTarget, file: string): boolean {
    const o = t.options;
    if (o.classFile === file) return true;
    return [o.root, o.labelDir, o.imageDir, o.instanceDir].some(
        (d) => d !== undefined && (file === d || file.startsWith(d + path.sep)),
    );
}
