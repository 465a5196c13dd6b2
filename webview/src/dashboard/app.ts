/**
 * The dashboard page: header (run, state, backend, progress, Stop), loss curves, learning
 * rates and the latest sample grid (label | synthesized | real). Its data is kept in the
 * webview state, so a hidden-then-shown page redraws at once, and the host's snapshot on
 * `ready` brings it up to date.
 */
import type {
    DashboardSnapshot,
    FromDashboard,
    JobState,
    MetricsRecord,
    ProgressEvent,
    ToDashboard,
} from '../../../server/src/protocol/worker';
import { formatDuration } from '../../../server/src/jobs/progress';
import type { HostApi } from '../common/vscode-api';
import { el } from '../common/dom';
import { PALETTE, drawChart, type Series } from './chart';

/** What the page keeps across hide/show and reloads (the host's serializer reads runDir). */
export interface DashboardState {
    runDir?: string;
    jobId?: string;
    name?: string;
    state?: JobState;
    message?: string;
    backend?: string;
    metrics: MetricsRecord[];
    progress?: ProgressEvent;
    sampleUri?: string;
    sampleStep?: number;
    hidden: string[];
    smoothing: number;
}

const MAX_KEPT = 3000;

export class DashboardApp {
    private s: DashboardState;
    private readonly header = el('header');
    private readonly lossCanvas = el('canvas', { 'aria-label': 'loss curves' });
    private readonly lrCanvas = el('canvas', { 'aria-label': 'learning rates' });
    private readonly legend = el('div', { className: 'legend' });
    private readonly sample = el('div', { className: 'sample' });
    private readonly stopButton = el('button', { type: 'button' }, 'Stop');

    constructor(
        private readonly host: HostApi<FromDashboard, DashboardState>,
        root: HTMLElement,
    ) {
        this.s = host.getState() ?? { metrics: [], hidden: [], smoothing: 0.6 };
        const smoothing = el('input', {
            type: 'range',
            min: 0,
            max: 0.95,
            step: 0.05,
            value: this.s.smoothing,
            'aria-label': 'smoothing',
        });
        smoothing.addEventListener('input', () => {
            this.s.smoothing = Number(smoothing.value);
            this.save();
            this.drawCharts();
        });
        this.stopButton.addEventListener('click', () => {
            this.stopButton.disabled = true;
            host.postMessage({ type: 'stop' });
        });
        root.append(
            this.header,
            el(
                'div',
                { className: 'grid' },
                el(
                    'figure',
                    {},
                    el('figcaption', {}, 'Losses'),
                    this.lossCanvas,
                    this.legend,
                    el('label', { className: 'muted' }, 'smoothing ', smoothing),
                ),
                el('figure', {}, el('figcaption', {}, 'Learning rates'), this.lrCanvas),
                el(
                    'figure',
                    {},
                    el('figcaption', {}, 'Samples (label | synthesized | real)'),
                    this.sample,
                ),
            ),
        );
        new ResizeObserver(() => this.drawCharts()).observe(this.lossCanvas);
        this.render();
        host.postMessage({ type: 'ready' });
    }

    handle(m: ToDashboard): void {
        switch (m.type) {
            case 'snapshot':
                this.applySnapshot(m.snapshot);
                break;
            case 'metrics': {
                const last = this.s.metrics[this.s.metrics.length - 1];
                // A resume from an older checkpoint replays steps: drop the superseded tail.
                if (last && m.record.step <= last.step)
                    this.s.metrics = this.s.metrics.filter((r) => r.step < m.record.step);
                this.s.metrics.push(m.record);
                if (this.s.metrics.length > MAX_KEPT)
                    this.s.metrics = this.s.metrics.filter((_, i) => i % 2 === 0);
                break;
            }
            case 'progress':
                this.s.progress = m.progress;
                if (this.s.state === 'starting' || this.s.state === undefined)
                    this.s.state = 'running';
                break;
            case 'sample':
                this.s.sampleUri = m.uri;
                this.s.sampleStep = m.step;
                break;
            case 'state':
                this.s.state = m.state;
                this.s.message = m.message;
                break;
        }
        this.save();
        this.render();
    }

    private applySnapshot(snap: DashboardSnapshot): void {
        this.s = {
            ...this.s,
            runDir: snap.job.runDir,
            jobId: snap.job.jobId,
            name: snap.job.name,
            state: snap.job.state,
            backend: snap.backend,
            metrics: snap.metrics,
            progress: snap.progress,
            sampleUri: snap.sampleUri,
            sampleStep: snap.sampleStep,
        };
    }

    private save(): void {
        this.host.setState(this.s);
    }

    private render(): void {
        const s = this.s;
        const p = s.progress;
        const active = s.state === 'running' || s.state === 'starting' || s.state === 'stopping';
        this.stopButton.disabled = !active || s.state === 'stopping';
        this.header.replaceChildren(
            el('h1', {}, s.name ?? 'Training'),
            el('span', { className: 'state' }, s.state ?? 'loading'),
            el('span', { className: 'muted' }, `backend: ${s.backend ?? '?'}`),
            ...(p
                ? [
                      el(
                          'span',
                          {},
                          `epoch ${p.epoch}/${p.totalEpochs} · step ${p.step}/${p.totalSteps} · ${p.percent.toFixed(1)}% · ${p.stepsPerSecond.toFixed(2)} step/s · ETA ${formatDuration(p.etaSeconds)}`,
                      ),
                  ]
                : []),
            ...(active ? [this.stopButton] : []),
            ...(s.message ? [el('div', { className: 'muted', role: 'alert' }, s.message)] : []),
        );
        this.sample.replaceChildren(
            s.sampleUri
                ? el(
                      'div',
                      {},
                      el('img', { src: s.sampleUri, alt: `sample grid at step ${s.sampleStep}` }),
                      el('div', { className: 'muted' }, `step ${s.sampleStep}`),
                  )
                : el('span', { className: 'muted' }, 'no sample yet'),
        );
        this.renderLegend();
        this.drawCharts();
    }

    private names(key: 'losses' | 'lrs'): string[] {
        const set = new Set<string>();
        for (const r of this.s.metrics) for (const k of Object.keys(r[key])) set.add(k);
        return [...set];
    }

    private renderLegend(): void {
        this.legend.replaceChildren(
            ...this.names('losses').map((name, i) => {
                const box = el('input', {
                    type: 'checkbox',
                    checked: !this.s.hidden.includes(name),
                });
                box.addEventListener('change', () => {
                    this.s.hidden = box.checked
                        ? this.s.hidden.filter((n) => n !== name)
                        : [...this.s.hidden, name];
                    this.save();
                    this.drawCharts();
                });
                const swatch = el('span', { 'aria-hidden': 'true' }, '■ ');
                swatch.style.color = PALETTE[i % PALETTE.length];
                return el('label', {}, box, swatch, name);
            }),
        );
    }

    private series(key: 'losses' | 'lrs', hide: string[]): Series[] {
        return this.names(key)
            .map((name, i) => ({
                name,
                color: PALETTE[i % PALETTE.length],
                points: this.s.metrics
                    .filter((r) => name in r[key])
                    .map((r) => [r.step, r[key][name]] as [number, number]),
            }))
            .filter((s) => !hide.includes(s.name));
    }

    private drawCharts(): void {
        const css = getComputedStyle(document.body);
        const foreground = css.getPropertyValue('--vscode-foreground').trim() || '#888';
        const grid =
            css.getPropertyValue('--vscode-panel-border').trim() || 'rgba(128,128,128,0.3)';
        drawChart(this.lossCanvas, this.series('losses', this.s.hidden), {
            foreground,
            grid,
            smoothing: this.s.smoothing,
        });
        drawChart(this.lrCanvas, this.series('lrs', []), { foreground, grid, smoothing: 0 });
    }
}
