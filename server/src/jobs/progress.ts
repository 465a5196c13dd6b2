/**
 * Rate and ETA over a sliding window, and the one-line progress text the CLI and the editor
 * share. No Node imports: the client uses it too.
 */
import type { Losses, ProgressEvent } from '../protocol/worker';

/** Steps per second over the last `window` steps (the first, slower steps drop out). */
export class RateMeter {
    private readonly marks: { step: number; time: number }[] = [];

    constructor(private readonly window = 20) {}

    mark(step: number, time: number): void {
        this.marks.push({ step, time });
        if (this.marks.length > this.window + 1) this.marks.shift();
    }

    stepsPerSecond(): number {
        if (this.marks.length < 2) return 0;
        const a = this.marks[0];
        const b = this.marks[this.marks.length - 1];
        return b.time > a.time ? ((b.step - a.step) * 1000) / (b.time - a.time) : 0;
    }
}

export function formatDuration(seconds: number | undefined): string {
    if (seconds === undefined || !Number.isFinite(seconds)) return '?';
    const s = Math.round(seconds);
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
    const h = Math.floor(s / 3600);
    return `${h}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatLosses(losses: Losses, max = 6): string {
    return Object.entries(losses)
        .slice(0, max)
        .map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toPrecision(3) : String(v)}`)
        .join(' ');
}

/** "epoch 3/10 · step 1234/2740 · 45.0% · 1.23 step/s · ETA 5m12s · G 1.23 D_real 0.5" */
export function progressLine(p: ProgressEvent): string {
    return [
        `epoch ${p.epoch}/${p.totalEpochs}`,
        `step ${p.step}/${p.totalSteps}`,
        `${p.percent.toFixed(1)}%`,
        `${p.stepsPerSecond.toFixed(2)} step/s`,
        `ETA ${formatDuration(p.etaSeconds)}`,
        formatLosses(p.losses),
    ]
        .filter((s) => s.length > 0)
        .join(' · ');
}

/** A text bar of `width` cells for a terminal. */
export function progressBar(percent: number, width = 24): string {
    const filled = Math.max(0, Math.min(width, Math.round((percent / 100) * width)));
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
