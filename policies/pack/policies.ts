import type {
    Policy, PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { applicableWaiver, ConfigError, POLICY_WAIVERS_SCHEMA, policyWaivers, resolveRuleConfig, Waiver, waivedNote, WAIVERS_KEY } from "../engine/config";
import { errorMessage } from "../engine/run";
import { Inventory } from "../model";
import { CatalogueRule, Outcome } from "../rules/types";
import { inventoryFromPulumi, TYPES_YIELDING_KIND } from "../sources/pulumi/adapter";
import { PulumiResourceRecord } from "../sources/pulumi/types";
import { remediationFor } from "./remediations";
import { malformedPropsOf, secretPropsOf, unproxied } from "./secret-tap";
import { inert } from "../engine/inert";
import { redactSecretTexts } from "../engine/redact";

/** What `reportViolation` accepts at run time (its declared type only shows the string form). */
interface ViolationInfo {
    message: string;
    urn?: string;
    enforcementLevel?: "advisory" | "mandatory";
}

export interface PackOptions {
    /** The clock for age rules. Defaults to now; `APIGW_GUARD_NOW` (ISO date) pins it for reproducible runs. */
    readonly now?: () => Date;
}

function clockFromEnv(): () => Date {
    const pinned = process.env.APIGW_GUARD_NOW;
    if (pinned && !Number.isNaN(Date.parse(pinned))) {
        const date = new Date(pinned);
        return () => date;
    }
    return () => new Date();
}

/** Turn each catalogue rule into a CrossGuard policy: resource rules as resource policies, the rest as stack policies. */
export function policiesFor(rules: readonly CatalogueRule[], options: PackOptions = {}): Policy[] {
    const now = options.now ?? clockFromEnv();
    return rules.map(rule => (rule.scope === "resource" ? resourcePolicy(rule, now) : stackPolicy(rule, now)));
}

function common(rule: CatalogueRule) {
    return {
        name: rule.id,
        description: `${rule.title}. ${rule.description}`,
        enforcementLevel: rule.enforcementLevel,
        severity: rule.severity,
        configSchema: {
            // Every policy accepts waivers (rule implied), so `pulumi preview --policy-pack-config`
            // honours the same exceptions as `apigw-guard scan --waivers`.
            properties: { ...(rule.configSchema.properties as Record<string, object>), [WAIVERS_KEY]: POLICY_WAIVERS_SCHEMA as object },
            ...(rule.configSchema.required ? { required: [...rule.configSchema.required] } : {}),
        },
    };
}

/** Config validation is the kit's own (ajv): `@pulumi/policy` does not validate `configSchema`. */
function configOf(rule: CatalogueRule, getConfig: () => object): Record<string, unknown> {
    return resolvedConfig(rule, getConfig()).config;
}

/**
 * A policy's config changes only with a Configure call, but `@pulumi/policy` hands it out afresh
 * on every call (a new object each time), and validating it (clone + ajv + waivers) on every
 * Analyze of every resource costs more than most rules. The last validated config of each rule is
 * kept, keyed by its JSON text; an invalid config is never kept, so it fails every time.
 */
const configCache = new Map<string, { readonly json: string; readonly config: Record<string, unknown>; readonly waivers: readonly Waiver[] }>();

function resolvedConfig(rule: CatalogueRule, raw: object): { readonly config: Record<string, unknown>; readonly waivers: readonly Waiver[] } {
    const json = JSON.stringify(raw);
    const cached = configCache.get(rule.id);
    if (cached && cached.json === json) {
        return cached;
    }
    const entry = { json, config: resolveRuleConfig(rule, raw), waivers: policyWaivers(rule.id, raw) };
    configCache.set(rule.id, entry);
    return entry;
}

/** What `report` needs besides the outcomes: the policy's waivers and the clock they are judged by. */
interface Judging {
    readonly waivers: readonly Waiver[];
    readonly now: Date;
}

/** A policy's validated config and how its failures are judged, from one read of its config. */
function settingsOf(rule: CatalogueRule, raw: object, now: () => Date): { readonly config: Record<string, unknown>; readonly judging: Judging } {
    const { config, waivers } = resolvedConfig(rule, raw);
    return { config, judging: { waivers, now: now() } };
}

/**
 * Analyze runs each of our policies that matches the resource's type on the same request, and
 * each would build the same one-resource Inventory. The secret tap hands out one property bag
 * per request, so the bag identifies the request: the Inventory is built once and shared.
 */
const resourceInventories = new WeakMap<object, Inventory>();

function inventoryOfResource(args: ResourceValidationArgs): Inventory {
    const bag = unproxied(args.props);
    let inventory = resourceInventories.get(bag);
    if (!inventory) {
        inventory = inventoryFromPulumi([recordFromArgs(args)]);
        resourceInventories.set(bag, inventory);
    }
    return inventory;
}

function resourcePolicy(rule: CatalogueRule, now: () => Date): ResourceValidationPolicy {
    // The kinds' own types and the APIs whose body defines entities of those kinds.
    const types = new Set(rule.appliesTo.flatMap(kind => TYPES_YIELDING_KIND.get(kind) ?? []));
    const remediation = remediationFor(rule.id);
    const validateResource = (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (!types.has(args.type)) {
            // Not `args.notApplicable()`: it throws, and an Error per policy and resource costs
            // more than the rest of the call. Rules of one type are skipped before this (below).
            return;
        }
        const { config, judging } = settingsOf(rule, args.getConfig<object>(), now);
        const inventory = inventoryOfResource(args);
        report(rule, () => rule.evaluate(inventory, config, { now: judging.now }).filter(o => !o.needsContext), inventory, reportViolation, args.urn, judging);
    };
    // Every resource policy runs on every resource (17 per Analyze). A rule of one resource type
    // says so the way `validateResourceOfType` does, so that `@pulumi/policy` passes over it for
    // the other types before building any arguments, and tells the engine "not applicable" there.
    const onlyType = types.size === 1 ? [...types][0] : undefined;
    withPulumiType(validateResource, onlyType);
    const validateStack = (args: StackValidationArgs, reportViolation: ReportViolation) => {
        const { config, judging } = settingsOf(rule, args.getConfig<object>(), now);
        const stack = stackView(args.resources);
        const deferred = new Set<string>();
        for (const record of stack.records) {
            if (types.has(record.type)) {
                for (const outcome of rule.evaluate(inventoryAlone(stack, record), config, { now: judging.now })) {
                    if (outcome.needsContext) {
                        deferred.add(outcome.ref);
                    }
                }
            }
        }
        if (deferred.size === 0) {
            return;
        }
        const inventory = stackInventory(stack);
        report(rule, () => rule.evaluate(inventory, config, { now: judging.now }).filter(o => deferred.has(o.ref)), inventory, reportViolation, undefined, judging);
    };
    // In a stack without the rule's type there is nothing to decide: `@pulumi/policy` then skips
    // the stack pass before materialising the stack for it.
    withPulumiType(validateStack, onlyType);
    return {
        ...common(rule),
        validateResource,
        // Undocumented but supported by @pulumi/policy: a policy with both functions runs in
        // Analyze and in AnalyzeStack (the pack tests prove it). The stack pass decides only what
        // one resource alone could not, so nothing is reported twice.
        ...(rule.contextual ? { validateStack } : {}),
        ...(remediation
            ? {
                remediateResource: (args: ResourceValidationArgs) => {
                    if (!types.has(args.type)) {
                        return undefined;
                    }
                    return remediation(unproxied(args.props), configOf(rule, () => args.getConfig<object>()));
                },
            }
            : {}),
    };
}

/** Marks a validation function with the one resource type it applies to, as `@pulumi/policy`'s `…OfType` helpers do. */
function withPulumiType(validate: object, type: string | undefined): void {
    if (type !== undefined) {
        (validate as { __pulumiType?: string }).__pulumiType = type;
    }
}

function stackPolicy(rule: CatalogueRule, now: () => Date): StackValidationPolicy {
    return {
        ...common(rule),
        validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
            const { config, judging } = settingsOf(rule, args.getConfig<object>(), now);
            const inventory = stackInventory(stackView(args.resources));
            report(rule, () => rule.evaluate(inventory, config, { now: judging.now }), inventory, reportViolation, undefined, judging);
        },
    };
}

function recordFromArgs(args: ResourceValidationArgs): PulumiResourceRecord {
    return {
        type: args.type,
        urn: args.urn,
        name: args.name,
        props: unproxied(args.props),
        secretProps: secretPropsOf(args.props),
        malformedProps: malformedPropsOf(args.props),
    };
}

/**
 * `@pulumi/policy` runs every stack policy of an AnalyzeStack call on its own copy of the stack
 * (`args.resources`), and each of ours would rebuild the same records and Inventory from it: ten
 * and more full builds per call. The secret tap hands out one deserialized property bag per
 * resource and request, so within one call the bags are the very same objects: the records and
 * the Inventory are built once per call and reused by the other policies. A new call has new bags
 * (its request is new), so nothing carries over from one call to the next. A bag belongs to one
 * request only, so the first resource's bag and the count identify the call: comparing every bag
 * for every policy cost more than the rules.
 */
interface StackView {
    readonly first: object | undefined;
    readonly count: number;
    readonly records: readonly PulumiResourceRecord[];
    inventory?: Inventory;
    /** One-resource Inventories, shared by the contextual rules' stack passes. */
    readonly alone: Map<PulumiResourceRecord, Inventory>;
}

let lastStack: StackView | undefined;

function stackView(resources: readonly PolicyResource[]): StackView {
    const first = resources.length > 0 ? unproxied(resources[0].props) : undefined;
    const last = lastStack;
    if (last && first !== undefined && last.first === first && last.count === resources.length) {
        return last;
    }
    lastStack = { first, count: resources.length, records: resources.map(recordFromPolicyResource), alone: new Map() };
    return lastStack;
}

function stackInventory(stack: StackView): Inventory {
    stack.inventory ??= inventoryFromPulumi(stack.records);
    return stack.inventory;
}

/** A resource judged without the rest of the stack: what the contextual rules' Analyze saw. */
function inventoryAlone(stack: StackView, record: PulumiResourceRecord): Inventory {
    let inventory = stack.alone.get(record);
    if (!inventory) {
        inventory = inventoryFromPulumi([record]);
        stack.alone.set(record, inventory);
    }
    return inventory;
}

function recordFromPolicyResource(resource: PolicyResource): PulumiResourceRecord {
    const propertyDependencies: Record<string, string[]> = {};
    for (const [prop, deps] of Object.entries(resource.propertyDependencies ?? {})) {
        propertyDependencies[prop] = deps.map(dep => dep.urn);
    }
    return {
        type: resource.type,
        urn: resource.urn,
        name: resource.name,
        props: unproxied(resource.props),
        secretProps: secretPropsOf(resource.props),
        malformedProps: malformedPropsOf(resource.props),
        parent: resource.parent?.urn,
        dependencies: resource.dependencies.map(dep => dep.urn),
        propertyDependencies,
    };
}

/**
 * Map outcomes to CrossGuard diagnostics. Fails are violations at the policy's level (warnings
 * advisory); unknowns become advisory "cannot tell yet" notes, never a mandatory violation and
 * never silence. A rule that throws yields one advisory diagnostic; the other rules still run.
 * A failure an unexpired waiver matches (by URN) is reported as advisory, prefixed with
 * `waived: reason (approver, until date)`, so it is seen but never blocks; after the waiver
 * expires it is a violation at the policy's level again, saying the waiver expired.
 */
function report(
    rule: CatalogueRule,
    evaluate: () => Outcome[],
    inventory: Inventory,
    reportViolation: ReportViolation,
    fallbackUrn: string | undefined,
    judging: Judging,
): void {
    // The Pulumi CLI prints messages to a terminal: control characters from names are shown, not acted on.
    // Values that arrived as secrets are shown as [secret], whatever the field.
    const emit = (info: ViolationInfo): void => (reportViolation as unknown as (violation: ViolationInfo) => void)({ ...info, message: inert(redactSecretTexts(info.message, inventory.secretTexts)) });
    for (const gap of inventory.gaps) {
        emit({ message: `cannot evaluate: ${gap.message}`, urn: gap.provenance?.urn ?? fallbackUrn, enforcementLevel: "advisory" });
    }
    let outcomes: Outcome[];
    try {
        outcomes = evaluate();
    } catch (error) {
        if (error instanceof ConfigError) {
            throw error;
        }
        emit({ message: `rule '${rule.id}' could not be evaluated: ${errorMessage(error)}`, urn: fallbackUrn, enforcementLevel: "advisory" });
        return;
    }
    for (const outcome of outcomes) {
        const urn = inventory.get(outcome.ref)?.provenance.urn ?? fallbackUrn;
        if (outcome.status === "fail") {
            const { active, expired } = judging.waivers.length > 0
                ? applicableWaiver(judging.waivers, rule.id, { ref: outcome.ref, urn }, judging.now)
                : {};
            if (active !== undefined) {
                emit({ message: `${waivedNote(active)}: ${outcome.message}`, urn, enforcementLevel: "advisory" });
                continue;
            }
            const message = expired !== undefined ? `${outcome.message} (the waiver for this resource expired on ${expired.expires})` : outcome.message;
            emit({ message, urn, ...(outcome.advisoryOnly ? { enforcementLevel: "advisory" } : {}) });
        } else if (outcome.status === "unknown") {
            const message = outcome.message.startsWith("cannot tell yet") ? outcome.message : `cannot tell yet: ${outcome.message}`;
            emit({ message, urn, enforcementLevel: "advisory" });
        }
    }
}
