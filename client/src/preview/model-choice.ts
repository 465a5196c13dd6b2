/**
 * Which model previews a mask: a choice per mask, else one per workspace, else the server's
 * default. Kept in the workspace state; chosen through a quick pick.
 */
import * as vscode from 'vscode';
import type { ModelRef } from '../../../server/src/protocol/preview';

const WORKSPACE_KEY = 'spade.preview.model';
const PER_MASK_KEY = 'spade.preview.modelPerMask';

/** Reads and writes the model choices. */
export class ModelChoices {
    constructor(private readonly state: vscode.Memento) {}

    /** The model for a mask: its own choice, else the workspace's, else undefined (server default). */
    forMask(mask: vscode.Uri): ModelRef | undefined {
        const perMask = this.state.get<Record<string, ModelRef>>(PER_MASK_KEY, {});
        return perMask[mask.toString()] ?? this.state.get<ModelRef>(WORKSPACE_KEY);
    }

    async set(ref: ModelRef, mask: vscode.Uri | undefined): Promise<void> {
        if (mask) {
            const perMask = { ...this.state.get<Record<string, ModelRef>>(PER_MASK_KEY, {}) };
            perMask[mask.toString()] = ref;
            await this.state.update(PER_MASK_KEY, perMask);
        } else {
            await this.state.update(WORKSPACE_KEY, ref);
            // A workspace-wide choice replaces earlier per-mask ones: the user asked for "every mask".
            await this.state.update(PER_MASK_KEY, {});
        }
    }
}

interface RefItem extends vscode.QuickPickItem {
    pick: () => Promise<ModelRef | undefined>;
}

/**
 * Asks the user for a model and its scope; returns false when they cancelled.
 * `mask` is the mask the choice was started from (it offers "this mask only").
 */
export async function chooseModel(
    choices: ModelChoices,
    runFolders: readonly vscode.Uri[],
    mask: vscode.Uri | undefined,
): Promise<boolean> {
    const items: RefItem[] = [
        {
            label: '$(package) Embedded default model',
            description: 'ships with the extension',
            pick: () => Promise.resolve({ kind: 'default' }),
        },
        {
            label: '$(file-binary) Exported ONNX file…',
            pick: async () => {
                const [uri] =
                    (await vscode.window.showOpenDialog({
                        canSelectMany: false,
                        filters: { 'ONNX model': ['onnx'] },
                        openLabel: 'Use this model',
                    })) ?? [];
                return uri ? { kind: 'onnx', uri: uri.toString() } : undefined;
            },
        },
        ...runFolders.map((run): RefItem => ({
            label: `$(history) Latest checkpoint of ${vscode.workspace.asRelativePath(run)}`,
            pick: () => Promise.resolve({ kind: 'checkpoint', uri: run.toString() }),
        })),
        {
            label: '$(folder-opened) Latest checkpoint of a run folder…',
            pick: async () => {
                const [uri] =
                    (await vscode.window.showOpenDialog({
                        canSelectFolders: true,
                        canSelectFiles: false,
                        openLabel: 'Use its latest checkpoint',
                    })) ?? [];
                return uri ? { kind: 'checkpoint', uri: uri.toString() } : undefined;
            },
        },
    ];
    const item = await vscode.window.showQuickPick(items, {
        title: 'Model for the mask preview',
        placeHolder: 'Which model synthesizes the preview?',
    });
    const ref = item ? await item.pick() : undefined;
    if (!ref) return false;
    let scopeMask: vscode.Uri | undefined;
    if (mask) {
        const scope = await vscode.window.showQuickPick(
            [
                { label: 'For this mask', mask: true },
                { label: 'For every mask in this workspace', mask: false },
            ],
            { title: 'Use this model' },
        );
        if (!scope) return false;
        scopeMask = scope.mask ? mask : undefined;
    }
    await choices.set(ref, scopeMask);
    return true;
}
