/**
 * Training from the editor: commands (Train, Resume, Stop, Open dashboard), progress
 * notifications, a status bar item and the dashboard webview. extension.ts calls
 * `registerJobs(context, deps)` once the language client exists.
 */
import * as vscode from 'vscode';
import { JobMethods, type JobEventParams } from '../../../server/src/protocol/worker';
import { JobCommands, loadJobs } from './commands';
import { DASHBOARD_VIEW_TYPE, Dashboards } from './dashboard-panel';
import type { JobsDeps } from './deps';
import { ProgressUi } from './progress-ui';
import { JobTracker } from './tracker';

export type { JobsDeps } from './deps';

/** What other features may ask of the jobs feature. */
export interface JobsApi {
    /** Run folders of the jobs this session knows (the preview offers their checkpoints). */
    runFolders(): vscode.Uri[];
}

export function registerJobs(context: vscode.ExtensionContext, deps: JobsDeps): JobsApi {
    const tracker = new JobTracker();
    // The dashboards stop jobs through the commands, which open dashboards: tie the knot late.
    const ref: { commands?: JobCommands } = {};
    const stop = (jobId: string) => ref.commands!.stop(jobId);
    const dashboards = new Dashboards(context.extensionUri, tracker, stop);
    const c = new JobCommands(deps, tracker, dashboards);
    ref.commands = c;
    const ui = new ProgressUi(tracker, deps, {
        stop,
        openDashboard: (id) => void c.openDashboard(id),
    });
    context.subscriptions.push(
        ui,
        dashboards,
        vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, dashboards),
        deps.onNotification(JobMethods.event, (p) => tracker.apply(p as JobEventParams)),
        vscode.commands.registerCommand('spade.train', (uri?: vscode.Uri, block?: string) =>
            c.train(uri, block),
        ),
        vscode.commands.registerCommand(
            'spade.resumeTraining',
            (uri?: vscode.Uri, block?: string) => c.resume(uri, block),
        ),
        vscode.commands.registerCommand('spade.stopTraining', (jobId?: string) => c.stop(jobId)),
        vscode.commands.registerCommand('spade.openTrainingDashboard', (jobId?: string) =>
            c.openDashboard(jobId),
        ),
    );
    void loadJobs(deps, tracker);
    return { runFolders: () => tracker.all().map((j) => vscode.Uri.file(j.info.runDir)) };
}
