/** What the training commands need from the rest of the extension. */
import type * as vscode from 'vscode';

/**
 * Passed to `registerJobs` by extension.ts; `sendRequest` and `onNotification` fit the language
 * client: `(m, p) => client.sendRequest(m, p)`, `(m, h) => client.onNotification(m, h)`.
 */
export interface JobsDeps {
    sendRequest<R>(method: string, params: unknown): Promise<R>;
    onNotification(method: string, handler: (params: unknown) => void): vscode.Disposable;
    /** The extension's log channel. */
    log: Pick<vscode.LogOutputChannel, 'info' | 'warn' | 'error' | 'show'>;
}

/** A user-facing message from a failed request (the server writes them for users). */
export function errorText(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
