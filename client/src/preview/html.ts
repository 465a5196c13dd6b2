/**
 * The preview webview's HTML: the shared page skeleton with images also from blobs and data
 * URLs (synthesized images arrive as bytes) and the codicon font.
 */
import { makeNonce, pageCsp, webviewPage, type WebviewPageOptions } from '../webview-page';

export { makeNonce };

/** What the page needs from its host. */
export type PreviewHtmlOptions = Pick<
    WebviewPageOptions,
    'cspSource' | 'scriptUri' | 'nonce' | 'title'
>;

const EXTRA = { imgSources: ['blob:', 'data:'], fonts: true } as const;

/** The CSP of the preview page. */
export function previewCsp(o: Pick<PreviewHtmlOptions, 'cspSource' | 'nonce'>): string {
    return pageCsp({ ...o, ...EXTRA });
}

/** The page. */
export function previewHtml(o: PreviewHtmlOptions): string {
    return webviewPage({ ...o, ...EXTRA });
}
