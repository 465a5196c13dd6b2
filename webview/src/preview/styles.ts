/**
 * The preview's stylesheet. VS Code theme variables make it look native; the fallbacks only
 * matter outside VS Code (the test page).
 */
export const PREVIEW_CSS = `
:root { color-scheme: light dark; }
* { box-sizing: border-box; }
html, body, #app { margin: 0; padding: 0; height: 100%; overflow: hidden; }
#app { display: flex; flex-direction: column; }
body {
    font-family: var(--vscode-font-family, system-ui, sans-serif);
    font-size: var(--vscode-font-size, 13px);
    color: var(--vscode-foreground, #cccccc);
    background: var(--vscode-editor-background, #1e1e1e);
}
button {
    font: inherit; padding: 3px 9px; border-radius: 2px; cursor: pointer;
    border: 1px solid var(--vscode-button-border, transparent);
    color: var(--vscode-button-foreground, #ffffff);
    background: var(--vscode-button-background, #0e639c);
}
button:hover { background: var(--vscode-button-hoverBackground, #1177bb); }
button.secondary {
    color: var(--vscode-button-secondaryForeground, #cccccc);
    background: var(--vscode-button-secondaryBackground, #3a3d41);
}
button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground, #45494e); }
button.active { outline: 1px solid var(--vscode-focusBorder, #007fd4); outline-offset: -1px;
    background: var(--vscode-button-background, #0e639c); color: var(--vscode-button-foreground, #fff); }
button:disabled { opacity: 0.45; cursor: default; }
button.small { padding: 1px 6px; font-size: 0.9em; }
input, select {
    font: inherit; padding: 2px 4px;
    color: var(--vscode-input-foreground, #cccccc);
    background: var(--vscode-input-background, #3c3c3c);
    border: 1px solid var(--vscode-input-border, #3c3c3c);
}
input[type=number] { width: 5.5em; }
select { max-width: 14em; }
:focus-visible { outline: 1px solid var(--vscode-focusBorder, #007fd4); }
#toolbar {
    display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; padding: 6px 8px;
    border-bottom: 1px solid var(--vscode-panel-border, #444);
}
.group { display: flex; gap: 4px; align-items: center; }
label { color: var(--vscode-descriptionForeground, #9d9d9d); }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 2px;
    border: 1px solid var(--vscode-panel-border, #555); vertical-align: middle; }
#banner { padding: 6px 10px; border-bottom: 1px solid transparent; }
#banner[hidden] { display: none; }
#banner.error { background: var(--vscode-inputValidation-errorBackground, #5a1d1d);
    border-color: var(--vscode-inputValidation-errorBorder, #be1100); }
#banner.warning { background: var(--vscode-inputValidation-warningBackground, #352a05);
    border-color: var(--vscode-inputValidation-warningBorder, #b89500); }
#banner.info { background: var(--vscode-inputValidation-infoBackground, #063b49);
    border-color: var(--vscode-inputValidation-infoBorder, #007acc); }
#main { flex: 1; min-height: 0; display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) 250px; }
@media (max-width: 900px) { #main { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
    #legend { grid-column: 1 / span 2; max-height: 35vh; } }
.pane-title { padding: 4px 8px; font-size: 0.85em; text-transform: uppercase; letter-spacing: 0.04em;
    color: var(--vscode-descriptionForeground, #9d9d9d); }
#mask-pane, #synth-pane { display: flex; flex-direction: column; min-height: 0; min-width: 0;
    border-right: 1px solid var(--vscode-panel-border, #444); }
#viewport { position: relative; flex: 1; overflow: hidden; touch-action: none;
    background: var(--vscode-editorWidget-background, #252526); }
#viewport.tool-pan { cursor: grab; } #viewport.panning { cursor: grabbing; }
#viewport.tool-brush, #viewport.tool-fill { cursor: crosshair; }
#stage { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
#mask-canvas { display: block; image-rendering: pixelated; }
#brush-cursor { position: absolute; pointer-events: none; border-radius: 50%;
    border: 1px solid #ffffff; box-shadow: 0 0 0 1px #000000; }
#synth { flex: 1; overflow: auto; padding: 8px; }
#synth.busy .synth-grid { opacity: 0.55; transition: opacity 0.2s; }
.synth-grid { display: grid; grid-template-columns: 1fr; gap: 8px; }
.synth-grid.multi { grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); }
.synth-grid figure { margin: 0; display: flex; flex-direction: column; gap: 4px; align-items: flex-start; }
.synth-image { width: 100%; height: auto; image-rendering: auto; }
.synth-message { padding: 12px; color: var(--vscode-descriptionForeground, #9d9d9d); }
.caption { padding: 4px 8px; color: var(--vscode-descriptionForeground, #9d9d9d); font-size: 0.9em; }
#legend { overflow: auto; min-height: 0; }
table.legend { border-collapse: collapse; width: 100%; }
.legend th { text-align: left; font-weight: normal; padding: 3px 6px; position: sticky; top: 0;
    background: var(--vscode-editor-background, #1e1e1e);
    color: var(--vscode-descriptionForeground, #9d9d9d); }
.legend td { padding: 2px 6px; white-space: nowrap; }
.legend-row { cursor: pointer; }
.legend-row:hover, .legend-row.hovered { background: var(--vscode-list-hoverBackground, #2a2d2e); }
.legend-row.selected { background: var(--vscode-list-activeSelectionBackground, #04395e);
    color: var(--vscode-list-activeSelectionForeground, #ffffff); }
.legend-id, .legend-share { text-align: right; font-variant-numeric: tabular-nums; }
.legend-name { overflow: hidden; text-overflow: ellipsis; max-width: 10em; }
#statusbar { display: flex; gap: 16px; padding: 3px 8px; font-size: 0.9em;
    border-top: 1px solid var(--vscode-panel-border, #444);
    color: var(--vscode-descriptionForeground, #9d9d9d); }
#hover-info { flex: 1; color: var(--vscode-foreground, #cccccc); }
#fatal { padding: 24px; }
`;
