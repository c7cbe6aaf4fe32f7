import type { AsffOptions } from "./asff";
import { Report } from "./model";

/**
 * Renders a Report. Reporters are pure: the same report gives the same string (no clock, no
 * environment lookups; whether to color is decided by the caller and passed in).
 */
export interface Reporter {
    render(report: Report): string;
    /**
     * The same bytes as `render`, in pieces, for reports too large to hold as one string (V8 caps
     * a string at ~512 MiB: a JSON report of ~250k resources). Optional: callers fall back to `render`.
     */
    chunks?(report: Report): Iterable<string>;
}

export interface ReporterOptions {
    /** ANSI colors (text only). The caller enables them for a TTY without NO_COLOR, never for a file. */
    readonly color?: boolean;
    /** Also list passing and not-applicable findings (text only; JSON always holds every finding). */
    readonly showPasses?: boolean;
    /** ASFF only: the account and region of findings that name none, and whether passes are written. */
    readonly asff?: AsffOptions;
}
