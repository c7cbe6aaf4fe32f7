import { Entity, EntityKind, Inventory, Provenance } from "../model";
import { CatalogueRule, EnforcementLevel, Outcome, Severity, Status } from "../rules/types";
import { ConfigError, resolveRuleConfig } from "./config";
import { redactSecretTexts } from "./redact";

/** A rule's outcome for one entity, with everything a reporter needs. */
export interface Finding {
    readonly ruleId: string;
    readonly title: string;
    readonly severity: Severity;
    readonly status: Status;
    /** The level this finding is enforced at (advisory for warnings and notes). */
    readonly enforcementLevel: Exclude<EnforcementLevel, "disabled" | "remediate">;
    readonly message: string;
    readonly remediation: string;
    readonly entity?: {
        readonly ref: string;
        readonly kind: EntityKind;
        readonly name: string;
        readonly provenance: Provenance;
    };
    /** The entity field that decided the outcome, and its source line when known (HCL). */
    readonly field?: string;
    /** Numbers behind the verdict (see `Outcome.metrics`). */
    readonly metrics?: Readonly<Record<string, number>>;
    readonly line?: number;
    /** The rule itself failed (a bug or malformed input): the outcome is unknown, not pass. */
    readonly error?: boolean;
}

export interface RunOptions {
    /** Per rule id: the raw config (may include `enforcementLevel`). */
    readonly config?: Readonly<Record<string, unknown>>;
    readonly now?: Date;
    /** Restrict to these rules (default: all given). */
    readonly only?: ReadonlySet<string>;
}

export interface RunResult {
    readonly findings: Finding[];
    readonly configErrors: ConfigError[];
}

export function effectiveLevel(rule: CatalogueRule, raw: unknown): EnforcementLevel {
    const level = typeof raw === "object" && raw !== null ? (raw as { enforcementLevel?: unknown }).enforcementLevel : undefined;
    if (level === undefined) {
        return rule.enforcementLevel;
    }
    if (level === "advisory" || level === "mandatory" || level === "remediate" || level === "disabled") {
        return level;
    }
    throw new ConfigError(rule.id, "enforcementLevel", "must be one of \"advisory\", \"mandatory\", \"remediate\", \"disabled\"");
}

/** Turn a rule's outcome into a finding. Shared by every front end, the CrossGuard pack included. */
export function toFinding(rule: CatalogueRule, level: EnforcementLevel, outcome: Outcome, entity: Entity | undefined): Finding {
    const enforced = level === "remediate" ? "mandatory" : level === "disabled" ? "advisory" : level;
    // Built in place (no spreads): a scan makes one per rule and entity.
    const finding: { -readonly [K in keyof Finding]: Finding[K] } = {
        ruleId: rule.id,
        title: rule.title,
        severity: rule.severity,
        status: outcome.status,
        enforcementLevel: outcome.advisoryOnly || outcome.status === "unknown" ? "advisory" : enforced,
        message: outcome.message,
        remediation: rule.remediation,
        entity: entity ? findingEntity(entity) : undefined,
    };
    const field = outcome.field;
    if (field) {
        finding.field = field;
    }
    if (outcome.metrics) {
        finding.metrics = outcome.metrics;
    }
    const line = (field ? entity?.provenance.fieldLines?.[field] : undefined) ?? entity?.provenance.line;
    if (line !== undefined) {
        finding.line = line;
    }
    return finding;
}

/**
 * What a finding says about its entity. Every rule's finding about one entity shares one object
 * (findings are read-only), which saves memory and lets the JSON report write it once.
 */
const FINDING_ENTITIES = new WeakMap<Entity, NonNullable<Finding["entity"]>>();

function findingEntity(entity: Entity): NonNullable<Finding["entity"]> {
    let out = FINDING_ENTITIES.get(entity);
    if (out === undefined) {
        // Keys in sorted order, here and in the provenance: the JSON report, whose keys are sorted,
        // then writes the findings as they are instead of copying each one.
        out = { kind: entity.kind, name: entity.name, provenance: inKeyOrder(entity.provenance), ref: entity.ref };
        FINDING_ENTITIES.set(entity, out);
    }
    return out;
}

/** A plain object with its keys (and those of plain objects in it) in sorted order: itself if they already are, else a copy. */
function inKeyOrder<T>(value: T): T {
    if (typeof value !== "object" || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) {
        return value;
    }
    const keys = Object.keys(value);
    let changed = false;
    for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1] > keys[i]) {
            changed = true;
            break;
        }
    }
    if (keys.includes("__proto__")) {
        return value;
    }
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of changed ? [...keys].sort() : keys) {
        const item = inKeyOrder(record[key]);
        changed ||= item !== record[key];
        out[key] = item;
    }
    return changed ? (out as T) : value;
}

export function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/**
 * Run rules over an inventory. A rule that throws does not stop the others: it yields one
 * `unknown` finding marked as an error. A bad config for one rule is reported and that rule is
 * skipped; the others still run.
 */
export function runRules(inventory: Inventory, rules: readonly CatalogueRule[], options: RunOptions = {}): RunResult {
    const now = options.now ?? new Date();
    const findings: Finding[] = [];
    const configErrors: ConfigError[] = [];
    for (const rule of rules) {
        if (options.only && !options.only.has(rule.id)) {
            continue;
        }
        const raw = options.config?.[rule.id];
        let level: EnforcementLevel;
        let config: Record<string, unknown>;
        try {
            level = effectiveLevel(rule, raw);
            config = resolveRuleConfig(rule, raw);
        } catch (error) {
            if (error instanceof ConfigError) {
                configErrors.push(error);
                continue;
            }
            throw error;
        }
        if (level === "disabled") {
            continue;
        }
        let outcomes: Outcome[];
        try {
            outcomes = rule.evaluate(inventory, config, { now });
        } catch (error) {
            findings.push({
                ruleId: rule.id,
                title: rule.title,
                severity: rule.severity,
                status: "unknown",
                enforcementLevel: "advisory",
                message: `rule could not be evaluated: ${errorMessage(error)}`,
                remediation: rule.remediation,
                error: true,
            });
            continue;
        }
        for (const outcome of outcomes) {
            findings.push(toFinding(rule, level, outcome, inventory.get(outcome.ref)));
        }
    }
    return { findings: inventory.secretTexts.size > 0 ? redactFindings(findings, inventory.secretTexts) : findings, configErrors };
}

/**
 * Findings with every secret text redacted from what they print: the message and the entity's
 * name. Provenance (URN, address, ARN, file) names the resource, never a value, and is what
 * waivers and baselines match, so it stays.
 */
function redactFindings(findings: Finding[], secrets: ReadonlySet<string>): Finding[] {
    const entities = new Map<NonNullable<Finding["entity"]>, NonNullable<Finding["entity"]>>();
    return findings.map(finding => {
        const message = redactSecretTexts(finding.message, secrets);
        let entity = finding.entity;
        if (entity !== undefined) {
            const original = entity;
            let redacted = entities.get(original);
            if (redacted === undefined) {
                const name = redactSecretTexts(original.name, secrets);
                redacted = name === original.name ? original : { kind: original.kind, name, provenance: original.provenance, ref: original.ref };
                entities.set(original, redacted);
            }
            entity = redacted;
        }
        return message === finding.message && entity === finding.entity ? finding : { ...finding, message, entity };
    });
}

/** A finding that should fail a gate at the given threshold. */
export function isBlocking(finding: Finding, failOn: "mandatory" | "advisory" | "none" = "mandatory"): boolean {
    if (finding.status !== "fail" || failOn === "none") {
        return false;
    }
    return failOn === "advisory" || finding.enforcementLevel === "mandatory";
}
