import { isUnknown, StageEntity } from "../model";
import { example } from "../model/examples";
import { stageLabel } from "./apigateway-stage-access-logging";
import { defineRule, Outcome } from "./types";
import { describeUnknown } from "./util";

// No settings.
export type StageXrayTracingConfig = Record<string, never>;

export default defineRule<StageXrayTracingConfig>({
    id: "apigateway-stage-xray-tracing",
    title: "REST API stages trace requests with AWS X-Ray",
    description: "Every REST API stage turns on X-Ray tracing (xrayTracingEnabled), so a request can be followed from the gateway through its backend when investigating errors, latency or abuse. HTTP and WebSocket APIs (API Gateway v2) do not support X-Ray.",
    severity: "low",
    enforcementLevel: "advisory",
    scope: "resource",
    appliesTo: ["stage"],
    controls: { awsSecurityHub: ["APIGateway.3"], nist80053: ["SI-4"], pciDssV4: [] },
    remediation: "Set xrayTracingEnabled: true on the stage (Terraform: xray_tracing_enabled = true).",
    configSchema: { type: "object", properties: {} },
    examples: {
        compliant: { description: "The prod stage traces requests with X-Ray.", entities: [example.stage("prod", { xrayTracingEnabled: true })] },
        nonCompliant: { description: "The prod stage does not trace requests.", entities: [example.stage("prod", { xrayTracingEnabled: false })] },
    },
    evaluate(inventory) {
        return inventory.ofKind("stage").map(judge);
    },
});

function judge(stage: StageEntity): Outcome {
    const { ref, xrayTracingEnabled } = stage;
    const label = stageLabel(stage);
    if (stage.apiVersion === "v2") {
        return { ref, status: "not-applicable", message: `${label}: HTTP and WebSocket APIs (API Gateway v2) do not support X-Ray tracing` };
    }
    if (isUnknown(xrayTracingEnabled)) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} traces requests with X-Ray: ${describeUnknown(xrayTracingEnabled)}` };
    }
    if (xrayTracingEnabled === true) {
        return { ref, status: "pass", message: `${label} traces requests with X-Ray` };
    }
    return {
        ref,
        status: "fail",
        field: "xrayTracingEnabled",
        message: `${label} does not trace requests with X-Ray (xrayTracingEnabled is ${xrayTracingEnabled === undefined ? "not set, which means false" : "false"}): set xrayTracingEnabled: true.`,
    };
}
