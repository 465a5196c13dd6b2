/**
 * The preview webview's HTML: one nonce'd script, a strict content security policy, nothing
 * remote. Free of the vscode API so the webview tests build the very same page.
 */
import { randomBytes } from 'node:crypto';

/** What the page needs from its host. */
export interface PreviewHtmlOptions {
    /** `webview.cspSource`: the origin local resources are served from. */
    cspSource: string;
    /** URI of dist/webview-preview.js as the webview sees it. */
    scriptUri: string;
    nonce: string;
    /** Document title (the file name). */
    title: string;
}

/** A fresh nonce for one page load. */
export function makeNonce(): string {
    return randomBytes(18).toString('base64');
}

/** The CSP: the script and stylesheet only by nonce, images from the extension or blobs. */
export function previewCsp(o: Pick<PreviewHtmlOptions, 'cspSource' | 'nonce'>): string {
    return [
        "default-src 'none'",
        `img-src ${o.cspSource} blob: data:`,
        `style-src 'nonce-${o.nonce}'`,
        `script-src 'nonce-${o.nonce}'`,
        `font-src ${o.cspSource}`,
    ].join('; ');
}

/** The page. */
export function previewHtml(o: PreviewHtmlOptions): string {
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(previewCsp(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeText(o.title)}</title>
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
