import { readFileSync } from "fs";
import * as path from "path";
import { Entity, Inventory } from "apigw-guard/policies/model/index";
import { Finding, runRules } from "apigw-guard/policies/engine/run";
import { RULES } from "apigw-guard/policies/rules/index";
import { TfResourceRecord } from "../../../sources/terraform/types";

/** Tests run from dist/test/...; fixtures stay in the source tree. */
export const REPO_ROOT = path.resolve(__dirname, "../../../..");
export const TERRAFORM_FIXTURES = path.join(REPO_ROOT, "test/fixtures/terraform");
export const EXAMPLE_INFRA = path.join(REPO_ROOT, "test/fixtures/example-infra");

/** Every key value in the fixtures starts with this; no output may ever contain it. */
export const PLANTED_PREFIX = "PLANTED-apigw-guard-key-";
export const PLANTED_KEY_VALUE = "PLANTED-apigw-guard-key-0123456789";

/** The clock the expected outcomes were worked out for. */
export const NOW = new Date("2026-06-01T00:00:00Z");

export function readJson(file: string): unknown {
    return JSON.parse(readFileSync(file, "utf8"));
}

export function findings(inventory: Inventory, config?: Readonly<Record<string, unknown>>): Finding[] {
    const result = runRules(inventory, RULES, { now: NOW, ...(config ? { config } : {}) });
    if (result.configErrors.length > 0) {
        throw new Error(`config errors: ${result.configErrors.map(e => e.message).join("; ")}`);
    }
    return result.findings;
}

/** `ref → ruleId → status`, for compact assertions. */
export function outcomes(list: readonly Finding[], refOf: (ref: string) => string = ref => ref): Map<string, Map<string, string>> {
    const out = new Map<string, Map<string, string>>();
    for (const finding of list) {
        const ref = refOf(finding.entity?.ref ?? "(none)");
        let byRule = out.get(ref);
        if (!byRule) {
            byRule = new Map();
            out.set(ref, byRule);
        }
        byRule.set(finding.ruleId, finding.status);
    }
    return out;
}

export function statusOf(list: readonly Finding[], ruleId: string, ref: string): string | undefined {
    return list.find(finding => finding.ruleId === ruleId && finding.entity?.ref === ref)?.status;
}

export function entity<K extends Entity["kind"]>(inventory: Inventory, ref: string, kind: K): Extract<Entity, { kind: K }> {
    const found = inventory.get(ref);
    if (!found || found.kind !== kind) {
        throw new Error(`no ${kind} entity ${ref}; have: ${[...inventory.all()].map(e => e.ref).join(", ")}`);
    }
    return found as Extract<Entity, { kind: K }>;
}

/** A record as a front end hands it to the mapping; a static (HCL-like) read unless `actions` is given. */
export function record(type: string, name: string, values: Record<string, unknown>, extra: Partial<TfResourceRecord> = {}): TfResourceRecord {
    return {
        address: `${type}.${name}`,
        type,
        name,
        mode: "managed",
        modulePath: "",
        values,
        sensitivePaths: new Set<string>(),
        references: {},
        ...extra,
    };
}

/** Everything an inventory and its findings could print, to search for secrets. */
export function everythingPrinted(inventory: Inventory, list: readonly Finding[]): string {
    return JSON.stringify({ entities: [...inventory.all()], gaps: inventory.gaps, findings: list });
}
