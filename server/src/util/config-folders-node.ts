/** Reads folders next to a config file from disk, for path completion. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigFolders, FolderEntry } from '../features/config-folders';

/** At most this many entries are returned, so a huge folder cannot stall completion. */
const MAX_ENTRIES = 2000;

/** ConfigFolders over the local file system; non-file URIs list nothing. */
export class NodeConfigFolders implements ConfigFolders {
    async list(configUri: string, relativeDir: string): Promise<FolderEntry[] | undefined> {
        if (!configUri.startsWith('file:')) return undefined;
        try {
            const base = path.dirname(fileURLToPath(configUri));
            const dir = path.resolve(base, relativeDir);
            const out: FolderEntry[] = [];
            const handle = await fs.opendir(dir);
            for await (const d of handle) {
                let isDirectory = d.isDirectory();
                if (d.isSymbolicLink()) {
                    const st = await fs.stat(path.join(dir, d.name)).catch(() => undefined);
                    isDirectory = st?.isDirectory() ?? false;
                }
                out.push({ name: d.name, isDirectory });
                if (out.length >= MAX_ENTRIES) break;
            }
            return out;
        } catch {
            return undefined;
        }
    }
}
