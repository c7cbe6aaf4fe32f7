import assert from "node:assert/strict";
import { BlockDecl } from "../../../../sources/terraform/hcl/declarations";
import { variableSource } from "../../../../sources/terraform/hcl/variables";

/** Variable precedence on its own (tfvars files and module calls read from disk are covered in ../hcl.test.ts). */

function decl(body: Record<string, unknown>): BlockDecl {
    return { file: "main.tf", line: 1, body, attributeLines: {} };
}

describe("sources/terraform/hcl/variables", () => {
    describe("variableSource", () => {
        const withDefault = decl({ default: "d" });
        const noDefault = decl({});

        it("root module: tfvars over the default; neither gives none (unknown)", () => {
            assert.deepEqual(variableSource("v", withDefault, undefined, { v: "t" }), { from: "tfvars", raw: "t" });
            assert.deepEqual(variableSource("v", withDefault, undefined, {}), { from: "default", raw: "d" });
            assert.equal(variableSource("v", noDefault, undefined, {}), undefined);
        });

        it("child module: the call's argument over the default, and tfvars never apply", () => {
            assert.deepEqual(variableSource("v", withDefault, { source: "./m", v: "arg" }, { v: "t" }), { from: "argument", raw: "arg" });
            assert.deepEqual(variableSource("v", withDefault, { source: "./m" }, { v: "t" }), { from: "default", raw: "d" });
            assert.equal(variableSource("v", noDefault, { source: "./m" }, { v: "t" }), undefined);
        });

        it("a call's meta-arguments, source and version are not variable values", () => {
            for (const name of ["count", "for_each", "depends_on", "source", "version"]) {
                assert.deepEqual(variableSource(name, withDefault, { source: "./m", [name]: "x" }, {}), { from: "default", raw: "d" }, name);
            }
        });
    });
});
