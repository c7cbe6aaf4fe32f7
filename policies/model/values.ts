/**
 * Values in the Inventory are three-valued: known, absent (`undefined`: the attribute is not set),
 * or unknown (a Pulumi preview computed value, a Terraform `after_unknown`, an unresolvable HCL
 * expression, an AWS call that was denied). Rules must treat unknown as "cannot tell", never as
 * pass or fail.
 */
export interface Unknown {
    readonly unknown: true;
    /** Why the value is unknown, e.g. "computed during preview" (never contains a secret). */
    readonly reason?: string;
}

/** The shared "unknown" marker used when no specific reason is known. */
export const UNKNOWN: Unknown = Object.freeze({ unknown: true as const });

export function unknown(reason: string): Unknown {
    return Object.freeze({ unknown: true as const, reason });
}

export type Maybe<T> = T | Unknown;

export function isUnknown(value: unknown): value is Unknown {
    return typeof value === "object" && value !== null && (value as { unknown?: unknown }).unknown === true &&
        Object.keys(value).every(k => k === "unknown" || k === "reason");
}

export function isKnown<T>(value: Maybe<T>): value is T {
    return !isUnknown(value);
}

/** Combine several values: unknown if any is unknown, otherwise the known values. */
export function allKnown<T extends readonly unknown[]>(...values: T): boolean {
    return values.every(v => !isUnknown(v));
}

/**
 * A secret value as the model holds it: never the value itself. `fingerprint` is a keyed hash
 * (the key is random per process, see `sources/secrets.ts`) so two equal values can be detected
 * without the model ever storing or exporting either.
 */
export interface SecretValue {
    /**
     * - `absent`: no value given (AWS generates one);
     * - `secret`: given, and held as a secret by the tool (Pulumi secret, Terraform sensitive, ciphertext);
     * - `generated`: derived from a generator resource (random password/string) of the same program;
     * - `plaintext`: given as a plain value in code, config or state.
     */
    readonly handling: Maybe<"absent" | "secret" | "generated" | "plaintext">;
    readonly fingerprint?: string;
    /**
     * `program`: a secret value the program itself supplies, not derived from a generator. Pulumi
     * marks every API key value secret (`@pulumi/aws` wraps it), so a literal typed into the code
     * and a secret config value look the same to a policy; this says which of the two it may be.
     */
    readonly origin?: "program";
    /** Length of the value where known (key values must be ≥ 20 characters for AWS). */
    readonly length?: number;
}
