import type { InputResult } from "../report/model";
import { UsageError } from "../cli/errors";
import { expandInputs, STDIN_ARG } from "../cli/inputs";
import { ManagedInput } from "../sources/aws/managed";
import { InputProblem, readInput } from "./scan";

export interface ManagedByOptions {
    /** Globs of directories not walked when a directory is read for Terraform roots (as `scan --exclude`). */
    readonly exclude?: readonly string[];
    /** `terraform.workspace` in Terraform HCL inputs (default `default`). */
    readonly workspace?: string;
    /** Called, in order, for every problem met while reading the inputs. */
    readonly onInputProblem?: (problem: InputProblem) => void;
}

export interface ManagedBy {
    /** Every input read (one per Terraform root of a directory), each with what could be read. */
    readonly inputs: readonly ManagedInput[];
    /** The inputs that could not be read, or only in part, as a report lists them (scan's exit 2). */
    readonly failed: readonly InputResult[];
}

/**
 * Reads the inputs of `audit --managed-by` exactly as `scan` reads its own (kind detected from
 * content; a directory walked for Terraform roots, each its own input), without judging them:
 * they are only compared with the account (sources/aws/managed.ts). An input that fails is
 * reported (file, line, what) and kept as "not read", so nothing is called unmanaged for want of
 * it. Call it before the account is read: a bad file then costs no API calls.
 */
export async function readManagedBy(paths: readonly string[], options: ManagedByOptions = {}): Promise<ManagedBy> {
    if (paths.includes(STDIN_ARG)) {
        throw new UsageError(`--managed-by: '${STDIN_ARG}' (stdin) is not read here: pass the file`);
    }
    const report = (problem: InputProblem): void => options.onInputProblem?.(problem);
    // stdin is refused above, so the reader is never called.
    const reader = { readStdin: () => Promise.reject(new UsageError(`'${STDIN_ARG}' (stdin) is not available here`)) };
    const inputs: ManagedInput[] = [];
    const failed: InputResult[] = [];
    for (const arg of await expandInputs(paths, "auto", options.exclude ?? [])) {
        const read = await readInput(arg, { formatIn: "auto", reader, ...(options.workspace !== undefined ? { workspace: options.workspace } : {}), report });
        if (!read.ok) {
            inputs.push({ label: read.failed.file, incomplete: `it could not be read: ${read.message}` });
            failed.push(read.failed);
            continue;
        }
        const { input, errors } = read;
        // A gap that names no resource (a module or file not read) may hide resources; one that does only hides values.
        const hidden = input.inventory.gaps.filter(gap => gap.ref === undefined);
        const incomplete = errors.length > 0
            ? `${errors.length} part(s) could not be read (${errors[0].message})`
            : hidden.length > 0 ? `${hidden.length} part(s) were not read (${hidden[0].message})` : undefined;
        inputs.push({ label: input.file, inventory: input.inventory, ...(incomplete !== undefined ? { incomplete } : {}) });
        if (errors.length > 0) {
            failed.push({ file: input.file, kind: input.kind, errors });
        }
    }
    return { inputs, failed };
}
