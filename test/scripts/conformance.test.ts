import assert from "node:assert/strict";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { ruleById } from "apigw-guard/policies/rules/index";
import { defaultCorpusDir, parseCheckovExpected, renderDoc, runConformance } from "../../scripts/conformance";
import { CHECKOV_MAPPINGS, KICS_MAPPINGS } from "../../scripts/conformance-mapping";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

describe("conformance against the KICS and Checkov corpus", function () {
    this.timeout(180_000);

    describe("the mapping (scripts/conformance-mapping.ts)", () => {
        const all = [...KICS_MAPPINGS.map(m => ({ id: m.query, ...m })), ...CHECKOV_MAPPINGS.map(m => ({ id: m.check, ...m }))];

        it("has mappings from both tools", () => {
            assert.ok(KICS_MAPPINGS.length > 0 && CHECKOV_MAPPINGS.length > 0);
        });

        it("names only rules of the catalogue, and every deviation's rule is one of its mapping's", () => {
            for (const mapping of all) {
                for (const rule of mapping.rules) {
                    assert.ok(ruleById(rule), `${mapping.id}: unknown rule ${rule}`);
                }
                for (const deviation of mapping.deviations ?? []) {
                    if (deviation.kind === "not-failed") {
                        assert.ok(mapping.rules.includes(deviation.rule), `${mapping.id}: deviation names ${deviation.rule}, which is not mapped`);
                    }
                    assert.ok(deviation.reason.length > 20, `${mapping.id}: every deviation says why`);
                }
            }
        });

        it("gives unmapped entries a reason and no rules, and mapped ones at least one rule", () => {
            for (const mapping of all) {
                assert.ok(mapping.rationale.length > 20, `${mapping.id}: rationale`);
                if (mapping.status === "unmapped") {
                    assert.equal(mapping.rules.length, 0, mapping.id);
                    assert.equal(mapping.deviations, undefined, mapping.id);
                } else {
                    assert.ok(mapping.rules.length > 0, mapping.id);
                }
            }
        });

        it("reads Checkov's expected.yaml", () => {
            assert.deepEqual(parseCheckovExpected("pass:\n  - \"aws_x.a\"\n  - aws_x.b\nfail:\n  - \"aws_x.c\" # why\n"), {
                pass: ["aws_x.a", "aws_x.b"],
                fail: ["aws_x.c"],
            });
        });
    });

    describe("a run over ../shared/corpus", () => {
        const corpus = defaultCorpusDir();

        before(function () {
            if (!existsSync(corpus)) {
                // The corpus lives beside the repository (../shared); without it there is nothing to check.
                this.skip();
            }
        });

        it("has no undocumented mismatch (skipped when ../shared/corpus is absent)", async () => {
            const report = await runConformance(corpus);
            const mismatches = report.results.filter(r => r.kind === "mismatch");
            assert.deepEqual(mismatches.map(m => `${m.id}/${m.file}${m.line ? `:${m.line}` : ""} ${m.address ?? ""}: ${m.detail}`), []);
            assert.equal(report.totals.falsePositives, 0);
            assert.ok(report.totals.matched > 0);
            assert.equal(report.totals.matched + report.totals.deviationsOnExpected, report.totals.expectedFails);
            // Every mapping the corpus has is in the data, and the other way round.
            assert.equal(report.summaries.length, KICS_MAPPINGS.length + CHECKOV_MAPPINGS.length);
        });

        it("keeps docs/conformance.md in step with the mapping and the run (skipped when ../shared/corpus is absent)", async () => {
            const report = await runConformance(corpus);
            const current = readFileSync(path.join(REPO_ROOT, "docs", "conformance.md"), "utf8");
            assert.ok(current === renderDoc(report), "docs/conformance.md is out of date: run node dist/scripts/conformance.js --write-doc docs/conformance.md");
        });
    });
});
