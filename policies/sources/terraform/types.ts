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
    /** The plan/state action, when read from a plan (`create`, `update`, `delete`, `no-op`, ...). */
    readonly actions?: readonly string[];
}

/** Marker for a value Terraform does not know yet (`after_unknown`), or an unresolvable expression. */
export const TF_UNKNOWN = Object.freeze({ __tfUnknown: true as const });

export function isTfUnknown(value: unknown): boolean {
    return value === TF_UNKNOWN || (typeof value === "object" && value !== null && (value as { __tfUnknown?: unknown }).__tfUnknown === true);
}
