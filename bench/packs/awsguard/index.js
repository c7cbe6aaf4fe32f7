// @pulumi/awsguard as its README sets it up, with the scope chosen by BENCH_AWSGUARD_SCOPE:
//   "apigateway" (default) — only its three API Gateway policies (the same resources ours judge);
//   "all"                  — every AWSGuard policy, as `new AwsGuard({ all: "advisory" })`.
// Loading is the same either way: the package imports every area (and @pulumi/aws 4) at require time.
const { AwsGuard } = require("@pulumi/awsguard");

if (process.env.BENCH_AWSGUARD_SCOPE === "all") {
    new AwsGuard({ all: "advisory" });
} else {
    new AwsGuard({
        all: "disabled",
        apiGatewayStageCached: "advisory",
        apiGatewayMethodCachedAndEncrypted: "advisory",
        apiGatewayEndpointType: "advisory",
    });
}
