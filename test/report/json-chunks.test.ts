import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { toFinding } from "apigw-guard/policies/engine/run";
import { Entity } from "apigw-guard/policies/model/index";
import { buildReport, compareFindings, InputFinding, JsonReporter, Report, ReportFinding, sortKeys } from "../../report";
import { fingerprintOf } from "../../report/fingerprint";
import { SortedView } from "../../report/json";
import { RULES } from "apigw-guard/policies/rules/index";

const NOW = new Date("2026-06-01T00:00:00Z");
const TOOL = { name: "apigw-guard", version: "9.9.9" };

/** What the JSON report was before it was written in chunks: the definition its bytes must match. */
function reference(report: unknown): string {
    return `${JSON.stringify(sortKeys(report), null, 2)}\n`;
}

function chunked(report: unknown): string {
    return [...new JsonReporter().chunks(report as Report)].join("");
}

function finding(i: number, extra: Record<string, unknown> = {}): InputFinding {
    const ref = `aws_api_gateway_method.m["${i}"]`;
    return {
        ruleId: `rule-${i % 3}`,
        title: "a \"quoted\" title\nover two lines",
        severity: "high",
        status: i % 2 === 0 ? "fail" : "pass",
        enforcementLevel: "mandatory",
        message: `message ${i}: tab\t, backslash \\, unicode é ✓ 😀, lone surrogate \ud800, control \u0001`,
        remediation: "fix </script> it",
        entity: { ref, kind: "method", name: `m["${i}"]`, provenance: { source: "terraform", address: ref, file: "main.tf", line: i } },
        ...extra,
    };
}

function reportOf(findings: readonly InputFinding[], extra: Partial<Parameters<typeof buildReport>[0]> = {}): Report {
    return buildReport({ tool: TOOL, generatedAt: NOW, inputs: [{ file: "plan.json", kind: "terraform-plan", entities: findings.length, findings }], rules: [], failOn: "mandatory", ...extra });
}

describe("json report in chunks", () => {
    it("writes exactly what render writes, and what sortKeys + JSON.stringify wrote before", () => {
        const report = reportOf(Array.from({ length: 25 }, (_, i) => finding(i, i % 5 === 0 ? { field: "apiKeyRequired", metrics: { zeta: 1, alpha: 2.5 } } : {})));
        const text = chunked(report);
        assert.equal(text, reference(report));
        assert.equal(text, new JsonReporter().render(report));
        assert.ok(text.includes("\\ud800") && text.includes("\\u0001") && text.includes("😀") && text.includes("\\\"quoted\\\""));
    });

    it("spans several batches of findings with the same bytes", () => {
        const findings = Array.from({ length: 300 }, (_, i) => finding(i));
        const report = reportOf(findings);
        const chunks = [...new JsonReporter().chunks(report)];
        assert.ok(chunks.length > 6, "findings are written in several chunks");
        assert.equal(chunks.join(""), reference(report));
    });

    it("sorts keys of objects built in any order, and leaves out undefined, functions and symbols as JSON.stringify does", () => {
        const odd = {
            ...finding(1),
            entity: { ref: "r", name: "n", kind: "method", provenance: { urn: "u", source: "pulumi", fieldLines: { b: 2, a: 1 }, file: undefined } },
            metrics: { b: 1, a: Number.NaN, c: Number.POSITIVE_INFINITY, d: -0 },
            zExtra: [undefined, () => 1, Symbol("s"), null, { y: [2, { b: 1, a: 0 }], x: "x" }, new Date(0)],
            aFunction: () => 1,
            aSymbol: Symbol("t"),
            anUndefined: undefined,
            nested: { "10": "ten", "9": "nine", b: "b", a: "a", __proto__: null },
            withToJSON: { toJSON: () => "custom", a: 1 },
            boxed: [Object("text") as unknown, Object(5) as unknown, Object(true) as unknown],
            aDate: new Date(0),
            aMap: new Map([["k", 1]]),
            empty: {},
            emptyList: [],
        };
        const report = { findings: [odd, finding(2)], summary: { b: 1, a: { d: undefined, c: 3 } }, tool: { version: "1", name: "x" }, absent: undefined };
        assert.equal(chunked(report), reference(report));
    });

    it("writes an empty report, an empty findings list and a report without findings", () => {
        assert.equal(chunked({}), "{}\n");
        assert.equal(chunked({ findings: [], a: 1 }), reference({ findings: [], a: 1 }));
        assert.equal(chunked({ summary: { total: 0 } }), reference({ summary: { total: 0 } }));
    });

    it("keeps an own `__proto__` key as JSON.stringify(sortKeys(...)) did", () => {
        const parsed = JSON.parse("{\"findings\":[{\"b\":1,\"__proto__\":{\"x\":1},\"a\":2}],\"z\":{\"__proto__\":[1]}}") as unknown;
        assert.equal(chunked(parsed), reference(parsed));
    });

    it("uses an already ordered object as it is and copies only what needs reordering", () => {
        const view = new SortedView();
        const ordered = { a: 1, b: { c: [1, { d: 2, e: 3 }] } };
        assert.equal(view.of(ordered), ordered);
        const provenance = { source: "terraform", address: "x" };
        const entity = { kind: "method", name: "n", provenance, ref: "x" };
        const first = view.of({ entity, z: 1 }) as { entity: unknown };
        const second = view.of({ entity, z: 2 }) as { entity: unknown };
        assert.equal(first.entity, second.entity, "an entity shared by findings is looked at once");
        assert.deepEqual(Object.keys((first.entity as { provenance: object }).provenance), ["address", "source"]);
        assert.deepEqual(provenance, { source: "terraform", address: "x" }, "the report is not changed");
        assert.deepEqual(Object.keys(provenance), ["source", "address"]);
    });
});

describe("report findings", () => {
    it("are the input findings with input and fingerprint, keys in sorted order", () => {
        const input = finding(3, { field: "apiKeyRequired", line: 9, metrics: { ageDays: 3 } });
        const [built] = reportOf([input]).findings;
        assert.deepEqual(built, { ...input, input: "plan.json", fingerprint: fingerprintOf("rule-0", "method", input.entity?.ref ?? "") });
        assert.deepEqual(Object.keys(built), [...Object.keys(built)].sort());
    });

    it("keep keys they do not know, and an explicit undefined entity, as a spread copy would", () => {
        const unusual = { ...finding(4), entity: undefined, extra: "kept" } as InputFinding;
        const [built] = reportOf([unusual]).findings as Array<ReportFinding & { extra?: string }>;
        assert.equal(built.extra, "kept");
        assert.ok("entity" in built && built.entity === undefined);
        assert.equal(built.fingerprint, fingerprintOf("rule-1", "rule", ""));
        const overriding = { ...finding(5), input: "stale", fingerprint: "stale" } as InputFinding;
        const [again] = reportOf([overriding]).findings;
        assert.equal(again.input, "plan.json");
        assert.equal(again.fingerprint, fingerprintOf("rule-2", "method", overriding.entity?.ref ?? ""));
    });

    it("are sorted by compareFindings", () => {
        const findings = Array.from({ length: 200 }, (_, i) => finding((i * 7919) % 200, i % 3 === 0 ? { field: `f${i % 4}`, line: i % 5 } : {}));
        const report = reportOf(findings);
        for (let i = 1; i < report.findings.length; i++) {
            assert.ok(compareFindings(report.findings[i - 1], report.findings[i]) <= 0, `findings ${i - 1} and ${i} are in order`);
        }
    });
});

describe("fingerprints", () => {
    it("are the first 32 hex digits of sha256(prefix NUL rule NUL kind NUL ref) of the UTF-8 text", () => {
        for (const [rule, kind, ref] of [["r", "method", "aws_api_gateway_method.a"], ["r", "rule", ""], ["ü", "stage", "urn:pulumi:s::p::t::名前😀"]]) {
            const expected = createHash("sha256").update(["apigw-guard/fingerprint/v1", rule, kind, ref].join("\u0000"), "utf8").digest("hex").slice(0, 32);
            assert.equal(fingerprintOf(rule, kind, ref), expected);
        }
    });
});

describe("toFinding", () => {
    const rule = RULES[0];
    const entity = {
        kind: "method",
        ref: "aws_api_gateway_method.a",
        name: "a",
        provenance: { source: "terraform", address: "aws_api_gateway_method.a", line: 4, fieldLines: { apiKeyRequired: 9 } },
    } as unknown as Entity;

    it("points at the deciding field's line, else the entity's, and leaves out what it does not know", () => {
        const withField = toFinding(rule, "mandatory", { ref: entity.ref, status: "fail", message: "m", field: "apiKeyRequired", metrics: { a: 1 } }, entity);
        assert.equal(withField.line, 9);
        assert.equal(withField.field, "apiKeyRequired");
        assert.deepEqual(withField.metrics, { a: 1 });
        const plain = toFinding(rule, "remediate", { ref: entity.ref, status: "fail", message: "m", field: "" }, entity);
        assert.equal(plain.line, 4);
        assert.equal(plain.enforcementLevel, "mandatory");
        assert.ok(!("field" in plain) && !("metrics" in plain));
        const none = toFinding(rule, "advisory", { ref: "gone", status: "unknown", message: "m" }, undefined);
        assert.ok("entity" in none && none.entity === undefined);
        assert.ok(!("line" in none));
        assert.deepEqual(Object.keys(none), ["ruleId", "title", "severity", "status", "enforcementLevel", "message", "remediation", "entity"]);
    });

    it("shares one entity object among the findings about an entity", () => {
        const a = toFinding(rule, "mandatory", { ref: entity.ref, status: "pass", message: "m" }, entity);
        const b = toFinding(RULES[1], "mandatory", { ref: entity.ref, status: "fail", message: "n" }, entity);
        assert.equal(a.entity, b.entity);
        assert.deepEqual(a.entity, { ref: entity.ref, kind: "method", name: "a", provenance: entity.provenance });
    });

    it("gives the entity and its provenance keys in sorted order, without changing the inventory's entity", () => {
        const provenance = { source: "terraform", address: "aws_api_gateway_method.b", fieldLines: { path: 3, httpMethod: 2 }, file: "main.tf", line: 1 };
        const unordered = { ...entity, ref: "aws_api_gateway_method.b", provenance } as unknown as Entity;
        const made = toFinding(rule, "mandatory", { ref: unordered.ref, status: "pass", message: "m" }, unordered);
        assert.deepEqual(made.entity?.provenance, provenance);
        assert.deepEqual(Object.keys(made.entity ?? {}), ["kind", "name", "provenance", "ref"]);
        assert.deepEqual(Object.keys(made.entity?.provenance ?? {}), ["address", "fieldLines", "file", "line", "source"]);
        assert.deepEqual(Object.keys(made.entity?.provenance.fieldLines ?? {}), ["httpMethod", "path"]);
        assert.deepEqual(Object.keys(provenance), ["source", "address", "fieldLines", "file", "line"], "the inventory's provenance is not reordered");
        const ordered = { address: "x", source: "terraform" };
        const same = toFinding(rule, "mandatory", { ref: "x", status: "pass", message: "m" }, { ...entity, ref: "x", provenance: ordered } as unknown as Entity);
        assert.equal(same.entity?.provenance, ordered, "already in order: not copied");
    });
});
