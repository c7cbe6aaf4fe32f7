// The floor under apigw-guard's pack: every policy it declares, with the same shape (a resource
// function, a stack function, or both; the same one-type marks) and the same memoizing secret
// tap, but doing nothing. What @pulumi/policy costs before any rule runs: for AnalyzeStack it
// materialises the whole stack once per policy that has a stack function.
// Nothing here may write to stdout (the engine reads the gRPC port from its first line).
const path = require("path");
const { PolicyPack } = require("@pulumi/policy");

const bin = process.env.BENCH_FLOOR_BIN || path.join(__dirname, "..", "..", "..", "policies", "bin");
require(path.join(bin, "pack", "secret-tap")).installSecretTap();
const { RULES } = require(path.join(bin, "rules"));
const { TYPES_BY_KIND } = require(path.join(bin, "sources", "pulumi", "adapter"));

function nothing(type) {
    const validate = () => undefined;
    if (type) {
        validate.__pulumiType = type;
    }
    return validate;
}

new PolicyPack("bench-floor", {
    policies: RULES.map(rule => {
        const types = [...new Set(rule.appliesTo.flatMap(kind => TYPES_BY_KIND.get(kind) || []))];
        const only = types.length === 1 ? types[0] : undefined;
        const base = { name: rule.id, description: rule.title, enforcementLevel: "advisory" };
        if (rule.scope !== "resource") {
            return { ...base, validateStack: nothing() };
        }
        return { ...base, validateResource: nothing(only), ...(rule.contextual ? { validateStack: nothing(only) } : {}) };
    }),
});
