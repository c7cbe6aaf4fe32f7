// The cheapest pack @pulumi/policy allows: what every pack pays before its own code loads.
// Nothing here may write to stdout (the engine reads the gRPC port from its first line).
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("bench-minimal", {
    policies: [{
        name: "bench-trivial",
        description: "Never reports anything.",
        enforcementLevel: "advisory",
        validateResource: () => undefined,
    }],
});
