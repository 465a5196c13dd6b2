/**
 * The code lenses' client side. Check data asks the server to re-check a dataset now and
 * says what it found; Train and Resume hand over to the training feature (issue #6) and
 * Preview a mask to the mask preview (issue #7), turning the lens's JSON arguments into the
 * Uri those commands take. A feature that is not installed is named plainly, never faked.
 */
import * as vscode from 'vscode';
import {
    CHECK_DATASET_REQUEST,
    LENS_COMMANDS,
    type CheckDatasetParams,
    type CheckDatasetResult,
    type CheckDatasetSummary,
} from '../../../server/src/protocol/dataset';

/** The part of the language client these commands use. */
export interface LensClient {
    sendRequest<R>(method: string, params: unknown): Promise<R>;
}

/** Commands of other features the lenses hand over to, and who delivers them. */
const TARGETS = {
    train: { id: 'spade.train', owner: 'training from the editor (issue #6)' },
    resume: { id: 'spade.resumeTraining', owner: 'training from the editor (issue #6)' },
    preview: { id: 'spade.preview.open', owner: 'the mask preview (issue #7)' },
} as const;

/** Registers every lens command. Call once the language client has started. */
export function registerCodeLensCommands(
    context: vscode.ExtensionContext,
    client: LensClient,
): void {
    context.subscriptions.push(
        vscode.commands.registerCommand(LENS_COMMANDS.checkData, (uri?: string, name?: string) =>
            checkData(client, uri, name),
        ),
        vscode.commands.registerCommand(LENS_COMMANDS.train, (uri?: string, block?: string) =>
            handOver(TARGETS.train, 'training', uri ? vscode.Uri.parse(uri) : undefined, block),
        ),
        vscode.commands.registerCommand(LENS_COMMANDS.resume, (uri?: string, block?: string) =>
            handOver(TARGETS.resume, 'resuming', uri ? vscode.Uri.parse(uri) : undefined, block),
        ),
        vscode.commands.registerCommand(
            LENS_COMMANDS.previewMask,
            (_uri?: string, name?: string, labelFile?: string) => {
                if (!labelFile)
                    void vscode.window.showInformationMessage(
                        `SPADE: no label map of dataset '${name ?? '?'}' is known yet ` +
                            '(its check has not found one); pick a mask to preview.',
                    );
                return handOver(
                    TARGETS.preview,
                    'previewing a mask',
                    labelFile ? vscode.Uri.file(labelFile) : undefined,
                );
            },
        ),
    );
}

/** Runs another feature's command, or says plainly which issue delivers it. */
async function handOver(
    target: { id: string; owner: string },
    what: string,
    ...args: unknown[]
): Promise<void> {
    const known = await vscode.commands.getCommands(true);
    if (!known.includes(target.id)) {
        void vscode.window.showInformationMessage(
            `SPADE: ${what} is not available in this build yet; it arrives with ${target.owner}.`,
        );
        return;
    }
    await vscode.commands.executeCommand(target.id, ...args);
}

async function checkData(client: LensClient, uri?: string, name?: string): Promise<void> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
    if (!target) {
        void vscode.window.showWarningMessage('SPADE: open a .spade config to check its data.');
        return;
    }
    const params: CheckDatasetParams = { uri: target, dataset: name };
    let result: CheckDatasetResult;
    try {
        result = await vscode.window.withProgress(
            {
                location: vscode.ProgressLocation.Notification,
                title: `SPADE: checking dataset ${name ?? ''} on disk...`,
            },
            () => client.sendRequest<CheckDatasetResult>(CHECK_DATASET_REQUEST, params),
        );
    } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        void vscode.window.showErrorMessage(
            `SPADE: checking the data of ${target} failed (${why}). See the SPADE log.`,
        );
        return;
    }
    if (result.message) {
        void vscode.window.showWarningMessage(`SPADE: ${result.message}`);
        return;
    }
    const text = result.summaries.map(describe).join(' ');
    const bad = result.summaries.some((s) => s.errors + s.warnings > 0);
    const show = bad ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const choice = await show(`SPADE: ${text}`, ...(bad ? ['Show problems'] : []));
    if (choice === 'Show problems')
        await vscode.commands.executeCommand('workbench.actions.view.problems');
}

function describe(s: CheckDatasetSummary): string {
    const seen = s.partial ? `${s.inspected} of ${s.samples}` : `all ${s.samples}`;
    const found =
        s.errors + s.warnings === 0
            ? 'no problems'
            : `${s.errors} error(s) and ${s.warnings} warning(s), listed in Problems`;
    const secs = (s.elapsedMs / 1000).toFixed(1);
    return `Dataset '${s.dataset}': checked ${seen} samples in ${secs} s, ${found}.`;
}
