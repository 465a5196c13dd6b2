/** Which folders the preview may read from: workspace folders, run folders, the extension. */
import * as path from 'node:path';

/** Whether `file` lies inside one of `roots` (absolute paths; no `..` escapes). */
export function isInsideRoots(file: string, roots: readonly string[]): boolean {
    const f = path.resolve(file);
    return roots.some((root) => {
        const rel = path.relative(path.resolve(root), f);
        return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    });
}

/** The message shown instead of the editor for a file outside the allowed folders. */
export function outsideRootsMessage(file: string): string {
    return (
        `${file} is outside the workspace folders and run folders, so the mask preview does not ` +
        'read it. Add its folder to the workspace (File > Add Folder to Workspace…) and open it again.'
    );
}
