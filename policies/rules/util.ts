import { Unknown } from "../model";

export function describeUnknown(value: Unknown): string {
    return value.reason ?? "the value is not known yet";
}

/**
 * Glob match for API paths: `*` matches one path segment (or part of one), `**` any number of
 * segments. `/orders/{id}` style parameters are matched literally.
 */
export function matchesPath(path: string, pattern: string): boolean {
    const normalise = (p: string) => (p.length > 1 ? p.replace(/\/+$/, "") : p);
    const source = normalise(pattern)
        .split("**")
        .map(part => part.split("*").map(escapeRegExp).join("[^/]*"))
        .join(".*");
    return new RegExp(`^${source}$`).test(normalise(path));
}

export function matchesAnyPath(path: string, patterns: readonly string[]): boolean {
    return patterns.some(pattern => matchesPath(path, pattern));
}

function escapeRegExp(text: string): string {
    return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days between an ISO date and now; undefined when the date does not parse. */
export function ageInDays(isoDate: string, now: Date): number | undefined {
    const time = Date.parse(isoDate);
    return Number.isNaN(time) ? undefined : Math.floor((now.getTime() - time) / DAY_MS);
}
