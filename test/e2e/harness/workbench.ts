/**
 * Driving the VS Code 1.100 workbench as a user would: keyboard shortcuts, the quick input,
 * the Problems panel, notifications and webviews. Every wait is on a selector or an event.
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { CheckFailed, waitUntil } from './wait';

/** Selectors of the workbench parts the scenarios read (checked against VS Code 1.100.3). */
export const SEL = {
    workbench: '.monaco-workbench',
    /** Present only once the remote connection is up and the folder is listed. */
    explorerRows: '.explorer-folders-view .monaco-list-row',
    quickInput: '.quick-input-widget .quick-input-box input',
    quickInputRows: '.quick-input-widget .quick-input-list .monaco-list-row',
    quickInputFocused: '.quick-input-widget .quick-input-list .monaco-list-row.focused',
    activeTab: '.tabs-container .tab.active',
    activeEditor: '.editor-group-container.active .monaco-editor',
    squiggleError: '.monaco-editor .view-overlays .squiggly-error',
    languageMode: '#status\\.editor\\.mode',
    statusProblems: '#status\\.problems',
    problemsPanel: '.markers-panel',
    markerRows: '.markers-panel .monaco-list-row:has(.marker-icon)',
    suggestWidget: '.editor-widget.suggest-widget.visible',
    suggestRows: '.editor-widget.suggest-widget.visible .monaco-list-row',
    hover: '.monaco-hover:not(.hidden) .monaco-hover-content',
    toast: '.notifications-toasts .notification-toast',
    toastMessage: '.notifications-toasts .notification-list-item-message',
    /** A webview: <iframe class="webview ready"> holding <iframe id="active-frame">. */
    webviewOuter: 'iframe.webview.ready',
    webviewInner: 'iframe#active-frame',
} as const;

/** One row of the Problems panel. */
export interface Marker {
    severity: 'error' | 'warning' | 'info';
    message: string;
    /** 1-based, as the panel shows them. */
    line: number;
    column: number;
    /** The diagnostic source and code as shown, e.g. "spade" and "SP4001". */
    source: string;
    code: string;
}

/** Opens the folder and waits until the explorer lists it (the remote side is then up). */
export async function openWorkbench(page: Page, url: string, folder: string): Promise<void> {
    await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector(SEL.workbench, { timeout: 60_000 });
    await page.waitForSelector(SEL.explorerRows, { timeout: 60_000 });
}

/** Ctrl+P, the file's name, Enter; resolves once its tab is the active one. */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
    await openQuickInput(page, 'Control+P');
    await fillQuickInput(page, fileName);
    await page.locator(SEL.quickInputFocused, { hasText: fileName }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator(SEL.activeTab, { hasText: fileName }).waitFor();
}

/** Runs a command from the palette by its exact title (e.g. "SPADE: Train"). */
export async function runCommand(page: Page, title: string): Promise<void> {
    await openQuickInput(page, 'F1');
    await fillQuickInput(page, `>${title}`);
    // The palette does not rank an exact match first ("SPADE: Train" comes after "SPADE: Open
    // Training Dashboard"), so pick the row whose label is exactly the title.
    const row = page.locator(SEL.quickInputRows, {
        has: page.locator('.label-name', { hasText: new RegExp(`^${escape(title)}$`) }),
    });
    await row.first().click();
    await page.locator(SEL.quickInput).waitFor({ state: 'hidden' });
}

/** Moves the cursor of the active editor to a 1-based line and column (Quick Open ":L:C"). */
export async function goTo(page: Page, line: number, column: number): Promise<void> {
    await openQuickInput(page, 'Control+P');
    await fillQuickInput(page, `:${line}:${column}`);
    await page.keyboard.press('Enter');
    await page.locator(SEL.quickInput).waitFor({ state: 'hidden' });
    await page
        .locator('#status\\.editor\\.selection', { hasText: `Ln ${line}, Col ${column}` })
        .waitFor();
}

/** Shows the Problems panel (Ctrl+Shift+M toggles it, so only when it is not shown). */
export async function showProblems(page: Page): Promise<void> {
    if (!(await page.locator(SEL.problemsPanel).isVisible()))
        await page.keyboard.press('Control+Shift+M');
    await page.locator(SEL.problemsPanel).waitFor();
}

/** The marker rows the Problems panel renders, parsed. */
export async function readMarkers(page: Page): Promise<Marker[]> {
    const rows = await page.locator(SEL.markerRows).evaluateAll((els) =>
        els.map((r) => ({
            icon: r.querySelector('.marker-icon')?.className ?? '',
            message: r.querySelector('.marker-message')?.textContent ?? '',
            where: r.querySelector('.marker-line')?.textContent ?? '',
            source: r.querySelector('.marker-source')?.textContent ?? '',
            code: r.querySelector('.marker-code')?.textContent ?? '',
        })),
    );
    return rows.map((r) => {
        const m = /Ln (\d+), Col (\d+)/.exec(r.where);
        const severity = /error/.test(r.icon)
            ? 'error'
            : /warning/.test(r.icon)
              ? 'warning'
              : 'info';
        return {
            severity,
            message: r.message.trim(),
            line: m ? Number(m[1]) : NaN,
            column: m ? Number(m[2]) : NaN,
            source: r.source.trim(),
            code: r.code.replace(/[()]/g, '').trim(),
        };
    });
}

/** Error and warning counts from the status bar item. */
export async function statusCounts(page: Page): Promise<{ errors: number; warnings: number }> {
    const text = await page.locator(SEL.statusProblems).innerText();
    const [errors, warnings] = text.split(/\s+/).filter(Boolean).map(Number);
    return { errors, warnings };
}

/** The extension's document inside the visible webview. */
export function webview(page: Page): FrameLocator {
    // Editors in the background keep their webview iframes, hidden; take the one on screen.
    return page
        .locator(SEL.webviewOuter)
        .filter({ visible: true })
        .contentFrame()
        .frameLocator(SEL.webviewInner);
}

/** Waits for a toast whose message matches; returns its locator. */
export async function waitForToast(page: Page, text: string | RegExp): Promise<Locator> {
    const toast = page.locator(SEL.toast, {
        has: page.locator('.notification-list-item-message', { hasText: text }),
    });
    await toast.first().waitFor();
    return toast.first();
}

/** Text of every toast on screen (for failure details). */
export async function toastTexts(page: Page): Promise<string[]> {
    return page.locator(SEL.toastMessage).allInnerTexts();
}

/** Closes every editor (so the next scenario starts from a clean editor area). */
export async function closeAllEditors(page: Page): Promise<void> {
    await runCommand(page, 'View: Close All Editors');
    const dialog = page.locator('.monaco-dialog-box');
    // An edited file asks whether to save; scenarios leave nothing unsaved, so this is a failure.
    if (await dialog.isVisible())
        throw new CheckFailed(`closing editors asked: ${await dialog.innerText()}`);
    await page.locator(SEL.activeTab).waitFor({ state: 'detached' });
}

/**
 * Back to an empty editor area whatever a scenario left behind (a failed step may leave an
 * edited file or an open widget): closes every editor without saving.
 */
export async function resetEditors(page: Page): Promise<void> {
    await page.keyboard.press('Escape');
    await runCommand(page, 'View: Close All Editors');
    const dontSave = page.locator('.monaco-dialog-box button', { hasText: /^Don't Save$/ });
    await waitUntil(
        'the editors to close, or a prompt to save them',
        async () =>
            (await dontSave.isVisible()) || (await page.locator(SEL.activeTab).count()) === 0,
    );
    if (await dontSave.isVisible()) await dontSave.click();
    await page.locator(SEL.activeTab).waitFor({ state: 'detached' });
}

/**
 * Presses the shortcut that opens the quick input and waits for it. A webview that has focus
 * (the built-in image preview focuses itself once loaded, after its tab is already active)
 * swallows the keys, so focus moves to the active tab first, and the press is retried when the
 * webview took focus back in between.
 */
async function openQuickInput(page: Page, key: string): Promise<void> {
    const input = page.locator(SEL.quickInput);
    for (let attempt = 1; ; attempt++) {
        await page.evaluate(() => {
            if (!(document.activeElement instanceof HTMLIFrameElement)) return;
            const tab = document.querySelector<HTMLElement>('.tabs-container .tab.active');
            if (tab) tab.focus();
            else document.activeElement.blur();
        });
        await page.keyboard.press(key);
        try {
            await input.waitFor({ timeout: 5000 });
            return;
        } catch (e) {
            if (attempt === 3) throw e;
        }
    }
}

async function fillQuickInput(page: Page, text: string): Promise<void> {
    await page.locator(SEL.quickInput).fill(text);
}

function escape(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
