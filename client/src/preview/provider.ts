/**
 * The custom editor for label-map PNGs. Documents are editable (paint mode): every stroke or
 * fill is an edit on VS Code's undo stack, so Edit > Undo, the Ctrl+Z that VS Code takes from
 * the webview and the page's own buttons walk one history, kept by the host (edit-history.ts).
 * Save writes the mask back in its own format through the language server, Revert and changes
 * on disk reload it, hot exit backs the edited ids up.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PreviewDeps } from './deps';
import { errorText } from './deps';
import { MaskDocument } from './document';
import type { MaskEdit } from './edit-history';
import { makeNonce, previewHtml } from './html';
import type { ModelChoices } from './model-choice';
import { chooseModel } from './model-choice';
import { PreviewSession } from './session';

/** The editor's view type (package.json `customEditors[].viewType`). */
export const MASK_PREVIEW_VIEW_TYPE = 'spade.maskPreview';

/** Provides the mask preview editor. */
export class MaskEditorProvider implements vscode.CustomEditorProvider<MaskDocument> {
    // Edit events only: VS Code's API says a provider fires either edits or content changes.
    private readonly changes = new vscode.EventEmitter<
        vscode.CustomDocumentEditEvent<MaskDocument>
    >();
    readonly onDidChangeCustomDocument = this.changes.event;
    private readonly sessions = new Set<PreviewSession>();
    /** The session whose panel was active last (for commands run from the palette). */
    active: PreviewSession | undefined;

    constructor(
        private readonly extensionUri: vscode.Uri,
        private readonly deps: PreviewDeps,
        private readonly choices: ModelChoices,
    ) {}

    /** Folders the preview may read: workspace folders, run folders, the extension. */
    allowedRoots(): vscode.Uri[] {
        return [
            ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri),
            ...(this.deps.runFolders?.() ?? []),
            this.extensionUri,
        ];
    }

    async openCustomDocument(
        uri: vscode.Uri,
        openContext: vscode.CustomDocumentOpenContext,
    ): Promise<MaskDocument> {
        const doc = await MaskDocument.open(
            uri,
            this.deps,
            this.allowedRoots(),
            openContext.backupId,
        );
        if (doc.fatal) return doc;
        doc.modelMessage = 'Loading the model…';
        void doc
            .loadModel(this.choices.forMask(uri))
            .then(() => this.forDoc(doc, (s) => s.sendModel()));
        this.watch(doc);
        return doc;
    }

    resolveCustomEditor(doc: MaskDocument, panel: vscode.WebviewPanel): void {
        const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
        const roots = this.allowedRoots().filter(
            (r) => r.toString() !== this.extensionUri.toString(),
        );
        panel.webview.options = { enableScripts: true, localResourceRoots: [dist, ...roots] };
        panel.webview.html = previewHtml({
            cspSource: panel.webview.cspSource,
            scriptUri: panel.webview
                .asWebviewUri(vscode.Uri.joinPath(dist, 'webview-preview.js'))
                .toString(),
            nonce: makeNonce(),
            title: doc.fileName,
        });
        const session = new PreviewSession(doc, panel, this.deps, this.choices, {
            edited: (d, edit, from) => this.edited(d, edit, from),
            save: (d) => this.saveFromWebview(d),
            chooseModel: (d) => this.pickModel(d),
        });
        this.sessions.add(session);
        if (panel.active) this.active = session;
        panel.onDidChangeViewState(() => {
            if (panel.active) this.active = session;
        });
        panel.onDidDispose(() => {
            this.sessions.delete(session);
            if (this.active === session) this.active = undefined;
            session.dispose();
        });
    }

    async saveCustomDocument(doc: MaskDocument, token: vscode.CancellationToken): Promise<void> {
        try {
            await doc.save(doc.uri, token);
            this.forDoc(doc, (s) => s.post({ type: 'saved', ok: true }));
        } catch (err) {
            const message = `Could not save ${doc.uri.fsPath}: ${errorText(err)}`;
            this.forDoc(doc, (s) => s.post({ type: 'saved', ok: false, message }));
            throw new Error(message, { cause: err });
        }
    }

    async saveCustomDocumentAs(
        doc: MaskDocument,
        destination: vscode.Uri,
        token: vscode.CancellationToken,
    ): Promise<void> {
        await doc.save(destination, token);
    }

    async revertCustomDocument(doc: MaskDocument): Promise<void> {
        await doc.reload();
        doc.history.reverted();
        this.forDoc(doc, (s) => s.sendInit('reload'));
    }

    backupCustomDocument(
        doc: MaskDocument,
        context: vscode.CustomDocumentBackupContext,
    ): Promise<vscode.CustomDocumentBackup> {
        return doc.backup(context.destination);
    }

    /** Asks for a model (for `doc`, or workspace-wide) and reloads it where it changed. */
    async pickModel(doc: MaskDocument | undefined): Promise<void> {
        const changed = await chooseModel(this.choices, this.deps.runFolders?.() ?? [], doc?.uri);
        if (!changed) return;
        const docs = new Set([...this.sessions].map((s) => s.doc));
        for (const d of docs) {
            if (d.fatal) continue;
            await d.loadModel(this.choices.forMask(d.uri));
            this.forDoc(d, (s) => s.sendModel());
        }
    }

    /**
     * A page painted: VS Code gets the edit for its undo stack (its undo and redo come back
     * here), the other panels on the file get the pixels.
     */
    private edited(doc: MaskDocument, edit: MaskEdit, from: PreviewSession): void {
        this.changes.fire({
            document: doc,
            label: edit.label,
            undo: () => this.step(doc, edit, 'undo'),
            redo: () => this.step(doc, edit, 'redo'),
        });
        this.deps.log.info(`preview: ${edit.label} on ${doc.fileName} (${edit.pixels} pixels)`);
        const after = edit.result(doc.content?.ids instanceof Uint16Array);
        this.forDoc(doc, (s) => s !== from && s.sendChange(edit.label, after));
    }

    /** VS Code undoes or redoes an edit: apply it to the document and show it in every panel. */
    private step(doc: MaskDocument, edit: MaskEdit, action: 'undo' | 'redo'): void {
        const change = doc.step(edit, action);
        if (!change) return;
        const label = `${action === 'undo' ? 'Undo' : 'Redo'} ${edit.label}`;
        this.deps.log.info(`preview: ${label} on ${doc.fileName}`);
        this.forDoc(doc, (s) => s.sendChange(label, change));
    }

    /** The Save button in the webview: save through VS Code so its dirty marker clears. */
    private async saveFromWebview(doc: MaskDocument): Promise<void> {
        if (!doc.dirty) {
            // Nothing to write; VS Code would not call saveCustomDocument either.
            this.forDoc(doc, (s) => s.post({ type: 'saved', ok: true }));
            return;
        }
        const saved = await vscode.workspace.save(doc.uri);
        if (saved || !doc.dirty) return;
        // No editor found for the resource (e.g. closing): write directly.
        await this.saveCustomDocument(doc, new vscode.CancellationTokenSource().token);
    }

    private watch(doc: MaskDocument): void {
        const dir = vscode.Uri.file(path.dirname(doc.uri.fsPath));
        const watcher = vscode.workspace.createFileSystemWatcher(
            new vscode.RelativePattern(dir, path.basename(doc.uri.fsPath)),
        );
        let timer: NodeJS.Timeout | undefined;
        const changed = (): void => {
            clearTimeout(timer);
            timer = setTimeout(() => void this.onDisk(doc), 150);
        };
        watcher.onDidChange(changed);
        watcher.onDidCreate(changed);
        doc.onDidDispose(() => {
            clearTimeout(timer);
            watcher.dispose();
        });
    }

    private async onDisk(doc: MaskDocument): Promise<void> {
        if (Date.now() < doc.ownWriteUntil) return;
        if (doc.dirty) {
            const message =
                `${doc.fileName} changed on disk. Saving overwrites that change; ` +
                'File > Revert File loads it and drops your edits.';
            this.forDoc(doc, (s) => s.post({ type: 'notice', level: 'warning', message }));
            return;
        }
        await doc.reload();
        this.deps.log.info(`preview: ${doc.fileName} changed on disk; reloaded`);
        this.forDoc(doc, (s) => s.sendInit('reload'));
    }

    private forDoc(doc: MaskDocument, fn: (s: PreviewSession) => unknown): void {
        for (const s of this.sessions) if (s.doc === doc) fn(s);
    }

    dispose(): void {
        this.changes.dispose();
    }
}
