/**
 * Finds the .spade configs under the workspace folders on disk, for workspace symbols. The
 * walk skips hidden folders and node_modules, stops at a fixed number of entries (a dataset of
 * 100,000 images must not stall a symbol search) and is reused until a watched-file event
 * says a config was created or deleted, or for a few seconds where the client watches nothing.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FileChangeType, type FileEvent } from 'vscode-languageserver';
import type { ConfigEntry, ConfigSource } from '../features/workspace-symbols-provider';

/** Entries visited per walk at most. */
const MAX_VISITED = 50_000;
const MAX_DEPTH = 8;
/** A walk is reused this long unless a watched-file event forgets it sooner. */
const REUSE_MS = 5000;

/** Configs on disk, with open documents (their text and version) taking precedence. */
export class NodeWorkspaceConfigs implements ConfigSource {
    private found: { at: number; files: string[] } | undefined;
    /** Counts invalidations, so a walk that overlapped one does not store its stale list. */
    private generation = 0;

    constructor(
        private readonly roots: () => string[],
        private readonly open: () => Array<{ uri: string; version: number; getText(): string }>,
    ) {}

    /** Forgets the last walk (a config was created, deleted or renamed). */
    invalidate(): void {
        this.found = undefined;
        this.generation++;
    }

    /**
     * Forgets the last walk when configs were created or deleted (a rename is both). A changed
     * config keeps its place in the list; its new text is read through its new stamp.
     */
    watchedFilesChanged(changes: FileEvent[]): void {
        if (changes.some((c) => c.type !== FileChangeType.Changed && c.uri.endsWith('.spade')))
            this.invalidate();
    }

    async configs(): Promise<ConfigEntry[]> {
        const open = this.open().filter((d) => d.uri.endsWith('.spade'));
        const openUris = new Set(open.map((d) => d.uri));
        const out: ConfigEntry[] = open.map((d) => ({
            uri: d.uri,
            stamp: `v${d.version}`,
            read: () => Promise.resolve(d.getText()),
        }));
        for (const file of await this.files()) {
            const uri = pathToFileURL(file).toString();
            if (openUris.has(uri)) continue;
            const st = await fs.stat(file).catch(() => undefined);
            if (!st) continue;
            out.push({
                uri,
                stamp: `${st.mtimeMs}:${st.size}`,
                read: () => fs.readFile(file, 'utf8').catch(() => undefined),
            });
        }
        return out;
    }

    private async files(): Promise<string[]> {
        if (this.found && Date.now() - this.found.at < REUSE_MS) return this.found.files;
        const generation = this.generation;
        const files: string[] = [];
        let visited = 0;
        const walk = async (dir: string, depth: number): Promise<void> => {
            if (depth > MAX_DEPTH || visited > MAX_VISITED) return;
            const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
            for (const e of entries) {
                if (++visited > MAX_VISITED) return;
                if (e.name.startsWith('.') || e.name === 'node_modules') continue;
                const p = path.join(dir, e.name);
                if (e.isDirectory()) await walk(p, depth + 1);
                else if (e.isFile() && e.name.endsWith('.spade')) files.push(p);
            }
        };
        for (const root of this.roots()) {
            if (!root.startsWith('file:')) continue;
            await walk(fileURLToPath(root), 0);
        }
        if (generation === this.generation) this.found = { at: Date.now(), files };
        return files;
    }
}
