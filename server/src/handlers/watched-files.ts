/**
 * Watched-file events for several listeners. The connection takes one handler for
 * workspace/didChangeWatchedFiles, while diagnostics (deleted configs), dataset checks (changed
 * images) and workspace symbols (created and deleted configs) each need the events.
 */
import type { Connection, FileEvent } from 'vscode-languageserver';
import type { ServerLog } from './log';

/** Told of every batch of watched-file changes, in the order the client sent them. */
export type WatchedFilesListener = (changes: FileEvent[]) => void;

/** Owns the connection's watched-files handler and hands each batch to every listener. */
export class WatchedFiles {
    private readonly listeners: WatchedFilesListener[] = [];

    constructor(
        connection: Connection,
        private readonly log: ServerLog,
    ) {
        connection.onDidChangeWatchedFiles((params) => this.dispatch(params.changes));
    }

    /** Adds a listener for the life of the server. */
    listen(listener: WatchedFilesListener): void {
        this.listeners.push(listener);
    }

    /** Calls every listener; one that throws does not keep the others from hearing. */
    dispatch(changes: FileEvent[]): void {
        for (const listener of this.listeners) {
            try {
                listener(changes);
            } catch (e) {
                const why = e instanceof Error ? (e.stack ?? e.message) : String(e);
                this.log.error(
                    `Handling ${changes.length} watched-file change(s) failed: ${why}. ` +
                        'Please report this.',
                );
            }
        }
    }
}
