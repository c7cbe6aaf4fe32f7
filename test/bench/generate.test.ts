/**
 * The benchmark's estate generator (bench/generate.ts): deterministic, exactly sized, and
 * accepted by the real front ends — the scan CLI over the Terraform plan and the stack export,
 * the CrossGuard pack over the engine resources — with the violations it plants found, counted
 * from the model alone. No timing assertions: speed is measured by `npm run bench`, not here.
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/main";
import { buildEstate, engineResources, estateText, Estate, ESTATE_NOW, writeEstateFile } from "../../bench/generate";
import { runEnginePath } from "../../bench/engine-path";
import { inventoryFromTerraformPlan } from "../../sources/terraform/plan";
import { inventoryFromStackExport } from "../../sources/pulumi/stack-export";
import { PackProcess, reveal, runLikeEngine } from "../../testkit/engine";

interface ScanReport {
    readonly inputs: readonly { readonly entities?: number; readonly errors?: readonly unknown[]; readonly gaps?: readonly unknown[] }[];
    readonly findings: readonly { readonly ruleId: string; readonly status: string }[];
}

/** Runs `apigw-guard scan FILE --format json` in-process and returns the parsed report. */
async function scanFile(file: string, dir: string): Promise<{ code: number; report: ScanReport; stderr: string }> {
    const output = path.join(dir, `${path.basename(file)}.report.json`);
    let stderr = "";
    const code = await main(["node", "apigw-guard", "scan", file, "--format", "json", "--output", output, "--now", ESTATE_NOW], {
        stdout: { write: () => true, isTTY: false },
        stderr: { write: (text: string) => { stderr += text; return true; } },
        env: {},
        readStdin: async () => "",
    });
    const report = JSON.parse(fs.readFileSync(output, "utf8")) as ScanReport;
    fs.rmSync(output, { force: true });
    return { code, report, stderr };
}

function failuresByRule(report: ScanReport): Record<string, number> {
    const out: Record<string, number> = {};
    for (const finding of report.findings) {
        if (finding.status === "fail") {
            out[finding.ruleId] = (out[finding.ruleId] ?? 0) + 1;
        }
    }
    return out;
}

/** The planted failures, as the scan must count them (rules the estate plants nothing for left out). */
function assertPlanted(report: ScanReport, expected: Estate["expectedFailures"], rules: readonly string[] = Object.keys(expected)): void {
    const found = failuresByRule(report);
    assert.ok(rules.length > 0, "some planted failures to look for");
    for (const rule of rules) {
        assert.equal(found[rule] ?? 0, expected[rule], `failures of ${rule}`);
    }
}

/** Engine resources as stable text (secrets and unknowns spelled out, as on the wire). */
function engineText(estate: Estate): string {
    return JSON.stringify(engineResources(estate).map(r => ({ ...r, props: reveal(r.props), outputs: r.outputs === undefined ? undefined : reveal(r.outputs) })));
}

describe("bench: estate generator", function () {
    this.timeout(120_000);
    let dir: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "apigw-guard-generate-"));
    });

    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    describe("determinism", () => {
        it("gives the same bytes for the same seed, in every format", () => {
            for (const format of ["plan", "export"] as const) {
                const first = estateText(buildEstate({ seed: 7, resources: 1500 }), format);
                const second = estateText(buildEstate({ seed: 7, resources: 1500 }), format);
                assert.equal(first.sha256, second.sha256, format);
                assert.equal(first.text, second.text, format);
            }
            assert.equal(engineText(buildEstate({ seed: 7, resources: 1500 })), engineText(buildEstate({ seed: 7, resources: 1500 })));
        });

        it("gives a different estate for another seed", () => {
            assert.notEqual(estateText(buildEstate({ seed: 7, resources: 1500 }), "plan").sha256, estateText(buildEstate({ seed: 8, resources: 1500 }), "plan").sha256);
            assert.notEqual(engineText(buildEstate({ seed: 7, resources: 1500 })), engineText(buildEstate({ seed: 8, resources: 1500 })));
        });

        it("streams to a file exactly what it builds in memory", () => {
            const estate = buildEstate({ seed: 3, resources: 2500 });
            for (const format of ["plan", "export"] as const) {
                const file = path.join(dir, `same-${format}.json`);
                const written = writeEstateFile(estate, format, file);
                const inMemory = estateText(estate, format);
                assert.equal(written.sha256, inMemory.sha256, format);
                assert.equal(written.bytes, Buffer.byteLength(inMemory.text), format);
                assert.equal(fs.readFileSync(file, "utf8"), inMemory.text, format);
            }
        });

        it("never uses Math.random", () => {
            const random = Math.random;
            Math.random = () => {
                throw new Error("the generator must not use Math.random");
            };
            try {
                estateText(buildEstate({ seed: 1, resources: 800 }), "plan");
                estateText(buildEstate({ seed: 1, resources: 800 }), "export");
                engineResources(buildEstate({ seed: 1, resources: 800 }));
            } finally {
                Math.random = random;
            }
        });
    });

    describe("size and shape", () => {
        it("builds exactly the number of resources asked for", () => {
            for (const resources of [1, 11, 12, 13, 100, 999, 1000, 4321]) {
                const estate = buildEstate({ seed: 11, resources });
                assert.equal(estate.resourceCount, resources);
                assert.equal(Object.values(estate.counts).reduce((a, b) => a + b, 0), resources);
                assert.equal(engineResources(estate).length, resources);
            }
        });

        it("holds the realistic mix: every kind, keyless and OPTIONS methods, keys in two plans, new units", () => {
            const estate = buildEstate({ seed: 5, resources: 20_000, createFraction: 0.05 });
            for (const kind of ["rest-api", "api-resource", "method", "stage", "method-settings", "log-group", "usage-plan", "api-key", "usage-plan-key", "account"]) {
                assert.ok(estate.counts[kind] > 0, kind);
            }
            const methods = estate.apis.flatMap(api => api.methods);
            assert.ok(methods.some(m => m.httpMethod === "OPTIONS"));
            assert.ok(methods.some(m => m.httpMethod !== "OPTIONS" && !m.apiKeyRequired));
            assert.ok(estate.apis.some(api => api.resources.some(r => r.level === 3)), "a resource tree three levels deep");
            assert.ok(estate.apis.some(api => api.created) && estate.apis.some(api => !api.created));
            assert.ok(Object.keys(estate.expectedFailures).length > 5, "failures of many rules are planted");
            for (const [rule, count] of Object.entries(estate.expectedFailures)) {
                assert.ok(count > 0, `${rule} is planted`);
            }
        });
    });

    describe("accepted by the real front ends", () => {
        it("the Terraform plan reads into one entity per resource, and the scan finds what was planted", async () => {
            const estate = buildEstate({ seed: 21, resources: 1200, createFraction: 0 });
            const file = path.join(dir, "plan-1200.json");
            writeEstateFile(estate, "plan", file);
            assert.equal(inventoryFromTerraformPlan(JSON.parse(fs.readFileSync(file, "utf8")), { file }).size, 1200);
            const { code, report, stderr } = await scanFile(file, dir);
            assert.equal(stderr, "");
            assert.equal(code, 1, "planted mandatory failures block");
            assert.equal(report.inputs[0].entities, 1200);
            assert.equal(report.inputs[0].errors, undefined);
            assertPlanted(report, estate.expectedFailures);
        });

        it("the stack export reads into one entity per resource, and the scan finds what was planted", async () => {
            const estate = buildEstate({ seed: 22, resources: 1200 });
            const file = path.join(dir, "export-1200.json");
            writeEstateFile(estate, "export", file);
            assert.equal(inventoryFromStackExport(JSON.parse(fs.readFileSync(file, "utf8")), { file }).size, 1200);
            const { code, report } = await scanFile(file, dir);
            assert.equal(code, 1);
            assert.equal(report.inputs[0].entities, 1200);
            // An export is deployed state: every unit is known, whatever createFraction says.
            assertPlanted(report, estate.expectedFailures);
        });

        it("a plan with new units: what a new unit can decide is still found, the rest is left unknown, never passed", async () => {
            const estate = buildEstate({ seed: 23, resources: 3000, createFraction: 0.3 });
            assert.ok(estate.apis.filter(api => api.created).length > 5);
            const file = path.join(dir, "plan-created.json");
            writeEstateFile(estate, "plan", file);
            const { report } = await scanFile(file, dir);
            assert.equal(report.inputs[0].entities, 3000);
            // Decided from the new unit's own configuration: keyless methods, key source, missing
            // access logs and plan limits.
            assertPlanted(report, estate.expectedFailures, [
                "apigateway-method-api-key-required", "apigateway-rest-api-key-source-header", "apigateway-stage-access-logging", "apigateway-usage-plan-limits",
            ]);
            // Two plans on one stage needs the attachments' links, unknown until apply in a new unit.
            const found = failuresByRule(report)["apigateway-api-key-one-plan-per-stage"] ?? 0;
            assert.ok(found <= estate.expectedFailures["apigateway-api-key-one-plan-per-stage"], "no false failure");
            assert.ok(report.findings.some(f => f.ruleId === "apigateway-api-key-one-plan-per-stage" && f.status === "unknown"));
        });

        it("the engine resources run through the pack as a preview; the benchmark's engine path sees what runLikeEngine sees", async function () {
            this.timeout(180_000);
            const estate = buildEstate({ seed: 24, resources: 400, createFraction: 0.25 });
            const resources = engineResources(estate);
            const env = { APIGW_GUARD_NOW: ESTATE_NOW };
            const engine = await runLikeEngine(resources, { env });
            const keyless = engine.diagnostics.filter(d => d.policyName === "apigateway-method-api-key-required" && d.enforcementLevel === "mandatory");
            assert.equal(keyless.length, estate.expectedFailures["apigateway-method-api-key-required"]);
            const noLogs = engine.diagnostics.filter(d => d.policyName === "apigateway-stage-access-logging" && d.enforcementLevel === "mandatory");
            assert.equal(noLogs.length, estate.expectedFailures["apigateway-stage-access-logging"]);
            assert.equal(engine.stdout, "");

            const pack = await PackProcess.start({ env });
            try {
                const measured = await runEnginePath(pack, resources);
                assert.equal(measured.resources, resources.length);
                assert.equal(measured.diagnostics.analyze + measured.diagnostics.analyzeStack + measured.diagnostics.remediate, engine.diagnostics.length);
                assert.equal(measured.pack, undefined, "no timings without the timing preload");
            } finally {
                await pack.close();
            }
        });
    });

    describe("scale (10,000 resources)", () => {
        it("scans a 10k-resource plan and stack export to completion with exactly the planted failures", async function () {
            this.timeout(300_000);
            const estate = buildEstate({ seed: 20260601, resources: 10_000, createFraction: 0 });
            for (const format of ["plan", "export"] as const) {
                const file = path.join(dir, `${format}-10000.json`);
                writeEstateFile(estate, format, file);
                const { code, report, stderr } = await scanFile(file, dir);
                fs.rmSync(file, { force: true });
                assert.equal(stderr, "", format);
                assert.equal(code, 1, format);
                assert.equal(report.inputs[0].entities, 10_000, format);
                assert.equal(report.inputs[0].gaps, undefined, format);
                assertPlanted(report, estate.expectedFailures);
                // Every entity is judged by at least one rule.
                assert.ok(report.findings.length >= 10_000, `${format}: ${report.findings.length} findings`);
            }
        });
    });
});
