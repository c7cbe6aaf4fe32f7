import { Entity, EntityKind, EntityRef, Inventory } from "../model";

export type Status = "pass" | "fail" | "unknown" | "not-applicable";
/** The severities CrossGuard understands, ordered low → critical. */
export type Severity = "low" | "medium" | "high" | "critical";
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/** One rule's verdict on one entity. */
export interface Outcome {
    readonly ref: EntityRef;
    readonly status: Status;
    /** What was found and what to change. Never contains a secret value. */
    readonly message: string;
    /**
     * A failure that is only a warning whatever the rule's level (e.g. a key inside the warning
     * age band). Reported as advisory.
     */
    readonly advisoryOnly?: boolean;
    /**
     * The verdict depends on entities this inventory does not hold (a method's path comes from its
     * resource chain; a route's protocol from its API). A CrossGuard resource policy sees one
     * resource alone: it skips such outcomes and decides them again over the whole stack.
     */
    readonly needsContext?: boolean;
    /** The entity field that decided the outcome (e.g. `apiKeyRequired`), to point at its line. */
    readonly field?: string;
    /** Numbers behind the verdict, for charts and machine readers (e.g. `{ ageDays: 120, maxAgeDays: 90 }`). Never a secret. */
    readonly metrics?: Readonly<Record<string, number>>;
}

export interface RuleContext {
    /** The clock; injectable so age checks do not depend on today's date. */
    readonly now: Date;
}

/** A JSON Schema for a rule's config: an object of named properties, each with a default. */
export interface ConfigSchema {
    readonly type: "object";
    readonly properties: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    readonly additionalProperties?: boolean;
    readonly required?: readonly string[];
}

export interface ControlMappings {
    /** AWS Security Hub / Foundational Security Best Practices control ids, e.g. `APIGateway.1`. */
    readonly awsSecurityHub: readonly string[];
    /** NIST SP 800-53 rev. 5 controls, e.g. `AC-3`. */
    readonly nist80053: readonly string[];
    /** PCI DSS v4.0 requirements, e.g. `10.2.1`. */
    readonly pciDssV4: readonly string[];
}

export interface RuleExample {
    readonly description: string;
    readonly entities: readonly Entity[];
}

export interface Rule<C = Record<string, unknown>> {
    /** Stable id = CrossGuard policy name, kebab-case, prefixed `apigateway-`. */
    readonly id: string;
    readonly title: string;
    readonly description: string;
    readonly severity: Severity;
    readonly enforcementLevel: EnforcementLevel;
    /**
     * `resource`: judged from one entity alone (runs as a CrossGuard resource policy, so a preview
     * flags the resource as soon as it is seen). `stack`: needs links between entities (runs as a
     * CrossGuard stack policy over all resources).
     */
    readonly scope: "resource" | "stack";
    /**
     * Resource rules only: some verdicts need other entities (see `Outcome.needsContext`). The
     * CrossGuard pack then also runs the rule over the whole stack for just those entities.
     */
    readonly contextual?: boolean;
    /** The entity kinds this rule produces outcomes for. */
    readonly appliesTo: readonly EntityKind[];
    readonly controls: ControlMappings;
    readonly remediation: string;
    readonly configSchema: ConfigSchema;
    readonly examples: { readonly compliant: RuleExample; readonly nonCompliant: RuleExample };
    /** Pure: same inventory, config and clock, same outcomes. */
    evaluate(inventory: Inventory, config: C, context: RuleContext): Outcome[];
}

/** A rule with its config type erased, as the catalogue holds it (config is validated against the schema first). */
export type CatalogueRule = Rule<Record<string, unknown>>;

/**
 * Declares a rule. The config type is checked where the rule is written; the catalogue only
 * ever calls `evaluate` with a config that passed `configSchema` (defaults applied), which is
 * what makes the erasure below sound.
 */
export function defineRule<C>(rule: Rule<C>): CatalogueRule {
    return rule as unknown as CatalogueRule;
}
