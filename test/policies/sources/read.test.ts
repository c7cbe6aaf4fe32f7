import assert from "node:assert/strict";
import { isUnknown, unknown } from "apigw-guard/policies/model/index";
import { Reader } from "apigw-guard/policies/sources/read";

const SENTINEL = "??";
const read = new Reader(v => v === SENTINEL, "computed");

describe("sources/read Reader", () => {
    it("walks dotted paths through Pulumi objects and Terraform one-element block lists alike", () => {
        assert.equal(read.string({ a: { b: "x" } }, "a.b"), "x");
        assert.equal(read.string({ a: [{ b: "x" }] }, "a.b"), "x");
        assert.equal(read.string({ a: [] }, "a.b"), undefined);
        assert.equal(read.string({ a: null }, "a.b"), undefined);
        assert.equal(read.string({}, "a"), undefined);
    });

    it("reports unknowns found anywhere along the path", () => {
        assert.ok(isUnknown(read.string({ a: SENTINEL }, "a.b")));
        assert.ok(isUnknown(read.string({ a: [SENTINEL] }, "a.b")));
        assert.ok(isUnknown(read.boolean({ a: { b: SENTINEL } }, "a.b")));
        const carried = unknown("denied");
        assert.equal(read.raw({ a: carried }, "a.b"), carried, "an existing unknown keeps its reason");
    });

    it("coerces the string forms Terraform and SDKs use, and names the path on a wrong type", () => {
        assert.equal(read.boolean({ a: "true" }, "a"), true);
        assert.equal(read.number({ a: "42" }, "a"), 42);
        assert.equal(read.string({ a: 7 }, "a"), "7");
        const bad = read.number({ a: "lots" }, "a");
        assert.ok(isUnknown(bad) && /malformed property 'a': expected number, found string/.test(bad.reason ?? ""));
        const list = read.array({ a: "x" }, "a");
        assert.ok(isUnknown(list) && /expected list/.test(list.reason ?? ""));
        const walked = read.string({ a: "scalar" }, "a.b");
        assert.ok(isUnknown(walked) && /expected object/.test(walked.reason ?? ""));
    });

    it("reads objects, string lists and string maps with per-entry unknowns", () => {
        assert.deepEqual(read.object({ a: [{ x: 1 }] }, "a"), { x: 1 });
        assert.ok(isUnknown(read.object({ a: [SENTINEL] }, "a")));
        assert.ok(isUnknown(read.object({ a: 3 }, "a")));
        assert.deepEqual(read.stringList({ a: ["x", "y"] }, "a"), ["x", "y"]);
        assert.ok(isUnknown(read.stringList({ a: ["x", SENTINEL] }, "a")));
        assert.ok(isUnknown(read.stringList({ a: ["x", 1] }, "a")));
        const tags = read.stringMap({ t: { a: "1", b: SENTINEL, c: 2, d: null } }, "t");
        assert.ok(tags && !isUnknown(tags));
        assert.equal(tags.a, "1");
        assert.ok(isUnknown(tags.b));
        assert.equal(tags.c, "2");
        assert.equal("d" in tags, false);
    });

    it("never echoes the value it rejects", () => {
        const bad = read.boolean({ a: "SECRET-VALUE-123" }, "a");
        assert.ok(isUnknown(bad));
        assert.ok(!JSON.stringify(bad).includes("SECRET-VALUE-123"));
    });
});
