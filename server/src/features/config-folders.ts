/**
 * How features see the folders around a config file. Features only know this interface; the
 * Node implementation lives in util/config-folders-node.ts, so tests can hand in a fake.
 */

/** One entry of a folder listing. */
export interface FolderEntry {
    name: string;
    isDirectory: boolean;
}

/** Lists folders relative to a config file. */
export interface ConfigFolders {
    /**
     * The entries of `relativeDir` (POSIX separators, '' for the config's own folder) resolved
     * against the folder of the config at `configUri`; undefined when it cannot be read.
     */
    list(configUri: string, relativeDir: string): Promise<FolderEntry[] | undefined>;
}

/** A reader that knows no folders (for documents that are not files). */
export const NO_FOLDERS: ConfigFolders = { list: () => Promise.resolve(undefined) };
