/**
 * The training dashboard: one webview panel per run folder, fed a snapshot whenever the page
 * (re)loads (so it survives being hidden, and window reloads through the serializer) and live
 * events while its job runs. It reads only the run folder and the extension's dist/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunFolder } from '../../../server/src/jobs/run-folder';
import type {
    DashboardSnapshot,
    FromDashboard,
    JobInfo,
    MetricsRecord,
    ToDashboard,
} from '../../../server/src/protocol/worker';
import { dashboardHtml, makeNonce } from './dashboard-html';
import type { JobTracker, TrackedJob } from './tracker';

export const DASHBOARD_VIEW_TYPE = 'spade.trainingDashboard';
const MAX_POINTS = 2000;

/** What the panel keeps across reloads (webview state). */
interface PanelState {
    runDir: string;
    jobId?: string;
}

/** Keep at most `max` records, evenly spaced, always including the last. */
export function thin(records: MetricsRecord[], max = MAX_POINTS): MetricsRecord[] {
    if (records.length <= max) return records;
    const stride = records.length / max;
    const out: MetricsRecord[] = [];
    for (let i = 0; i < max - 1; i++) out.push(records[Math.floor(i * stride)]);
    out.push(records[records.length - 1]);
    return out;
}

export class Dashboards implements vscode.WebviewPanelSerializer {
    private readonly panels = new Map<string, DashboardPanel>();

    constructor(
        private readonly extensionUri: vscode.Uri,
        private readonly tracker: JobTracker,
        private readonly stop: (jobId: string) => Promise<void>,
    ) {}

    /** Open (or reveal) the dashboard of a run folder, following `jobId` if it runs. */
    open(runDir: string, jobId?: string): void {
        const known = this.panels.get(runDir);
        if (known) {
            known.follow(jobId);
            known.panel.reveal();
            return;
        }
        const panel = vscode.window.createWebviewPanel(
            DASHBOARD_VIEW_TYPE,
            `Training: ${path.basename(runDir)}`,
            vscode.ViewColumn.Beside,
            this.webviewOptions(runDir),
        );
        this.adopt(panel, { runDir, ...(jobId ? { jobId } : {}) });
    }

    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        const s = state as PanelState | undefined;
        if (!s?.runDir || !fs.existsSync(s.runDir)) {
            panel.dispose();
            return;
        }
        panel.webview.options = this.webviewOptions(s.runDir);
        const running = this.tracker.all().find((j) => j.info.runDir === s.runDir);
        this.adopt(panel, { runDir: s.runDir, ...(running ? { jobId: running.info.jobId } : {}) });
        return Promise.resolve();
    }

    dispose(): void {
        for (const p of this.panels.values()) p.panel.dispose();
    }

    private webviewOptions(runDir: string): vscode.WebviewOptions & vscode.WebviewPanelOptions {
        return {
            enableScripts: true,
            localResourceRoots: [
                vscode.Uri.joinPath(this.extensionUri, 'dist'),
                vscode.Uri.file(runDir),
            ],
        };
    }

    private adopt(panel: vscode.WebviewPanel, state: PanelState): void {
        const p = new DashboardPanel(panel, state, this.extensionUri, this.tracker, this.stop);
        this.panels.set(state.runDir, p);
        panel.onDidDispose(() => {
            this.panels.delete(state.runDir);
            p.dispose();
        });
    }
}

class DashboardPanel {
    private readonly subs: { dispose(): void }[] = [];
    private jobId?: string;

    constructor(
        readonly panel: vscode.WebviewPanel,
        private readonly state: PanelState,
        extensionUri: vscode.Uri,
        private readonly tracker: JobTracker,
        private readonly stop: (jobId: string) => Promise<void>,
    ) {
        this.jobId = state.jobId;
        const nonce = makeNonce();
        const script = vscode.Uri.joinPath(extensionUri, 'dist', 'webview-dashboard.js');
        panel.webview.html = dashboardHtml({
            cspSource: panel.webview.cspSource,
            scriptUri: panel.webview.asWebviewUri(script).toString(),
            nonce,
            title: panel.title,
        });
        this.subs.push(
            panel.webview.onDidReceiveMessage((m: FromDashboard) => this.onMessage(m)),
            tracker.onChange((job, e) => {
                if (job.info.jobId !== this.jobId || !e) return;
                if (e.type === 'metrics') {
                    const { step, epoch, time, losses, lrs } = e;
                    this.post({ type: 'metrics', record: { step, epoch, time, losses, lrs } });
                } else if (e.type === 'progress') this.post({ type: 'progress', progress: e });
                else if (e.type === 'sample')
                    this.post({ type: 'sample', step: e.step, uri: this.uri(e.file) });
                else if (e.type === 'done') this.post({ type: 'state', state: e.reason });
                else if (e.type === 'error')
                    this.post({ type: 'state', state: 'failed', message: e.message });
            }),
        );
    }

    follow(jobId: string | undefined): void {
        if (jobId && jobId !== this.jobId) {
            this.jobId = jobId;
            this.post({ type: 'snapshot', snapshot: this.snapshot() });
        }
    }

    dispose(): void {
        for (const s of this.subs) s.dispose();
    }

    private onMessage(m: FromDashboard): void {
        if (m.type === 'ready') this.post({ type: 'snapshot', snapshot: this.snapshot() });
        else if (m.type === 'stop' && this.jobId) void this.stop(this.jobId);
    }

    private snapshot(): DashboardSnapshot {
        const folder = new RunFolder(this.state.runDir);
        const tracked: TrackedJob | undefined = this.jobId
            ? this.tracker.get(this.jobId)
            : undefined;
        const status = folder.readStatus();
        const info: JobInfo = tracked?.info ?? {
            jobId: status?.jobId ?? '',
            runDir: this.state.runDir,
            name: path.basename(this.state.runDir),
            pid: status?.pid ?? 0,
            state: status?.state ?? 'stopped',
            reattached: false,
        };
        const snap: DashboardSnapshot = {
            job: info,
            metrics: thin(folder.readMetrics().records),
            ...((tracked?.backend ?? status?.backend)
                ? { backend: tracked?.backend ?? status?.backend }
                : {}),
            ...(tracked?.progress ? { progress: tracked.progress } : {}),
        };
        const sample = tracked?.sample ?? latestSample(folder);
        if (sample) {
            snap.sampleUri = this.uri(sample.file);
            snap.sampleStep = sample.step;
        }
        return snap;
    }

    private uri(file: string): string {
        return this.panel.webview.asWebviewUri(vscode.Uri.file(file)).toString();
    }

    private post(m: ToDashboard): void {
        void this.panel.webview.postMessage(m);
    }
}

function latestSample(folder: RunFolder): { step: number; file: string } | undefined {
    if (!fs.existsSync(folder.samplesDir)) return undefined;
    const names = fs
        .readdirSync(folder.samplesDir)
        .filter((n) => /^step-\d+\.png$/.test(n))
        .sort();
    const last = names[names.length - 1];
    return last
        ? { step: Number(/\d+/.exec(last)![0]), file: path.join(folder.samplesDir, last) }
        : undefined;
}
