/**
 * Invalid arguments to a component. The message always names the component, the resource name and
 * the argument (`routes[2].path`), so a person can find the line to change. Messages never echo an
 * API key value.
 */
export class ComponentArgumentError extends Error {
    constructor(
        readonly component: string,
        readonly resourceName: string,
        readonly argument: string,
        problem: string,
    ) {
        super(`${component} '${resourceName}': argument '${argument}' ${problem}`);
        this.name = "ComponentArgumentError";
    }
}

/** Validation helpers bound to one component instance, so every message carries the same prefix. */
export class ArgumentChecker {
    constructor(readonly component: string, readonly resourceName: string) {}

    fail(argument: string, problem: string): never {
        throw new ComponentArgumentError(this.component, this.resourceName, argument, problem);
    }

    integer(argument: string, value: unknown, min: number, max: number): number {
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
            this.fail(argument, `must be an integer from ${min} to ${max} (got ${describe(value)})`);
        }
        return value;
    }

    positiveNumber(argument: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
        if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > max) {
            this.fail(argument, `must be a number greater than 0${max < Number.MAX_SAFE_INTEGER ? ` and at most ${max}` : ""} (got ${describe(value)})`);
        }
        return value;
    }

    oneOf<T extends string>(argument: string, value: unknown, allowed: readonly T[]): T {
        const upper = typeof value === "string" ? value.toUpperCase() : value;
        const match = allowed.find(option => option === upper);
        if (match === undefined) {
            this.fail(argument, `must be one of ${allowed.join(", ")} (got ${describe(value)})`);
        }
        return match;
    }

    nonEmptyString(argument: string, value: unknown): string {
        if (typeof value !== "string" || value.trim() === "") {
            this.fail(argument, `must be a non-empty string (got ${describe(value)})`);
        }
        return value;
    }

    object(argument: string, value: unknown): Record<string, unknown> {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            this.fail(argument, `must be an object (got ${describe(value)})`);
        }
        return value as Record<string, unknown>;
    }

    array(argument: string, value: unknown, minLength = 0): readonly unknown[] {
        if (!Array.isArray(value)) {
            this.fail(argument, `must be an array (got ${describe(value)})`);
        }
        if (value.length < minLength) {
            this.fail(argument, `must list at least ${minLength} item${minLength === 1 ? "" : "s"}`);
        }
        return value;
    }
}

/** A short, safe rendering of an argument value for messages (never used for key values). */
export function describe(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    if (value === null) {
        return "null";
    }
    if (typeof value === "string") {
        return value.length > 60 ? `'${value.slice(0, 57)}...'` : `'${value}'`;
    }
    if (typeof value === "number" || typeof value === "boolean") {
        return String(value);
    }
    if (Array.isArray(value)) {
        return "an array";
    }
    return typeof value === "object" ? "an object" : typeof value;
}
