import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { scan } from "../../api/scan";
import { CaseExpectations, describeOutcome, judge, keyOf, Outcome, VERDICTS } from "./realworld-match";

/*
 * Hand-reviewed expectations for the real-world Terraform corpus (../shared/corpus/realworld).
 *
 * Each expectation was written from reading the case's Terraform, the OpenAPI bodies and templates
 * it reads, and the AWS / Terraform provider documentation; never from the scanner's output. The
 * format is described in test/corpus/realworld/README.md. An expectation the scanner does not meet
 * today carries `knownMiss` (the cause); it runs as a pending test naming that cause, so the file
 * says what is not right yet. Fixing a cause means deleting `knownMiss` from the expectations it
 * explains (the run prints those that already agree), never editing `expected`.
 */

/** Tests run from dist/test/corpus. */
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const CORPUS = path.resolve(REPO_ROOT, "..", "shared", "corpus", "realworld");
const EXPECTATIONS = path.join(REPO_ROOT, "test", "corpus", "realworld");
const NOW = "2026-12-01T00:00:00Z";

function loadExpectations(): CaseExpectations[] {
    if (!existsSync(EXPECTATIONS)) {
        return [];
    }
    return readdirSync(EXPECTATIONS)
        .filter(name => name.endsWith(".json"))
        .sort()
        .map(name => JSON.parse(readFileSync(path.join(EXPECTATIONS, name), "utf8")) as CaseExpectations);
}

const CASES = loadExpectations();
const ruleIds = (): Set<string> => {
    const dir = path.join(REPO_ROOT, "policies", "rules");
    return new Set(readdirSync(dir).filter(f => f.startsWith("apigateway-") && f.endsWith(".ts")).map(f => f.slice(0, -3)));
};

describe("corpus: hand-reviewed expectations for the real-world Terraform corpus", function () {
    this.timeout(300_000);

    it("every expectation is well formed (known rule, verdict, a reason, unique key)", () => {
        const rules = ruleIds();
        assert.ok(CASES.length > 0, `no expectation files in ${EXPECTATIONS}`);
        for (const c of CASES) {
            for (const root of c.roots) {
                const seen = new Set<string>();
                for (const e of root.expectations) {
                    const label = `${c.case} ${root.root} ${e.address} ${e.operation ?? ""} ${e.rule}`;
                    assert.ok(rules.has(e.rule), `${label}: unknown rule`);
                    assert.ok(VERDICTS.includes(e.expected), `${label}: bad verdict ${String(e.expected)}`);
                    assert.ok(e.why.trim().length > 10, `${label}: no reason`);
                    assert.ok(e.knownMiss === undefined || e.knownMiss.trim().length > 0, `${label}: empty knownMiss`);
                    const key = keyOf(e.address, e.operation, e.rule);
                    assert.ok(!seen.has(key), `${label}: duplicate`);
                    seen.add(key);
                }
            }
        }
    });

    if (!existsSync(CORPUS)) {
        it.skip(`the real-world corpus is not here (${CORPUS}): nothing to scan`);
        return;
    }

    const results = new Map<string, Outcome[]>();
    const scores: string[] = [];
    after(() => {
        if (scores.length > 0) {
            let agree = 0;
            let total = 0;
            for (const outcomes of results.values()) {
                agree += outcomes.filter(o => o.agrees).length;
                total += outcomes.length;
            }
            process.stdout.write(`\n  real-world corpus score (agreeing / expectations):\n${scores.join("\n")}\n    total ${agree}/${total}\n`);
        }
    });

    for (const c of CASES) {
        describe(c.case, () => {
            before(async function () {
                const outcomes: Outcome[] = [];
                for (const root of c.roots) {
                    const dir = path.join(CORPUS, c.case, root.root);
                    const report = await scan([dir], { now: NOW });
                    const errors = report.inputs.flatMap(input => input.errors ?? []);
                    assert.deepEqual(errors.map(e => e.message), [], `${c.case}/${root.root}: input errors`);
                    outcomes.push(...judge(report, root));
                }
                results.set(c.case, outcomes);
                const agreeing = outcomes.filter(o => o.agrees).length;
                const stale = outcomes.filter(o => o.agrees && o.expectation.knownMiss !== undefined);
                scores.push(`    ${c.case}: ${agreeing}/${outcomes.length}`);
                for (const o of stale) {
                    scores.push(`      now met, remove knownMiss: ${describeOutcome(o)}`);
                }
            });

            for (const root of c.roots) {
                const met = root.expectations.filter(e => e.knownMiss === undefined);
                const missed = root.expectations.filter(e => e.knownMiss !== undefined);
                // A root whose every expectation is a known miss has nothing to assert yet (only pending tests).
                (met.length > 0 ? it : it.skip)(`${root.root}: ${met.length} expectation(s) the scanner meets`, () => {
                    const outcomes = (results.get(c.case) ?? []).filter(o => met.includes(o.expectation));
                    assert.equal(outcomes.length, met.length, "every expectation of this root was compared");
                    const wrong = outcomes.filter(o => !o.agrees).map(o => `${describeOutcome(o)}  (why: ${o.expectation.why})`);
                    assert.deepEqual(wrong, []);
                });
                for (const e of missed) {
                    it.skip(`known miss (${e.knownMiss}): ${root.root} ${e.address}${e.operation !== undefined ? ` [${e.operation}]` : ""} ${e.rule} should be ${e.expected}`);
                }
            }
        });
    }
});
