import { SourceError } from "apigw-guard/policies/sources/errors";
import { AsffError } from "../report/asff";
import type { InputKind } from "../report/model";
import { inert } from "apigw-guard/policies/engine/inert";

export const TOOL_NAME = "apigw-guard";

/**
 * One error, one line: `apigw-guard: <file>[:line]: <what is wrong>`. Messages are built from
 * what the tool knows about the input (its name, a position, the kind of problem), never from
 * the input's content.
 */
export function errorLine(file: string | undefined, line: number | undefined, message: string): string {
    // File names and messages may carry input text: its control characters are shown, not acted on.
    const where = file === undefined ? "" : `${inert(file)}${line !== undefined ? `:${line}` : ""}: `;
    return `${TOOL_NAME}: ${where}${inert(oneLine(message))}\n`;
}

export function oneLine(text: string): string {
    return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/** Bad usage (options, config): exit 2 before anything is scanned. */
export class UsageError extends Error {
    constructor(message: string, readonly file?: string, readonly line?: number) {
        super(message);
        this.name = "UsageError";
    }
}

/**
 * An input that could not be read; the other inputs are still scanned. `file` is where the
 * problem is: the input itself, or a file inside it (a `.tf` file of a scanned directory).
 */
export class InputFailure extends Error {
    readonly file: string;

    constructor(readonly input: string, readonly kind: InputKind | "unknown", message: string, readonly line?: number, file?: string, cause?: unknown) {
        super(message, cause === undefined ? undefined : { cause });
        this.name = "InputFailure";
        this.file = file ?? input;
    }
}

/** Set to print the stack of an unexpected error (a bug) to stderr; off by default. */
export const DEBUG_ENV = "APIGW_GUARD_DEBUG";

/**
 * An error nobody anticipated is a bug in the tool, not in the input. Its message may quote the
 * input (V8's JSON and type errors do), so only its class is shown unless debugging is on.
 */
export function describeUnexpected(error: unknown): string {
    const name = error instanceof Error ? error.name : typeof error;
    return `unexpected error (${name}); this is a bug in ${TOOL_NAME}: rerun with ${DEBUG_ENV}=1 for details and report it`;
}

export function debugDetails(error: unknown, env: NodeJS.ProcessEnv): string | undefined {
    if (!env[DEBUG_ENV]) {
        return undefined;
    }
    // A wrapped error is shown as its cause: that is where the bug is.
    const root = error instanceof Error && error.cause !== undefined ? error.cause : error;
    return root instanceof Error ? `${root.stack ?? root.message}\n` : `${String(root)}\n`;
}

/** What went wrong reading a path, from the system error code alone. */
export function fileSystemProblem(error: unknown): string {
    const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
    switch (code) {
        case "ENOENT":
            return "no such file or directory";
        case "EACCES":
        case "EPERM":
            return "permission denied";
        case "EISDIR":
            return "is a directory";
        case "ENOTDIR":
            return "a component of the path is not a directory";
        case "ELOOP":
            return "too many levels of symbolic links";
        case "EMFILE":
        case "ENFILE":
            return "too many open files";
        default:
            return `cannot be read${typeof code === "string" ? ` (${code})` : ""}`;
    }
}

export function isSourceError(error: unknown): error is SourceError {
    return error instanceof SourceError;
}

/** Several usage problems found at once (every bad field of a config file), reported together. */
export class UsageErrors extends Error {
    constructor(readonly problems: readonly UsageError[]) {
        super(problems.map(p => p.message).join("; "));
        this.name = "UsageErrors";
    }
}

/**
 * Everything a command writes when it fails: one line per usage problem (file, line, what), or
 * one line for an unexpected error (its class only; the stack with APIGW_GUARD_DEBUG=1). The
 * caller exits 2.
 */
export function writeFailure(error: unknown, io: { readonly stderr: { write(text: string): unknown }; readonly env: NodeJS.ProcessEnv }): void {
    const problems = error instanceof UsageErrors ? error.problems : error instanceof UsageError ? [error]
        // A report format that cannot be written for what was given (ASFF with no account): bad usage too.
        : error instanceof AsffError ? [new UsageError(error.message)] : undefined;
    if (problems) {
        for (const problem of problems) {
            io.stderr.write(errorLine(problem.file, problem.line, problem.message));
        }
        return;
    }
    io.stderr.write(errorLine(undefined, undefined, describeUnexpected(error)));
    const details = debugDetails(error, io.env);
    if (details) {
        io.stderr.write(details);
    }
}
