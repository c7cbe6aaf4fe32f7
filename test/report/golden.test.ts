import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createReporter, Report, REPORT_FORMATS, ReportFormat } from "../../report";
import { FORMAT_OPTIONS, goldenReport, ROOT } from "./fixture";

/** The golden files live in the source tree (not dist/), where a reviewer reads their diff. */
export const GOLDEN_DIR = path.join(ROOT, "test", "report", "golden");

/** A file per format: adding a format without a golden file does not compile. */
export const GOLDEN_FILES: Readonly<Record<ReportFormat, string>> = {
    text: "report.txt",
    json: "report.json",
    sarif: "report.sarif",
    junit: "report.junit.xml",
    markdown: "report.md",
    html: "report.html",
    asff: "report.asff.json",
};

/** `UPDATE_GOLDEN=1 npx mocha ...` rewrites the files instead of comparing (then review the diff). */
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** Where two texts first differ, as `line N` with both lines: readable where a 200 kB diff is not. */
function firstDifference(actual: string, expected: string): string {
    const a = actual.split("\n");
    const e = expected.split("\n");
    for (let i = 0; i < Math.max(a.length, e.length); i++) {
        if (a[i] !== e[i]) {
            const clip = (line: string | undefined): string => (line === undefined ? "<end of file>" : JSON.stringify(line.length > 300 ? `${line.slice(0, 300)}…` : line));
            return `first difference at line ${i + 1}:\n  rendered: ${clip(a[i])}\n  golden:   ${clip(e[i])}`;
        }
    }
    return "the same lines, different bytes (line endings?)";
}

describe("report formats: golden files", function () {
    let report: Report;

    before(async () => {
        report = await goldenReport();
    });

    for (const format of REPORT_FORMATS) {
        const file = path.join(GOLDEN_DIR, GOLDEN_FILES[format]);
        it(`${format} renders test/report/golden/${GOLDEN_FILES[format]} byte for byte`, () => {
            const rendered = createReporter(format, FORMAT_OPTIONS).render(report);
            if (UPDATE) {
                // A rewrite passes whatever was rendered: in CI it would hide every difference.
                assert.notEqual(process.env.CI, "true", "UPDATE_GOLDEN=1 rewrites the golden files instead of comparing them: refused under CI=true");
                mkdirSync(GOLDEN_DIR, { recursive: true });
                writeFileSync(file, rendered, "utf8");
                console.log(`      updated ${path.relative(ROOT, file)}`);
                return;
            }
            assert.ok(existsSync(file), `no golden file ${path.relative(ROOT, file)}: run with UPDATE_GOLDEN=1, then review it`);
            const golden = readFileSync(file, "utf8");
            if (rendered !== golden) {
                assert.fail(`${format} output differs from ${path.relative(ROOT, file)} (UPDATE_GOLDEN=1 to accept a deliberate change):\n${firstDifference(rendered, golden)}`);
            }
        });
    }

    it("the golden report holds every part of the model the formats render", () => {
        const statuses = new Set(report.findings.map(f => f.status));
        for (const status of ["fail", "unknown", "pass", "not-applicable"] as const) {
            assert.ok(statuses.has(status), `a ${status} finding`);
        }
        assert.ok(report.findings.some(f => f.status === "fail" && f.enforcementLevel === "mandatory" && f.suppressed === undefined), "a hard failure");
        assert.ok(report.findings.some(f => f.status === "fail" && f.enforcementLevel === "advisory" && f.suppressed === undefined), "a soft failure");
        assert.ok(report.findings.some(f => f.suppressed !== undefined), "a suppressed finding");
        assert.ok(report.findings.some(f => f.baseline === "existing") && report.findings.some(f => f.baseline === "new"), "baseline states");
        assert.ok(report.findings.some(f => f.entity?.provenance.urn !== undefined), "a Pulumi URN");
        assert.ok(report.findings.some(f => f.entity?.provenance.line !== undefined), "an HCL file:line");
        assert.ok(report.findings.some(f => f.ruleId === "apigateway-api-key-max-age" && f.metrics?.ageDays !== undefined), "key ages");
        assert.ok(report.inputs.some(i => i.errors !== undefined), "an input error");
        assert.equal(report.waivers?.expired.length, 1, "an expired waiver");
        assert.equal(report.waivers?.stale.length, 1, "a stale waiver");
        assert.ok(report.frameworks !== undefined && report.frameworks.controls.length > 0, "a framework view");
    });
});
