import assert from "node:assert/strict";
import { evaluate, isTfError, parseExpression, Resolver } from "../../../../sources/terraform/hcl/expressions";
import { FileRead, FUNCTIONS } from "../../../../sources/terraform/hcl/functions";
import { isTfUnknown, TF_UNKNOWN } from "../../../../sources/terraform/types";

/**
 * One test per function, each from the examples on its Terraform documentation page
 * (https://developer.hashicorp.com/terraform/language/functions/<name>), written as Terraform
 * expressions and evaluated by the HCL reader's evaluator.
 */

const FILES: Readonly<Record<string, string>> = {
    "hello.txt": "Hello World",
    "backends.tftpl": "backend ${addr}:${port}",
};

const unsupported: string[] = [];

const resolver: Resolver = {
    // `var.unknown` stands for anything not known before apply.
    traversal: node => (node.root === "var" ? TF_UNKNOWN : TF_UNKNOWN),
    unsupported: name => unsupported.push(name),
    functions: {
        readFile: (file): FileRead => (Object.prototype.hasOwnProperty.call(FILES, file) ? { kind: "text", text: FILES[file] } : file.startsWith("/") ? { kind: "refused", reason: "outside" } : { kind: "missing" }),
        renderTemplate: (text, vars) => evaluate(parseExpression(`"${text}"`), { traversal: node => vars[node.root] }),
    },
};

function tf(expression: string): unknown {
    return evaluate(parseExpression(expression), resolver);
}

function check(expression: string, expected: unknown): void {
    assert.deepEqual(tf(expression), expected, expression);
}

function fails(expression: string): void {
    assert.ok(isTfError(tf(expression)), `${expression} fails as in Terraform`);
}

const cases: Readonly<Record<string, () => void>> = {
    length: () => {
        check("length([])", 0);
        check(`length(["a", "b"])`, 2);
        check(`length({"a" = "b"})`, 1);
        check(`length("hello")`, 5);
        check(`length("👾🕹️")`, 2);
        check("length([var.x, var.y])", 2);
    },
    concat: () => check(`concat(["a", ""], ["b", "c"])`, ["a", "", "b", "c"]),
    merge: () => {
        check(`merge({a="b", c="d"}, {e="f", c="z"})`, { a: "b", c: "z", e: "f" });
        check(`merge({a="b"}, {a=[1,2], c="z"}, {d=3})`, { a: [1, 2], c: "z", d: 3 });
    },
    lookup: () => {
        check(`lookup({a="ay", b="bee"}, "a", "what?")`, "ay");
        check(`lookup({a="ay", b="bee"}, "c", "what?")`, "what?");
        fails(`lookup({a="ay"}, "c")`);
    },
    keys: () => check(`keys({a=1, c=2, d=3})`, ["a", "c", "d"]),
    values: () => check(`values({a=3, c=2, d=1})`, [3, 2, 1]),
    element: () => {
        check(`element(["a", "b", "c"], 1)`, "b");
        check(`element(["a", "b", "c"], 3)`, "a");
        check(`element(["a", "b", "c"], length(["a", "b", "c"])-1)`, "c");
    },
    contains: () => {
        check(`contains(["a", "b", "c"], "a")`, true);
        check(`contains(["a", "b", "c"], "d")`, false);
    },
    flatten: () => {
        check(`flatten([["a", "b"], [], ["c"]])`, ["a", "b", "c"]);
        check(`flatten([[["a", "b"], []], ["c"]])`, ["a", "b", "c"]);
    },
    distinct: () => check(`distinct(["a", "b", "a", "c", "d", "b"])`, ["a", "b", "c", "d"]),
    compact: () => check(`compact(["a", "", "b", null, "c"])`, ["a", "b", "c"]),
    coalesce: () => {
        check(`coalesce("a", "b")`, "a");
        check(`coalesce("", "b")`, "b");
        check("coalesce(1,2)", 1);
        check(`coalesce(["", "b"]...)`, "b");
    },
    coalescelist: () => {
        check(`coalescelist(["a", "b"], ["c", "d"])`, ["a", "b"]);
        check(`coalescelist([], ["c", "d"])`, ["c", "d"]);
    },
    slice: () => check(`slice(["a", "b", "c", "d"], 1, 3)`, ["b", "c"]),
    one: () => {
        check("one([])", null);
        check(`one(["hello"])`, "hello");
        fails(`one(["hello", "goodbye"])`);
    },
    zipmap: () => check(`zipmap(["a", "b"], [1, 2])`, { a: 1, b: 2 }),
    max: () => {
        check("max(12, 54, 3)", 54);
        check("max([12, 54, 3]...)", 54);
    },
    min: () => check("min(12, 54, 3)", 3),
    lower: () => {
        check(`lower("HELLO")`, "hello");
        check(`lower("АЛЛО!")`, "алло!");
    },
    upper: () => {
        check(`upper("hello")`, "HELLO");
        check(`upper("алло!")`, "АЛЛО!");
    },
    trimspace: () => check(`trimspace("  hello\\n\\n")`, "hello"),
    trimprefix: () => {
        check(`trimprefix("helloworld", "hello")`, "world");
        check(`trimprefix("helloworld", "cat")`, "helloworld");
    },
    trimsuffix: () => check(`trimsuffix("helloworld", "world")`, "hello"),
    startswith: () => {
        check(`startswith("hello world", "hello")`, true);
        check(`startswith("hello world", "world")`, false);
    },
    endswith: () => {
        check(`endswith("hello world", "world")`, true);
        check(`endswith("hello world", "hello")`, false);
    },
    replace: () => {
        check(`replace("1 + 2 + 3", "+", "-")`, "1 - 2 - 3");
        check(`replace("hello world", "/w.*d/", "everybody")`, "hello everybody");
    },
    split: () => {
        check(`split(",", "foo")`, ["foo"]);
        check(`split(",", "foo,bar,baz")`, ["foo", "bar", "baz"]);
        check(`split(",", "")`, [""]);
    },
    join: () => {
        check(`join("-", ["foo", "bar", "baz"])`, "foo-bar-baz");
        check(`join(", ", ["foo", "bar", "baz"])`, "foo, bar, baz");
        check(`join(", ", ["foo"])`, "foo");
    },
    format: () => {
        check(`format("Hello, %s!", "Ander")`, "Hello, Ander!");
        check(`format("There are %d lights", 4)`, "There are 4 lights");
        check(`format("%#v", "hello")`, `"hello"`);
        check(`format("%#v", {a = 1})`, `{"a":1}`);
        check(`format("%.2f", 3.14159)`, "3.14");
        // A verb this reader does not know leaves the value unknown rather than guessed.
        assert.ok(isTfUnknown(tf(`format("%x", 255)`)));
    },
    tostring: () => {
        check(`tostring("hello")`, "hello");
        check("tostring(1)", "1");
        check("tostring(true)", "true");
        check("tostring(null)", null);
        fails("tostring([])");
    },
    tonumber: () => {
        check("tonumber(1)", 1);
        check(`tonumber("1")`, 1);
        check("tonumber(null)", null);
        fails(`tonumber("no")`);
    },
    tobool: () => {
        check("tobool(true)", true);
        check(`tobool("true")`, true);
        check("tobool(null)", null);
        fails(`tobool("no")`);
    },
    tolist: () => check(`tolist(["a", "b", "c"])`, ["a", "b", "c"]),
    toset: () => {
        check(`toset(["a", "b", "c"])`, ["a", "b", "c"]);
        check(`toset(["c", "b", "b"])`, ["b", "c"]);
    },
    tomap: () => check(`tomap({"a" = 1, "b" = 2})`, { a: 1, b: 2 }),
    jsonencode: () => check(`jsonencode({"hello"="world"})`, `{"hello":"world"}`),
    jsondecode: () => {
        check(`jsondecode("{\\"hello\\": \\"world\\"}")`, { hello: "world" });
        check(`jsondecode("true")`, true);
    },
    yamlencode: () => {
        check(`yamlencode({"a":"b", "c":"d"})`, `"a": "b"\n"c": "d"\n`);
        check(`yamlencode({"foo":[1, 2, 3], "bar": "baz"})`, `"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n`);
    },
    yamldecode: () => {
        check(`yamldecode("hello: world")`, { hello: "world" });
        check(`yamldecode("true")`, true);
        check(`yamldecode("{a: &foo [1, 2, 3], b: *foo}")`, { a: [1, 2, 3], b: [1, 2, 3] });
    },
    parseint: () => {
        check(`parseint("100", 10)`, 100);
        check(`parseint("FF", 16)`, 255);
        check(`parseint("-10", 16)`, -16);
        check(`parseint("1011111011101111", 2)`, 48879);
        check(`parseint("aA", 62)`, 656);
        fails(`parseint("12", 2)`);
    },
    basename: () => check(`basename("foo/bar/baz.txt")`, "baz.txt"),
    dirname: () => check(`dirname("foo/bar/baz.txt")`, "foo/bar"),
    setproduct: () => {
        check(`setproduct(["development", "staging", "production"], ["app1", "app2"])`, [
            ["development", "app1"], ["development", "app2"], ["staging", "app1"], ["staging", "app2"], ["production", "app1"], ["production", "app2"],
        ]);
        check(`setproduct(["a"], [])`, []);
    },
    range: () => {
        check("range(3)", [0, 1, 2]);
        check("range(1, 4)", [1, 2, 3]);
        check("range(1, 8, 2)", [1, 3, 5, 7]);
        check("range(1, 4, 0.5)", [1, 1.5, 2, 2.5, 3, 3.5]);
        check("range(4, 1)", [4, 3, 2]);
        check("range(10, 5, -2)", [10, 8, 6]);
    },
    alltrue: () => {
        check(`alltrue(["true", true])`, true);
        check("alltrue([true, false])", false);
    },
    anytrue: () => {
        check(`anytrue(["true"])`, true);
        check("anytrue([true, false])", true);
        check("anytrue([])", false);
    },
    sort: () => check(`sort(["e", "d", "a", "x"])`, ["a", "d", "e", "x"]),
    reverse: () => check("reverse([1, 2, 3])", [3, 2, 1]),
    index: () => check(`index(["a", "b", "c"], "b")`, 1),
    substr: () => {
        check(`substr("hello world", 1, 4)`, "ello");
        check(`substr("🤔🤷", 0, 1)`, "🤔");
        check(`substr("hello world", -5, -1)`, "world");
        check(`substr("hello world", 6, 10)`, "world");
    },
    title: () => check(`title("hello world")`, "Hello World"),
    urlencode: () => {
        check(`urlencode("Hello World!")`, "Hello+World%21");
        check(`urlencode("☃")`, "%E2%98%83");
        check(`"http://example.com/search?q=\${urlencode("terraform urlencode")}"`, "http://example.com/search?q=terraform+urlencode");
    },
    abs: () => {
        check("abs(23)", 23);
        check("abs(0)", 0);
        check("abs(-12.4)", 12.4);
    },
    ceil: () => {
        check("ceil(5)", 5);
        check("ceil(5.1)", 6);
    },
    floor: () => {
        check("floor(5)", 5);
        check("floor(4.9)", 4);
    },
    sha1: () => check(`sha1("hello world")`, "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
    sha256: () => check(`sha256("hello world")`, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
    md5: () => check(`md5("hello world")`, "5eb63bbbe01eeed093cb22bb8f5acdc3"),
    base64encode: () => check(`base64encode("Hello World")`, "SGVsbG8gV29ybGQ="),
    base64decode: () => check(`base64decode("SGVsbG8gV29ybGQ=")`, "Hello World"),
    nonsensitive: () => check(`nonsensitive("x")`, "x"),
    file: () => {
        check(`file("hello.txt")`, "Hello World");
        fails(`file("missing.txt")`);
        // Outside the configuration: not read, unknown (and not an error try() would swallow).
        const refused = tf(`file("/etc/passwd")`);
        assert.ok(isTfUnknown(refused) && !isTfError(refused));
    },
    fileexists: () => {
        check(`fileexists("hello.txt")`, true);
        check(`fileexists("missing.txt")`, false);
    },
    templatefile: () => check(`templatefile("backends.tftpl", { port = 8080, addr = "10.0.0.1" })`, "backend 10.0.0.1:8080"),
};

describe("sources/terraform/hcl/functions (Terraform's documented examples)", () => {
    for (const name of Object.keys(FUNCTIONS)) {
        it(name, () => {
            const test = cases[name];
            assert.ok(test, `a test for ${name}()`);
            test();
        });
    }

    it("try: the first argument that does not fail; an unknown one is unknown", () => {
        check(`try({a = 1}.b, "fallback")`, "fallback");
        check(`try(lookup({}, "k"), tonumber("x"), 3)`, 3);
        check(`try({a = 1}.a, "fallback")`, 1);
        assert.ok(isTfUnknown(tf(`try(var.x.attr, "fallback")`)) && !isTfError(tf(`try(var.x.attr, "fallback")`)));
        fails(`try(tonumber("x"))`);
    });

    it("can: true when the argument evaluates, false when it fails", () => {
        check(`can(regex("^ami-", "ami-123"))`, TF_UNKNOWN);
        check("can({a = 1}.a)", true);
        check(`can({a = 1}.b)`, false);
        check(`can(tonumber("x"))`, false);
    });

    it("a function not implemented is unknown and names itself; only its own value is unknown", () => {
        unsupported.length = 0;
        check(`[upper("a"), regex("b", "abc")]`, ["A", TF_UNKNOWN]);
        assert.deepEqual(unsupported, ["regex"]);
    });

    it("functions known only at apply (timestamp, uuid) are unknown without a notice: not a gap of this reader", () => {
        unsupported.length = 0;
        assert.ok(isTfUnknown(tf("timestamp()")));
        assert.ok(isTfUnknown(tf("uuid()")));
        assert.deepEqual(unsupported, []);
    });

    it("an error is unknown to everything but try() and can()", () => {
        const error = tf(`{a = 1}.b`);
        assert.ok(isTfUnknown(error));
        check(`"x-\${try({a = 1}.b, "d")}"`, "x-d");
    });
});
