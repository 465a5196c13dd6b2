/**
 * The label-map preview: a custom editor for mask PNGs with live synthesis and painting.
 * extension.ts calls `registerPreview(context, deps)` once.
 */
import * as vscode from 'vscode';
import type { PreviewDeps } from './deps';
import { ModelChoices } from './model-choice';
import { MASK_PREVIEW_VIEW_TYPE, MaskEditorProvider } from './provider';

export type { PreviewDeps } from './deps';
export { MASK_PREVIEW_VIEW_TYPE } from './provider';

/** Command ids (package.json `contributes.commands`). */
export const PREVIEW_COMMANDS = {
    open: 'spade.preview.open',
    chooseModel: 'spade.preview.chooseModel',
} as const;

/** Registers the editor and its commands; everything is disposed with the extension. */
export function registerPreview(
    context: vscode.ExtensionContext,
    deps: PreviewDeps,
): vscode.Disposable {
    const provider = new MaskEditorProvider(
        context.extensionUri,
        deps,
        new ModelChoices(context.workspaceState),
    );
    const subs = [
        provider,
        vscode.window.registerCustomEditorProvider(MASK_PREVIEW_VIEW_TYPE, provider, {
            supportsMultipleEditorsPerDocument: true,
        }),
        vscode.commands.registerCommand(PREVIEW_COMMANDS.open, (uri?: vscode.Uri) =>
            openPreview(uri),
        ),
        vscode.commands.registerCommand(PREVIEW_COMMANDS.chooseModel, () =>
            provider.pickModel(provider.active?.doc),
        ),
    ];
    const all = vscode.Disposable.from(...subs);
    context.subscriptions.push(all);
    return all;
}

/** Opens a mask in the preview: the explorer's file, else the active file, else one the user picks. */
async function openPreview(uri: vscode.Uri | undefined): Promise<void> {
    let target = uri ?? activeResource();
    if (!target || !target.path.toLowerCase().endsWith('.png')) {
        const picked = await vscode.window.showOpenDialog({
            canSelectMany: false,
            filters: { 'Label map (PNG)': ['png'] },
            openLabel: 'Preview mask',
        });
        target = picked?.[0];
    }
    if (target)
        await vscode.commands.executeCommand('vscode.openWith', target, MASK_PREVIEW_VIEW_TYPE);
}

function activeResource(): vscode.Uri | undefined {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom)
        return input.uri;
    return vscode.window.activeTextEditor?.document.uri;
}
