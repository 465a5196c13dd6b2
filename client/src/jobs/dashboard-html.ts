/**
 * The training dashboard's HTML: one nonce'd script and stylesheet, a strict content security
 * policy, nothing remote; images only from the extension and the run folder (cspSource).
 * Free of the vscode API so tests check the very same page.
 */
import { makeNonce, pageCsp, webviewPage } from '../webview-page';

export { makeNonce };

export interface DashboardHtmlOptions {
    /** `webview.cspSource`. */
    cspSource: string;
    /** URI of dist/webview-dashboard.js as the webview sees it. */
    scriptUri: string;
    nonce: string;
    title: string;
}

export function dashboardCsp(o: Pick<DashboardHtmlOptions, 'cspSource' | 'nonce'>): string {
    return pageCsp(o);
}

const STYLE = `
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px; }
header { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 1.2em; margin: 12px 0 4px; }
.state { font-weight: 600; }
.muted { color: var(--vscode-descriptionForeground); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 16px; }
figure { margin: 0; }
figcaption { margin: 6px 0; font-weight: 600; }
canvas { width: 100%; height: 240px; border: 1px solid var(--vscode-panel-border); }
.legend { display: flex; flex-wrap: wrap; gap: 10px; font-size: 0.9em; }
.legend label { cursor: pointer; }
.sample img { max-width: 100%; image-rendering: pixelated; border: 1px solid var(--vscode-panel-border); }
button {
  background: var(--vscode-button-background); color: var(--vscode-button-foreground);
  border: none; padding: 4px 12px; cursor: pointer;
}
button:disabled { opacity: 0.5; cursor: default; }
`;

export function dashboardHtml(o: DashboardHtmlOptions): string {
    return webviewPage({ ...o, style: STYLE });
}
