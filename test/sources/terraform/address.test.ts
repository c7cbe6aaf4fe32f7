import assert from "node:assert/strict";
import { configAddress, moduleInstancePath, parseAddress, resourceAddress } from "../../../sources/terraform/address";

describe("sources/terraform address", () => {
    it("parses resource addresses with modules, count and for_each keys", () => {
        const address = parseAddress('module.api["eu.west"].module.inner[0].aws_api_gateway_method.get["a.b"]');
        assert.ok(address);
        assert.deepEqual(address.modules, [{ name: "api", key: '"eu.west"' }, { name: "inner", key: "0" }]);
        assert.equal(address.type, "aws_api_gateway_method");
        assert.equal(address.name, "get");
        assert.equal(address.key, '"a.b"');
        assert.equal(moduleInstancePath(address), 'module.api["eu.west"].module.inner[0]');
        assert.equal(configAddress(address), "module.api.module.inner.aws_api_gateway_method.get");
    });

    it("reads references: strips the attribute, keeps a literal index, drops a computed one", () => {
        const literal = parseAddress("aws_api_gateway_rest_api.api[0].root_resource_id");
        assert.ok(literal);
        assert.equal(resourceAddress(literal), "aws_api_gateway_rest_api.api[0]");
        assert.deepEqual(literal.attribute, ["root_resource_id"]);
        const computed = parseAddress("aws_api_gateway_api_key.k[count.index].id");
        assert.ok(computed);
        assert.equal(resourceAddress(computed), "aws_api_gateway_api_key.k");
        assert.equal(parseAddress("data.aws_region.current.name")?.mode, "data");
    });

    it("does not take variables, locals, module outputs or each/count for resources", () => {
        for (const reference of ["var.api_id", "local.tags", "module.api.rest_api_id", "each.value", "count.index", "path.module", "self.id"]) {
            assert.equal(parseAddress(reference), undefined, reference);
        }
        assert.equal(parseAddress('aws_x.y["unterminated]'), undefined);
    });

    it("keeps dots, brackets and escapes inside quoted instance keys, and canonicalises keys", () => {
        const nested = parseAddress('module.api["a.b[0]"].aws_api_gateway_method.get["x]y.z"]');
        assert.ok(nested);
        assert.deepEqual(nested.modules, [{ name: "api", key: '"a.b[0]"' }]);
        assert.equal(nested.key, '"x]y.z"');
        assert.equal(moduleInstancePath(nested), 'module.api["a.b[0]"]');
        assert.equal(resourceAddress(nested), 'module.api["a.b[0]"].aws_api_gateway_method.get["x]y.z"]');
        const escaped = parseAddress('aws_x.y["a\\"b.c"].id');
        assert.ok(escaped);
        assert.equal(escaped.key, '"a\\"b.c"');
        assert.deepEqual(escaped.attribute, ["id"]);
        // Keys that are not already in canonical JSON form take the JSON.parse/stringify path.
        assert.equal(parseAddress('aws_x.y["\\u0041"]')?.key, '"A"');
        assert.equal(parseAddress('aws_x.y["é"]')?.key, '"é"');
        assert.equal(parseAddress("aws_x.y[007]")?.key, "7");
        assert.equal(parseAddress('aws_x.y[ "a" ]')?.key, '"a"');
        assert.deepEqual(parseAddress("aws_x.y")?.attribute, []);
        for (const bad of ['aws_x.y["a\\', "aws_x.y[0", "aws_x.y]0[", 'module.m["k"', "aws_x.[0]", "module"]) {
            assert.equal(parseAddress(bad), undefined, bad);
        }
    });

    it("splits and canonicalises exactly as the original character-by-character parser (seeded fuzz)", () => {
        let seed = 12345;
        const next = (n: number) => {
            seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
            return (seed >>> 8) % n;
        };
        const pick = (items: readonly string[]) => items[next(items.length)];
        const names = ["module", "data", "aws_x", "aws_api_gateway_method", "y", "api", "var", "id", "1x_y", ""];
        const keys = ["0", "07", " 3 ", '"a"', '"a.b[0]"', '"x]y"', '"q\\"q"', '"\\u0041"', '"é"', '"\\n"', "count.index", '"a', "", "[0]"];
        const noise = [".", "[", "]", "\"", "\\", " "];
        for (let i = 0; i < 5000; i++) {
            const steps: string[] = [];
            for (let j = 1 + next(6); j > 0; j--) {
                steps.push(pick(names) + (next(2) === 0 ? `[${pick(keys)}]` : ""));
            }
            let text = steps.join(".");
            if (next(4) === 0) {
                const at = next(text.length + 1);
                text = text.slice(0, at) + pick(noise) + text.slice(at);
            }
            assert.deepEqual(parseAddress(text), referenceParse(text), text);
        }
    });
});

/** The parser before it was rewritten for speed, kept as the oracle for the fuzz test. */
function referenceParse(text: string): unknown {
    const splitSteps = (input: string): string[] | undefined => {
        const steps: string[] = [];
        let current = "";
        let depth = 0;
        let quoted = false;
        for (let i = 0; i < input.length; i++) {
            const ch = input[i];
            if (quoted) {
                current += ch;
                if (ch === "\\" && i + 1 < input.length) {
                    current += input[++i];
                } else if (ch === "\"") {
                    quoted = false;
                }
                continue;
            }
            if (ch === "\"") {
                quoted = true;
            } else if (ch === "[") {
                depth++;
            } else if (ch === "]") {
                depth--;
                if (depth < 0) {
                    return undefined;
                }
            } else if (ch === "." && depth === 0) {
                steps.push(current);
                current = "";
                continue;
            }
            current += ch;
        }
        if (quoted || depth !== 0) {
            return undefined;
        }
        steps.push(current);
        return steps;
    };
    const splitKey = (step: string): { name: string; key?: string } | undefined => {
        const open = step.indexOf("[");
        if (open < 0) {
            return step === "" ? undefined : { name: step };
        }
        if (!step.endsWith("]") || open === 0) {
            return undefined;
        }
        const name = step.slice(0, open);
        const raw = step.slice(open + 1, -1).trim();
        if (/^\d+$/.test(raw)) {
            return { name, key: String(Number(raw)) };
        }
        if (raw.startsWith("\"")) {
            try {
                const parsed: unknown = JSON.parse(raw);
                return typeof parsed === "string" ? { name, key: JSON.stringify(parsed) } : undefined;
            } catch {
                return undefined;
            }
        }
        return { name };
    };
    const steps = splitSteps(text.trim());
    if (!steps) {
        return undefined;
    }
    const modules: { name: string; key?: string }[] = [];
    let i = 0;
    while (i < steps.length && steps[i] === "module") {
        const step = steps[i + 1] !== undefined ? splitKey(steps[i + 1]) : undefined;
        if (!step) {
            return undefined;
        }
        modules.push(step.key === undefined ? { name: step.name } : { name: step.name, key: step.key });
        i += 2;
    }
    let mode: "managed" | "data" = "managed";
    if (steps[i] === "data") {
        mode = "data";
        i++;
    }
    const type = steps[i];
    const resource = steps[i + 1] !== undefined ? splitKey(steps[i + 1]) : undefined;
    const roots = new Set(["var", "local", "each", "count", "path", "self", "terraform", "module"]);
    if (type === undefined || resource === undefined || roots.has(type) || !/^[A-Za-z][A-Za-z0-9-]*_[A-Za-z0-9_-]+$/.test(type)) {
        return undefined;
    }
    return { modules, mode, type, name: resource.name, ...(resource.key !== undefined ? { key: resource.key } : {}), attribute: steps.slice(i + 2) };
}
