/**
 * One Terraform resource as every Terraform front end (plan JSON, state JSON, a static read of
 * .tf files) hands it to the shared mapping in `inventory.ts`. Values use Terraform's JSON shapes
 * (single blocks are one-element arrays). Values that are not known are replaced by
 * `TF_UNKNOWN` markers; sensitive values are kept only long enough to fingerprint them.
 */
export interface TfResourceRecord {
    /** Full address, e.g. `module.api.aws_api_gateway_method.get["a"]`. */
    readonly address: string;
    /** e.g. `aws_api_gateway_method`. */
    readonly type: string;
    /** Resource name without index, e.g. `get`. */
    readonly name: string;
    /** `managed` or `data`. */
    readonly mode: "managed" | "data";
    /** Module path prefix, e.g. `module.api` ("" for the root module). */
    readonly modulePath: string;
    readonly values: Readonly<Record<string, unknown>>;
    /**
     * Dotted attribute paths whose values are sensitive (plan `after_sensitive`, state
     * `sensitive_values`, or always-sensitive attributes such as key values).
     */
    readonly sensitivePaths: ReadonlySet<string>;
    /**
     * Attribute path (top-level name) → addresses of resources its expression refers to
     * (plan `configuration` references, or references read from HCL). Used to link resources
     * whose ids are unknown.
     */
    readonly references: Readonly<Record<string, readonly string[]>>;
    /** Where the resource is declared (HCL), or the file the plan/state was read from. */
    readonly file?: string;
    readonly line?: number;
    /**
     * HCL only (added by the HCL front end, `hcl.ts`): Terraform attribute name → 1-based line of
     * its `name = ...` (or block `name {`) in `file`, e.g. `api_key_required` → 5. Attributes
     * inside nested blocks are keyed by dotted path without index (`settings.logging_level`,
     * `access_log_settings.format`); the block itself by its name (`access_log_settings`).
     * `inventory.ts` turns these into the entity's `provenance.fieldLines` (entity field name →
     * line, e.g. `apiKeyRequired` → 5; `accessLogSettings` → the `access_log_settings` block line)
     * so findings point at the line to change. Absent for plan/state records.
     */
    readonly attributeLines?: Readonly<Record<string, number>>;
    /** The plan/state action, when read from a plan (`create`, `update`, `delete`, `no-op`, ...). */
    readonly actions?: readonly string[];
    /**
     * Plan and HCL (both front ends fill it): how the
     * configuration sets each attribute, keyed by dotted path without index like `attributeLines`
     * (`value`, `settings.logging_level`; a nested block by its name, as `block`).
     * - `constant`: written as a literal in the .tf files (plan `constant_value`; in HCL a literal,
     *   or a local/variable default resolved statically). A key value set this way is plain text
     *   in code, even though Terraform marks the attribute sensitive.
     * - `expression`: anything else (references, variables set outside the code, functions).
     * A path missing from a present map is not set in configuration: an optional+computed value
     * that is unknown in a plan then takes AWS's default. Absent when the front end cannot tell
     * (state); an HCL record without it counts every known value as written in code.
     */
    readonly configured?: Readonly<Record<string, "constant" | "expression" | "block">>;
}

/** Marker for a value Terraform does not know yet (`after_unknown`), or an unresolvable expression. */
export const TF_UNKNOWN = Object.freeze({ __tfUnknown: true as const });

/**
 * `jsonencode(...)` of a value with unknown parts: the string cannot be known, but its structure
 * can. It reads as unknown everywhere (it carries the unknown marker), and a reader that can judge a
 * structure with unknown leaves takes `partialJson` (an OpenAPI body: security does not depend on
 * the integration ARNs that are unknown until apply).
 */
export interface PartialJson {
    readonly __tfUnknown: true;
    readonly partialJson: unknown;
}

export function partialJson(value: unknown): PartialJson {
    return Object.freeze({ __tfUnknown: true as const, partialJson: value });
}

export function isPartialJson(value: unknown): value is PartialJson {
    return typeof value === "object" && value !== null && (value as { __tfUnknown?: unknown }).__tfUnknown === true && "partialJson" in value;
}

/**
 * An unknown that is known not to be null: the `id` or `arn` of a managed resource that will be
 * created (AWS assigns both at create, and the provider always sets them). It reads as unknown
 * everywhere except a comparison with `null`, so `aws_x.y.arn != null ? [1] : []` is decided as
 * Terraform decides it after apply.
 */
export const TF_UNKNOWN_NOT_NULL = Object.freeze({ __tfUnknown: true as const, notNull: true as const });

export function isTfUnknown(value: unknown): boolean {
    return value === TF_UNKNOWN || (typeof value === "object" && value !== null && (value as { __tfUnknown?: unknown }).__tfUnknown === true);
}
