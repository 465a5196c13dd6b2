/** The page's view settings as kept in the webview state (`setState`) across reloads. */
import type { PreviewViewState } from '../../../server/src/protocol/preview';

export const DEFAULT_VIEW: PreviewViewState = {
    zoom: 0,
    panX: 0,
    panY: 0,
    seed: 0,
    samples: 1,
    brushSize: 8,
    tool: 'brush',
    selectedClass: -1,
};

/** The view from a saved state, known keys only (an older page also saved its paint history). */
export function viewFrom(saved: Partial<PreviewViewState> | undefined): PreviewViewState {
    const view = { ...DEFAULT_VIEW };
    for (const k of Object.keys(DEFAULT_VIEW) as (keyof PreviewViewState)[]) {
        const v = saved?.[k];
        if (typeof v === typeof view[k]) Object.assign(view, { [k]: v });
    }
    return view;
}
