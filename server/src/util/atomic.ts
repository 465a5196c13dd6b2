/**
 * Writes that survive a crash or a SIGKILL at any instant: the old content or the new content
 * is on disk, never a torn mix. Files go to a temporary name in the same folder (so rename
 * stays on one filesystem), are fsynced, then renamed over the target; folders are built
 * under a temporary name and renamed into place whole.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

/** A sibling temporary name no other writer (process or call) uses. */
export function tempSibling(target: string, tag = 'tmp'): string {
    counter += 1;
    return path.join(
        path.dirname(target),
        `.${path.basename(target)}.${tag}-${process.pid}-${counter}`,
    );
}

/** fsync a folder so a rename inside it is durable; some platforms refuse, which is harmless. */
export function fsyncDir(dir: string): void {
    let fd: number | undefined;
    try {
        fd = fs.openSync(dir, 'r');
        fs.fsyncSync(fd);
    } catch {
        // Windows cannot open folders for fsync; rename there is still atomic.
    } finally {
        if (fd !== undefined) fs.closeSync(fd);
    }
}

/** Write bytes (or text) to a file atomically and durably. */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
    const tmp = tempSibling(target);
    const fd = fs.openSync(tmp, 'w');
    try {
        fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
        fs.fsyncSync(fd);
    } catch (e) {
        fs.closeSync(fd);
        fs.rmSync(tmp, { force: true });
        throw e;
    }
    fs.closeSync(fd);
    try {
        fs.renameSync(tmp, target);
    } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw e;
    }
    fsyncDir(path.dirname(target));
}

/** Write a value as pretty JSON atomically. */
export function writeJsonAtomic(target: string, value: unknown): void {
    writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n');
}

/** Write a file durably inside a folder that is not visible yet (no rename needed). */
export function writeFileDurable(target: string, data: string | Uint8Array): void {
    const fd = fs.openSync(target, 'w');
    try {
        fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
}

/**
 * Append one line and fsync. A crash can leave at most a partial last line, which readers of
 * line-oriented logs (metrics.jsonl) skip.
 */
export function appendLineDurable(target: string, line: string): void {
    const fd = fs.openSync(target, 'a');
    try {
        fs.writeSync(fd, line.endsWith('\n') ? line : line + '\n');
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
}

/**
 * Build a folder atomically: `fill` writes into a fresh temporary folder beside `target`, then
 * the folder is renamed to `target`. If `fill` throws (or the process dies), `target` is
 * untouched and the temporary folder is removed (or left for `removeStaleTemps`).
 * Refuses to replace an existing `target`: published folders are immutable.
 */
export async function publishDirAtomic(
    target: string,
    fill: (tmpDir: string) => Promise<void> | void,
): Promise<void> {
    if (fs.existsSync(target)) {
        throw new Error(`${target} already exists; a published folder is never overwritten.`);
    }
    const tmp = tempSibling(target, 'partial');
    fs.mkdirSync(tmp, { recursive: true });
    try {
        await fill(tmp);
        fsyncDir(tmp);
        fs.renameSync(tmp, target);
    } catch (e) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw e;
    }
    fsyncDir(path.dirname(target));
}

/**
 * Remove temporaries a killed writer left in `dir` (names starting with '.' and holding
 * '.tmp-' or '.partial-'), except those of live processes. Returns the names removed.
 */
export function removeStaleTemps(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    const removed: string[] = [];
    for (const name of fs.readdirSync(dir)) {
        const m = /^\..*\.(?:tmp|partial)-(\d+)-\d+$/.exec(name);
        if (!m) continue;
        const pid = Number(m[1]);
        if (pid !== process.pid && isProcessAlive(pid)) continue;
        fs.rmSync(path.join(dir, name), { recursive: true, force: true });
        removed.push(name);
    }
    return removed;
}

/** Whether a process with this pid exists (signal 0 probes without signalling). */
export function isProcessAlive(pid: number): boolean {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        // EPERM: it exists but belongs to someone else.
        return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
}
