/**
 * The one HTML skeleton every webview of the extension uses: a strict content security policy,
 * one nonce'd script (and optionally one nonce'd stylesheet), nothing remote. Free of the
 * vscode API so tests build the very same pages.
 */
import { randomBytes } from 'node:crypto';

/** What a page needs from its host. */
export interface WebviewPageOptions {
    /** `webview.cspSource`: the origin local resources are served from. */
    cspSource: string;
    /** URI of the page's bundle in dist/ as the webview sees it. */
    scriptUri: string;
    nonce: string;
    /** Document title. */
    title: string;
    /** Extra image sources beyond cspSource (e.g. `blob:` for canvases turned into images). */
    imgSources?: readonly string[];
    /** Whether fonts may load from cspSource (the codicon font). */
    fonts?: boolean;
    /** Inline stylesheet, allowed by the nonce. */
    style?: string;
}

/** A fresh nonce for one page load. */
export function makeNonce(): string {
    return randomBytes(18).toString('base64');
}

/** The CSP: scripts and styles only by nonce, images and fonts only from the extension. */
export function pageCsp(o: Omit<WebviewPageOptions, 'scriptUri' | 'title'>): string {
    return [
        "default-src 'none'",
        ['img-src', o.cspSource, ...(o.imgSources ?? [])].join(' '),
        `style-src 'nonce-${o.nonce}'`,
        `script-src 'nonce-${o.nonce}'`,
        ...(o.fonts ? [`font-src ${o.cspSource}`] : []),
    ].join('; ');
}

/** The page: an empty #app that the bundle fills. */
export function webviewPage(o: WebviewPageOptions): string {
    const style =
        o.style === undefined ? '' : `\n<style nonce="${escapeAttr(o.nonce)}">${o.style}</style>`;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(pageCsp(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeText(o.title)}</title>${style}
</head>
<body>
<div id="app"></div>
<script nonce="${escapeAttr(o.nonce)}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>`;
}

function escapeText(s: string): string {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
    return escapeText(s).replace(/"/g, '&quot;');
}
