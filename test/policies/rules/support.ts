import assert from "node:assert/strict";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import { Entity, Inventory } from "apigw-guard/policies/model/index";
import { CatalogueRule, Outcome } from "apigw-guard/policies/rules/types";

/** The clock rule tests run with unless they pass their own. */
export const RULE_TEST_NOW = new Date("2026-06-01T00:00:00Z");

export type RuleRunner = (entities: Inventory | readonly Entity[], raw?: Record<string, unknown>, clock?: Date) => Outcome[];

/** Evaluate one rule as the engine does: config validated and defaulted, the clock injected. */
export function ruleRunner(rule: CatalogueRule, now: Date = RULE_TEST_NOW): RuleRunner {
    return (entities, raw = {}, clock = now) =>
        rule.evaluate(entities instanceof Inventory ? entities : new Inventory(entities), resolveRuleConfig(rule, raw), { now: clock });
}

export function outcomeFor(outcomes: readonly Outcome[], ref: string): Outcome {
    const found = outcomes.find(o => o.ref === ref);
    assert.ok(found, `no outcome for ${ref}`);
    return found;
}
