import { inert } from "apigw-guard/policies/engine/inert";

/**
 * A one-line progress bar for a terminal: `\r`-redrawn, throttled, and wiped when done, so
 * nothing of it is left in scrollback or in a log. Callers create it only when stderr is a TTY.
 */
export interface ProgressStream {
    write(text: string): unknown;
    readonly columns?: number;
}

export class ProgressBar {
    private lastDraw = 0;
    private drawnWidth = 0;

    constructor(
        private readonly stream: ProgressStream,
        private readonly title: string,
        private readonly minIntervalMs = 80,
        private readonly clock: () => number = Date.now,
    ) {}

    update(done: number, total: number, label: string): void {
        const now = this.clock();
        if (done < total && now - this.lastDraw < this.minIntervalMs) {
            return;
        }
        this.lastDraw = now;
        const width = Math.max(40, Math.min(this.stream.columns ?? 80, 160)) - 1;
        const ratio = total > 0 ? Math.min(1, done / total) : 0;
        const barWidth = 20;
        const filled = Math.round(ratio * barWidth);
        const head = `${this.title} [${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${done}/${total} `;
        const room = Math.max(0, width - head.length);
        const shown = inert(label);
        const tail = shown.length > room ? `${shown.slice(0, Math.max(0, room - 1))}…` : shown;
        const line = `${head}${tail}`;
        this.stream.write(`\r${line}${" ".repeat(Math.max(0, this.drawnWidth - line.length))}`);
        this.drawnWidth = line.length;
    }

    /** Erase the bar, leaving the cursor at the start of an empty line. */
    clear(): void {
        if (this.drawnWidth > 0) {
            this.stream.write(`\r${" ".repeat(this.drawnWidth)}\r`);
            this.drawnWidth = 0;
        }
    }
}
