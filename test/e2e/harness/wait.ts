/**
 * Waiting on things outside the page (files, processes). Browser state is waited for with
 * Playwright's own selector waits; these poll a condition until it holds or a deadline passes,
 * so a test never sleeps a fixed time and still fails with a message saying what it waited for.
 */

/** Thrown by a check that did not hold; the runner prints its message as the failure detail. */
export class CheckFailed extends Error {
    override name = 'CheckFailed';
}

/** Fails the current step with `message` unless `cond` holds. */
export function expect(cond: unknown, message: string): asserts cond {
    if (!cond) throw new CheckFailed(message);
}

/**
 * Resolves with the first truthy value of `probe`, checked every `everyMs`; throws CheckFailed
 * naming `what` after `timeoutMs`.
 */
export async function waitUntil<T>(
    what: string,
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs = 30_000,
    everyMs = 100,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value) return value;
        if (Date.now() > deadline)
            throw new CheckFailed(`timed out after ${timeoutMs} ms: ${what}`);
        await new Promise((r) => setTimeout(r, everyMs));
    }
}

/** Whether a process with this pid exists (signal 0 checks without touching it). */
export function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        // EPERM: it exists but belongs to someone else.
        return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
}
