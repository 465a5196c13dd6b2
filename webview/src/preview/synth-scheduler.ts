/**
 * When to ask the host for a new image: after a debounce following edits, at once for seed
 * or sample changes; each request gets a new id, a newer request cancels the one in flight,
 * and answers to anything but the latest request are dropped. DOM-free for Node tests.
 */
import type { CancelMessage, SynthesizeMessage } from '../../../server/src/protocol/preview';

/** Timer functions (the page's, or fakes in tests). */
export interface Timers {
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
}

/** What the scheduler needs from the page. */
export interface SchedulerHost {
    /** Builds the request body at send time (so it carries the ids as they are then). */
    build(requestId: number): SynthesizeMessage | undefined;
    post(message: SynthesizeMessage | CancelMessage): void;
    /** Called when the busy state changes (to show a spinner). */
    onBusy?(busy: boolean): void;
}

/** Debounces, numbers and cancels synthesis requests. */
export class SynthScheduler {
    private nextId = 1;
    private timer: unknown;
    private inFlight: number | undefined;
    /** Id of the newest request sent; only its answer is shown. */
    latest = 0;

    constructor(
        private readonly host: SchedulerHost,
        private readonly timers: Timers,
        public debounceMs: number,
    ) {}

    /** Asks for an image after the debounce (restarted by every call). */
    scheduleSoon(): void {
        this.clearTimer();
        this.timer = this.timers.setTimeout(() => {
            this.timer = undefined;
            this.sendNow();
        }, this.debounceMs);
    }

    /** Asks for an image now, superseding anything pending. */
    sendNow(): number | undefined {
        this.clearTimer();
        const id = this.nextId;
        const msg = this.host.build(id);
        if (!msg) return undefined;
        this.nextId++;
        if (this.inFlight !== undefined) {
            this.host.post({ type: 'cancel', requestId: this.inFlight });
        }
        this.inFlight = id;
        this.latest = id;
        this.host.post(msg);
        this.host.onBusy?.(true);
        return id;
    }

    /** Drops a scheduled request and cancels the one in flight (e.g. the mask became invalid). */
    cancelAll(): void {
        this.clearTimer();
        if (this.inFlight !== undefined) {
            this.host.post({ type: 'cancel', requestId: this.inFlight });
            this.inFlight = undefined;
            this.host.onBusy?.(false);
        }
    }

    /** An answer (image or failure) arrived; true when it is for the latest request. */
    settle(requestId: number): boolean {
        if (requestId !== this.latest) return false;
        if (this.inFlight === requestId) {
            this.inFlight = undefined;
            this.host.onBusy?.(false);
        }
        return true;
    }

    get pending(): boolean {
        return this.timer !== undefined || this.inFlight !== undefined;
    }

    private clearTimer(): void {
        if (this.timer !== undefined) {
            this.timers.clearTimeout(this.timer);
            this.timer = undefined;
        }
    }
}
