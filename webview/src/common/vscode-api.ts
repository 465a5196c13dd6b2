/**
 * The webview's handle on its host. VS Code injects `acquireVsCodeApi` (callable once);
 * tests inject a stand-in with the same shape.
 */

/** What `acquireVsCodeApi()` returns, typed by the messages and state of one webview. */
export interface HostApi<Out, State> {
    postMessage(message: Out): void;
    getState(): State | undefined;
    setState(state: State): void;
}

declare function acquireVsCodeApi(): {
    postMessage(message: unknown): void;
    getState(): unknown;
    setState(state: unknown): void;
};

/** Acquires the host API; throws a clear error outside a webview (no stand-in injected). */
export function acquireHost<Out, State>(): HostApi<Out, State> {
    if (typeof acquireVsCodeApi !== 'function') {
        throw new Error('acquireVsCodeApi is missing: this page must run inside a VS Code webview');
    }
    const api = acquireVsCodeApi();
    return {
        postMessage: (m) => api.postMessage(m),
        getState: () => api.getState() as State | undefined,
        setState: (s) => api.setState(s),
    };
}
