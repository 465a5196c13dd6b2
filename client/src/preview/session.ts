/**
 * One preview panel on a mask document: answers the webview's messages (synthesis with
 * cancellation of stale requests, edits, undo and redo, saves, style and image files) and
 * pushes `init` whenever the webview (re)loads, the file changes on disk or the model changes.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type {
    HostToWebview,
    SynthImage,
    WebviewToHost,
} from '../../../server/src/protocol/preview';
import { SynthesizeRequest } from '../../../server/src/protocol/preview';
import { decodeImages, encodeIds } from './codec';
import type { PreviewDeps } from './deps';
import { errorText, isCancellation, send } from './deps';
import type { MaskDocument } from './document';
import type { MaskEdit, PixelChange } from './edit-history';
import { MAX_DISPLAY_PIXELS, SYNTH_DEBOUNCE_MS } from './limits';
import { parseWebviewMessage } from './messages';
import type { ModelChoices } from './model-choice';

/** Hooks the provider gives each session. */
export interface SessionHooks {
    /** The page painted `edit` (already in the document): put it on VS Code's undo stack. */
    edited(doc: MaskDocument, edit: MaskEdit, from: PreviewSession): void;
    /** Save through VS Code (so its dirty state follows). */
    save(doc: MaskDocument): Promise<void>;
    /** The user asked for another model. */
    chooseModel(doc: MaskDocument): Promise<void>;
}

/** The host side of one preview webview. */
export class PreviewSession implements vscode.Disposable {
    private synthCts: { id: number; cts: vscode.CancellationTokenSource } | undefined;
    private lastImages: { requestId: number; images: SynthImage[] } | undefined;
    private readonly subs: vscode.Disposable[] = [];

    constructor(
        readonly doc: MaskDocument,
        readonly panel: vscode.WebviewPanel,
        private readonly deps: PreviewDeps,
        private readonly choices: ModelChoices,
        private readonly hooks: SessionHooks,
    ) {
        this.subs.push(panel.webview.onDidReceiveMessage((m) => this.receive(m)));
    }

    post(msg: HostToWebview): void {
        void this.panel.webview
            .postMessage(msg)
            .then(undefined, (err) =>
                this.deps.log.warn(
                    `preview: posting ${msg.type} to ${this.doc.fileName} failed: ${errorText(err)}`,
                ),
            );
    }

    /** Sends everything the webview needs to show the document. */
    sendInit(reason: 'open' | 'reload'): void {
        const c = this.doc.content;
        const common = {
            type: 'init' as const,
            reason,
            fileName: this.doc.fileName,
            classes: this.doc.classTable(),
            model: this.doc.model?.model ?? null,
            modelMessage: this.doc.modelMessage,
            dirty: this.doc.dirty,
            canUndo: this.doc.history.canUndo,
            canRedo: this.doc.history.canRedo,
            maxDisplayPixels: MAX_DISPLAY_PIXELS,
            synthDebounceMs: SYNTH_DEBOUNCE_MS,
        };
        if (!c) {
            const empty = {
                ids: new Uint8Array(0),
                width: 0,
                height: 0,
                format: { kind: 'gray' as const, bitDepth: 8 as const },
            };
            this.post({
                ...common,
                mask: empty,
                fatal: this.doc.fatal ?? `${this.doc.fileName} is not loaded.`,
            });
            return;
        }
        this.post({
            ...common,
            mask: { ids: c.ids, width: c.width, height: c.height, format: c.format },
        });
    }

    /** Tells the webview that the document's ids changed without it (undo, redo, a peer). */
    sendChange(label: string, change: PixelChange): void {
        const h = this.doc.history;
        this.post({
            type: 'change',
            label,
            runs: change.runs,
            ids: change.ids,
            dirty: h.dirty,
            canUndo: h.canUndo,
            canRedo: h.canRedo,
        });
    }

    /** Tells the webview about the document's (new) model. */
    sendModel(): void {
        this.post({
            type: 'model',
            model: this.doc.model?.model ?? null,
            modelMessage: this.doc.modelMessage,
            classes: this.doc.classTable(),
        });
    }

    private async receive(raw: unknown): Promise<void> {
        const c = this.doc.content;
        const msg = parseWebviewMessage(
            raw,
            c ? c.ids.length : 0,
            c?.ids instanceof Uint16Array ? 'uint16' : 'uint8',
        );
        if (typeof msg === 'string') {
            this.deps.log.warn(`preview ${this.doc.fileName}: ignored a webview message: ${msg}`);
            return;
        }
        try {
            await this.handle(msg);
        } catch (err) {
            this.deps.log.error(
                `preview ${this.doc.fileName}: ${msg.type} failed: ${errorText(err)}`,
            );
            this.post({ type: 'notice', level: 'error', message: errorText(err) });
        }
    }

    private async handle(msg: WebviewToHost): Promise<void> {
        switch (msg.type) {
            case 'ready':
                this.sendInit('open');
                break;
            case 'synthesize':
                await this.synthesize(msg);
                break;
            case 'cancel':
                if (this.synthCts?.id === msg.requestId) this.synthCts.cts.cancel();
                break;
            case 'edit': {
                const edit = this.doc.edit(msg.label, msg.ids, msg.runs);
                if (edit) this.hooks.edited(this.doc, edit, this);
                break;
            }
            case 'undoRedo':
                await this.undoRedo(msg.action);
                break;
            case 'save':
                this.checkSameIds(msg.ids);
                await this.hooks.save(this.doc);
                break;
            case 'pickStyle':
                await this.pickStyle(msg.clear === true);
                break;
            case 'saveImage':
                await this.saveImage(msg.requestId, msg.index);
                break;
            case 'chooseModel':
                await this.hooks.chooseModel(this.doc);
                break;
            case 'error':
                this.deps.log.error(`preview webview (${this.doc.fileName}): ${msg.message}`);
                break;
        }
    }

    /**
     * Runs VS Code's own Undo or Redo, so the page's buttons walk VS Code's stack. The command
     * acts on the active editor: a click in a panel that was not active reaches us before VS
     * Code has activated it (it learns of webview focus by polling), so wait for that first.
     */
    private async undoRedo(action: 'undo' | 'redo'): Promise<void> {
        if (!(await this.whenActive(1500))) {
            this.deps.log.warn(
                `preview ${this.doc.fileName}: ${action} ignored, the panel did not become active`,
            );
            return;
        }
        await vscode.commands.executeCommand(action);
    }

    private whenActive(timeoutMs: number): Promise<boolean> {
        if (this.panel.active) return Promise.resolve(true);
        return new Promise((resolve) => {
            const done = (ok: boolean): void => {
                clearTimeout(timer);
                sub.dispose();
                resolve(ok);
            };
            const timer = setTimeout(() => done(false), timeoutMs);
            const sub = this.panel.onDidChangeViewState(() => {
                if (this.panel.active) done(true);
            });
        });
    }

    /** The page's ids should be the document's; a difference is a bug worth a log line. */
    private checkSameIds(ids: ArrayLike<number>): void {
        const mine = this.doc.content?.ids;
        if (!mine) return;
        let differ = 0;
        for (let i = 0; i < mine.length; i++) if (mine[i] !== ids[i]) differ++;
        if (differ > 0)
            this.deps.log.warn(
                `preview ${this.doc.fileName}: the page's ids differ from the document's in ` +
                    `${differ} pixels; saving the document's`,
            );
    }

    private async synthesize(msg: WebviewToHost & { type: 'synthesize' }): Promise<void> {
        if (!vscode.workspace.isTrusted) {
            // Synthesis loads model files the workspace names and runs native code.
            this.post({
                type: 'synthesisFailed',
                requestId: msg.requestId,
                message:
                    'Synthesis is disabled in Restricted Mode: it loads the models this workspace ' +
                    'names. Trust the workspace (Manage Workspace Trust) to see images; the ' +
                    'mask still shows and can be painted.',
            });
            return;
        }
        // A newer request makes the previous one stale whatever the webview says.
        this.synthCts?.cts.cancel();
        const cts = new vscode.CancellationTokenSource();
        this.synthCts = { id: msg.requestId, cts };
        const t0 = performance.now();
        try {
            const result = await send(
                this.deps,
                SynthesizeRequest,
                {
                    maskUri: this.doc.uri.toString(),
                    ids: encodeIds(msg.ids, msg.width, msg.height),
                    model: this.choices.forMask(this.doc.uri),
                    seed: msg.seed,
                    samples: msg.samples,
                    styleUri: this.doc.styleUri?.toString(),
                },
                cts.token,
            );
            if (cts.token.isCancellationRequested) return;
            const images = decodeImages(result);
            this.lastImages = { requestId: msg.requestId, images };
            this.post({
                type: 'image',
                requestId: msg.requestId,
                images,
                elapsedMs: performance.now() - t0,
            });
        } catch (err) {
            if (cts.token.isCancellationRequested || isCancellation(err)) return;
            this.post({
                type: 'synthesisFailed',
                requestId: msg.requestId,
                message: errorText(err),
            });
        } finally {
            if (this.synthCts?.cts === cts) this.synthCts = undefined;
            cts.dispose();
        }
    }

    private async pickStyle(clear: boolean): Promise<void> {
        if (clear) {
            this.doc.styleUri = undefined;
        } else {
            const [uri] =
                (await vscode.window.showOpenDialog({
                    canSelectMany: false,
                    defaultUri: vscode.Uri.joinPath(this.doc.uri, '..'),
                    filters: { Images: ['png', 'jpg', 'jpeg'] },
                    openLabel: 'Use as style',
                })) ?? [];
            if (!uri) return;
            this.doc.styleUri = uri;
        }
        this.post({
            type: 'style',
            name: this.doc.styleUri ? path.basename(this.doc.styleUri.fsPath) : null,
        });
    }

    private async saveImage(requestId: number, index: number): Promise<void> {
        const shown = this.lastImages;
        const image = shown?.requestId === requestId ? shown.images[index] : undefined;
        if (!image) {
            this.post({
                type: 'notice',
                level: 'warning',
                message: 'That image is no longer available; save the one shown now.',
            });
            return;
        }
        const stem = path.basename(this.doc.fileName, path.extname(this.doc.fileName));
        const suffix = shown && shown.images.length > 1 ? `-${index + 1}` : '';
        const target = await vscode.window.showSaveDialog({
            defaultUri: vscode.Uri.joinPath(this.doc.uri, '..', `${stem}.synth${suffix}.png`),
            filters: { 'PNG image': ['png'] },
        });
        if (!target) return;
        // Atomic: a half-written image never replaces an existing one.
        const temp = target.with({ path: `${target.path}.${process.pid}.tmp` });
        await vscode.workspace.fs.writeFile(temp, image.png);
        await vscode.workspace.fs.rename(temp, target, { overwrite: true });
        this.post({
            type: 'notice',
            level: 'info',
            message: `Saved ${vscode.workspace.asRelativePath(target)}.`,
        });
    }

    dispose(): void {
        this.synthCts?.cts.cancel();
        for (const s of this.subs) s.dispose();
    }
}
