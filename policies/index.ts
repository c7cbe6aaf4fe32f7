/**
 * The apigw-guard CrossGuard policy pack. The Pulumi engine starts it with
 * `run-policy-pack`; nothing here may write to stdout (the first stdout line is the gRPC port).
 * Types are matched by token string, so `@pulumi/aws` is never loaded.
 */
import { PolicyPack } from "@pulumi/policy";
import { policiesFor } from "./pack/policies";
import { installSecretTap } from "./pack/secret-tap";
import { RULES } from "./rules";

installSecretTap();

new PolicyPack("apigw-guard", {
    policies: policiesFor(RULES),
});
