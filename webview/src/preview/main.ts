/**
 * Entry of the label-map preview webview (bundled to dist/webview-preview.js). Plain DOM and
 * canvas, no framework: the UI is one toolbar, two canvases and a table, and a framework would
 * add weight and a CSP-unfriendly runtime for no gain.
 */
import type {
    HostToWebview,
    PreviewViewState,
    WebviewToHost,
} from '../../../server/src/protocol/preview';
import { acquireHost } from '../common/vscode-api';
import { PreviewApp } from './app';
import { PREVIEW_CSS } from './styles';

function start(): void {
    // The stylesheet must carry the page's nonce: the CSP allows no other styles.
    const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
    const style = document.createElement('style');
    style.nonce = nonce;
    style.textContent = PREVIEW_CSS;
    document.head.append(style);

    const host = acquireHost<WebviewToHost, PreviewViewState>();
    window.addEventListener('error', (e) => {
        host.postMessage({ type: 'error', message: `${e.message} (${e.filename}:${e.lineno})` });
    });
    window.addEventListener('unhandledrejection', (e) => {
        host.postMessage({ type: 'error', message: String(e.reason) });
    });
    const root = document.getElementById('app') ?? document.body;
    const app = new PreviewApp(host, root, {
        setTimeout: (fn, ms) => window.setTimeout(fn, ms),
        clearTimeout: (h) => window.clearTimeout(h as number),
    });
    window.addEventListener('message', (e: MessageEvent<HostToWebview>) => {
        try {
            app.handle(e.data);
        } catch (err) {
            host.postMessage({
                type: 'error',
                message: err instanceof Error ? (err.stack ?? err.message) : String(err),
            });
        }
    });
    host.postMessage({ type: 'ready' });
}

start();
