/**
 * A label-map file opened in the preview: the ids as the file holds them, the ids as edited,
 * how the file stores them, and the model that previews it. Reads and writes go through the
 * language server (`spade/preview/readMask`, `writeMask`), which owns the PNG formats.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type {
    ClassTable,
    LabelIds,
    MaskFormat,
    ModelInfoResult,
    ModelRef,
} from '../../../server/src/protocol/preview';
import {
    ModelInfoRequest,
    ReadMaskRequest,
    WriteMaskRequest,
} from '../../../server/src/protocol/preview';
import { decodeIds, encodeIds } from './codec';
import type { PreviewDeps } from './deps';
import { errorText, isMethodNotFound, send } from './deps';
import type { MaskEdit, PixelChange } from './edit-history';
import { EditHistory } from './edit-history';
import { isInsideRoots, outsideRootsMessage } from './roots';

/** The loaded content of a mask file. */
interface Content {
    ids: LabelIds;
    width: number;
    height: number;
    format: MaskFormat;
    classes?: ClassTable;
}

/** Backup file content (hot exit): the edited ids and what is needed to save them later. */
interface Backup {
    version: 1;
    dtype: 'uint8' | 'uint16';
    width: number;
    height: number;
    data: string;
    format: MaskFormat;
}

/** One mask document, shared by every preview panel on the same file. */
export class MaskDocument implements vscode.CustomDocument {
    content: Content | undefined;
    /** Why the mask cannot be shown (outside the allowed folders, unreadable): shown instead. */
    fatal: string | undefined;
    /** The paint edits on VS Code's undo stack (see edit-history.ts). */
    history = new EditHistory();
    model: ModelInfoResult | undefined;
    modelMessage: string | undefined;
    styleUri: vscode.Uri | undefined;
    /** Our own writes end before this time; file events until then are ours, not the user's. */
    ownWriteUntil = 0;
    private readonly disposeEmitter = new vscode.EventEmitter<void>();
    readonly onDidDispose = this.disposeEmitter.event;

    private constructor(
        readonly uri: vscode.Uri,
        private readonly deps: PreviewDeps,
    ) {}

    /** Opens a document: from a backup when VS Code has one, else from the file. */
    static async open(
        uri: vscode.Uri,
        deps: PreviewDeps,
        roots: readonly vscode.Uri[],
        backupId: string | undefined,
    ): Promise<MaskDocument> {
        const doc = new MaskDocument(uri, deps);
        if (
            uri.scheme !== 'file' ||
            !isInsideRoots(
                uri.fsPath,
                roots.map((r) => r.fsPath),
            )
        ) {
            doc.fatal = outsideRootsMessage(uri.scheme === 'file' ? uri.fsPath : uri.toString());
            return doc;
        }
        if (backupId) {
            try {
                await doc.restore(vscode.Uri.parse(backupId));
                return doc;
            } catch (err) {
                deps.log.warn(
                    `preview: backup ${backupId} of ${uri.fsPath} unreadable ` +
                        `(${errorText(err)}); reading the file`,
                );
            }
        }
        await doc.reload();
        return doc;
    }

    get fileName(): string {
        return path.basename(this.uri.fsPath);
    }

    /** Whether the ids differ from the file (VS Code's view, from the edit history). */
    get dirty(): boolean {
        return this.history.dirty;
    }

    /**
     * Reads the file again (revert, or a change on disk); a failure becomes `fatal`. The
     * history stays: VS Code keeps its undo stack, and its edits apply to the new ids.
     */
    async reload(): Promise<void> {
        try {
            const r = await send(this.deps, ReadMaskRequest, { uri: this.uri.toString() });
            const ids = decodeIds(r.ids);
            this.content = {
                ids,
                width: r.ids.width,
                height: r.ids.height,
                format: r.format,
                classes: r.classes,
            };
            this.fatal = undefined;
        } catch (err) {
            this.content = undefined;
            this.fatal = isMethodNotFound(err)
                ? `Cannot open ${this.uri.fsPath}: the SPADE language server does not read masks yet ` +
                  '(spade/preview/readMask is missing). Update the extension, then reopen the file.'
                : errorText(err);
        }
    }

    /** Loads the model description for `ref`; failures become `modelMessage`, not errors. */
    async loadModel(ref: ModelRef | undefined): Promise<void> {
        try {
            this.model = await send(this.deps, ModelInfoRequest, {
                maskUri: this.uri.toString(),
                model: ref,
            });
            this.modelMessage = undefined;
        } catch (err) {
            this.model = undefined;
            this.modelMessage = isMethodNotFound(err)
                ? 'The SPADE language server cannot synthesize yet (spade/preview/modelInfo is missing). ' +
                  'You can still paint and save the mask.'
                : `No model for ${this.fileName}: ${errorText(err)}`;
        }
    }

    /**
     * Takes the pixels a page painted (`runs` of `ids`) into the document as one edit;
     * undefined when they do not differ (or do not fit: the message check makes sure they do).
     */
    edit(label: string, ids: LabelIds, runs: Uint32Array): MaskEdit | undefined {
        const c = this.content;
        if (!c || ids.length !== c.ids.length) return undefined;
        return this.history.record(label, c.ids, ids, runs);
    }

    /** Undoes or redoes one of this document's edits in its ids; the pixels set, if loaded. */
    step(edit: MaskEdit, action: 'undo' | 'redo'): PixelChange | undefined {
        const c = this.content;
        if (!c) return undefined;
        return action === 'undo' ? this.history.undo(edit, c.ids) : this.history.redo(edit, c.ids);
    }

    /** Class names and colours for display: file or dataset names, else the model's; palette colours. */
    classTable(): ClassTable {
        const base = this.content?.classes ?? this.model?.classes ?? { names: [] };
        const f = this.content?.format;
        if (f?.kind === 'palette' && !base.colors) return { ...base, colors: f.palette };
        return base;
    }

    /**
     * Writes the edited ids to `target` (default: the file) in the file's own format. Marks
     * the history saved for any target, as VS Code does after Save As.
     */
    async save(target: vscode.Uri = this.uri, token?: vscode.CancellationToken): Promise<void> {
        const c = this.content;
        if (!c)
            throw new Error(`Cannot save ${this.uri.fsPath}: ${this.fatal ?? 'it is not loaded'}`);
        if (target.toString() === this.uri.toString()) this.ownWriteUntil = Date.now() + 60_000;
        try {
            await send(
                this.deps,
                WriteMaskRequest,
                {
                    uri: target.toString(),
                    ids: encodeIds(c.ids, c.width, c.height),
                    format: c.format,
                },
                token,
            );
        } finally {
            // File events for our own write may arrive shortly after the rename.
            if (target.toString() === this.uri.toString()) this.ownWriteUntil = Date.now() + 1500;
        }
        this.history.saved();
    }

    /** Writes a backup of the edited ids (hot exit). */
    async backup(destination: vscode.Uri): Promise<vscode.CustomDocumentBackup> {
        const c = this.content;
        if (c) {
            const enc = encodeIds(c.ids, c.width, c.height);
            const body: Backup = { version: 1, ...enc, format: c.format };
            await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(destination, '..'));
            await vscode.workspace.fs.writeFile(destination, Buffer.from(JSON.stringify(body)));
        }
        return {
            id: destination.toString(),
            delete: () =>
                void vscode.workspace.fs.delete(destination).then(undefined, () => undefined),
        };
    }

    private async restore(backup: vscode.Uri): Promise<void> {
        const b = JSON.parse(
            Buffer.from(await vscode.workspace.fs.readFile(backup)).toString('utf8'),
        ) as Backup;
        if (b.version !== 1) throw new Error(`backup version ${String(b.version)} is not 1`);
        const ids = decodeIds(b);
        this.content = { ids, width: b.width, height: b.height, format: b.format };
        this.history = new EditHistory(true);
        // Names come with the file; read them without touching the restored ids.
        try {
            const r = await send(this.deps, ReadMaskRequest, { uri: this.uri.toString() });
            this.content.classes = r.classes;
        } catch {
            // The backup stands on its own; names fall back to the model's.
        }
    }

    dispose(): void {
        this.disposeEmitter.fire();
        this.disposeEmitter.dispose();
    }
}
