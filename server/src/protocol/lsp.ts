/**
 * What the client and the language server agree on beyond standard LSP: the language id,
 * the initialization options, and (as features arrive) custom requests and notifications.
 * No Node or vscode imports: both sides import this file.
 */

/** The language id of .spade configs, as package.json declares it. */
export const LANGUAGE_ID = 'spade';

/** File glob of configs, for watchers and file-operation filters. */
export const CONFIG_GLOB = '**/*.spade';

/** Server log levels, most to least severe. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Sent by the client in `initialize` as `initializationOptions`; every field is optional. */
export interface InitializationOptions {
    /** Messages less severe than this are not logged (default 'info'). */
    logLevel?: LogLevel;
    /** Quiet time after the last edit before a document is re-checked (default 150 ms). */
    diagnosticsDelayMs?: number;
    /** File recording running training jobs, so a reloaded window reattaches to them. */
    jobsIndexFile?: string;
}
