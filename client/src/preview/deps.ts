/** What the preview needs from the rest of the extension, and a typed request helper. */
import type * as vscode from 'vscode';
import type { ParamsOf, RequestDecl, ResultOf } from '../../../server/src/protocol/preview';

/**
 * Passed to `registerPreview` by extension.ts. `sendRequest` fits the language client:
 * `(method, params, token) => client.sendRequest(method, params, token)`; it should wait for
 * the client to be running (an editor can open before the server is up).
 */
export interface PreviewDeps {
    sendRequest<R>(method: string, params: unknown, token?: vscode.CancellationToken): Promise<R>;
    /** Training run folders: the preview may read from them and offers their checkpoints. */
    runFolders?(): readonly vscode.Uri[];
    /** The extension's log channel. */
    log: Pick<vscode.LogOutputChannel, 'info' | 'warn' | 'error'>;
}

/** Sends a request declared in protocol/preview.ts with its params and result types. */
export function send<D extends RequestDecl<unknown, unknown>>(
    deps: PreviewDeps,
    decl: D,
    params: ParamsOf<D>,
    token?: vscode.CancellationToken,
): Promise<ResultOf<D>> {
    return deps.sendRequest<ResultOf<D>>(decl.method, params, token);
}

/** A user-facing message from a failed request (ResponseError messages are written for users). */
export function errorText(err: unknown): string {
    if (err instanceof Error) return err.message;
    return String(err);
}

/** Whether a request failed because it was cancelled (LSP RequestCancelled / ServerCancelled). */
export function isCancellation(err: unknown): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    return code === -32800 || code === -32802;
}

/** Whether the server does not implement the method yet (LSP MethodNotFound). */
export function isMethodNotFound(err: unknown): boolean {
    return (err as { code?: unknown } | null)?.code === -32601;
}
