/**
 * The throwaway folders of one run: code-server's user data, extensions and XDG homes,
 * Chromium's homes, and the workspace (a copy of samples/ plus the e2e fixtures), so that
 * nothing is written under the home directory or into the repository's samples.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Absolute paths of one run's folders. */
export interface Sandbox {
    root: string;
    userData: string;
    extensions: string;
    /** XDG_CONFIG_HOME / XDG_DATA_HOME / XDG_CACHE_HOME for code-server. */
    xdg: string;
    /** HOME-like folder for Chromium's XDG variables. */
    chromiumHome: string;
    /** The folder opened in the workbench. */
    workspace: string;
}

/**
 * Workbench settings that keep the window quiet and offline: no telemetry, tips, update
 * checks, recommendations, git or trust prompts that could cover what the tests look at.
 */
const SETTINGS = {
    'telemetry.telemetryLevel': 'off',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.settings.enableNaturalLanguageSearch': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'security.workspace.trust.enabled': false,
    'git.enabled': false,
    'git.autoRepositoryDetection': false,
    'npm.fetchOnlinePackageInfo': false,
    'typescript.disableAutomaticTypeAcquisition': true,
    'chat.commandCenter.enabled': false,
    // Typed text must land as typed: no auto-closing or accepting suggestions on Enter.
    'editor.autoClosingBrackets': 'never',
    'editor.autoClosingQuotes': 'never',
    'editor.acceptSuggestionOnEnter': 'off',
    'editor.quickSuggestions': { other: false, comments: false, strings: false },
    'editor.hover.delay': 300,
    'files.autoSave': 'off',
};

/** Makes the folders under a fresh temp directory and fills the workspace. */
export function makeSandbox(repoRoot: string): Sandbox {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spade-e2e-'));
    const box: Sandbox = {
        root,
        userData: path.join(root, 'user-data'),
        extensions: path.join(root, 'extensions'),
        xdg: path.join(root, 'xdg'),
        chromiumHome: path.join(root, 'chromium-home'),
        workspace: path.join(root, 'workspace'),
    };
    for (const dir of Object.values(box)) fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(path.join(box.userData, 'User'), { recursive: true });
    fs.writeFileSync(
        path.join(box.userData, 'User', 'settings.json'),
        JSON.stringify(SETTINGS, null, 4),
    );
    fs.cpSync(path.join(repoRoot, 'samples'), box.workspace, { recursive: true });
    fs.cpSync(path.join(repoRoot, 'test', 'e2e', 'fixtures'), path.join(box.workspace, 'e2e'), {
        recursive: true,
    });
    return box;
}

/** Environment for code-server: its config and logs go into the sandbox, and no gallery. */
export function codeServerEnv(box: Sandbox, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
        ...process.env,
        XDG_CONFIG_HOME: path.join(box.xdg, 'config'),
        XDG_DATA_HOME: path.join(box.xdg, 'data'),
        XDG_CACHE_HOME: path.join(box.xdg, 'cache'),
        // Replaces the built-in gallery (open-vsx.org) with none.
        EXTENSIONS_GALLERY: '{}',
        ...extra,
    };
}
