import { Inventory, isUnknown, Link, StageEntity, WebAclAssociationEntity } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { describeUnknown } from "./util";

export interface StageWafConfig {
    /** REST API endpoint types whose stages need no web ACL (e.g. PRIVATE, reachable only from a VPC). */
    exemptEndpointTypes: string[];
}

export default defineRule<StageWafConfig>({
    id: "apigateway-stage-waf",
    title: "REST API stages are protected by AWS WAF",
    description: "Every REST API (v1) stage is associated with an AWS WAF web ACL, directly (the stage's webAclArn) or through a web ACL association whose resource is the stage. HTTP and WebSocket APIs (v2) cannot be associated with AWS WAF, so their stages are not judged.",
    severity: "medium",
    enforcementLevel: "advisory",
    scope: "stack",
    appliesTo: ["stage"],
    controls: { awsSecurityHub: ["APIGateway.4"], nist80053: ["SC-7", "SI-4"], pciDssV4: ["6.4.2"] },
    remediation: "Associate a regional AWS WAF web ACL with the stage: aws.wafv2.WebAclAssociation / aws_wafv2_web_acl_association with resourceArn = the stage ARN (arn:aws:apigateway:<region>::/restapis/<api-id>/stages/<stage>). Start from the AWS managed rule groups (core rule set, known bad inputs, IP reputation) and a rate-based rule.",
    configSchema: {
        type: "object",
        properties: {
            exemptEndpointTypes: {
                type: "array", items: { type: "string", enum: ["EDGE", "REGIONAL", "PRIVATE"] }, default: [],
                description: "REST API endpoint types whose stages need no web ACL, e.g. [\"PRIVATE\"] when private APIs are reachable only from your VPCs.",
            },
        },
    },
    examples: {
        compliant: {
            description: "A WAFv2 web ACL is associated with the prod stage.",
            entities: [example.restApi("api"), example.stage("prod"), example.webAclAssociation("waf")],
        },
        nonCompliant: {
            description: "The prod stage has no web ACL.",
            entities: [example.restApi("api"), example.stage("prod")],
        },
    },
    evaluate(inventory, config) {
        const index = indexAssociations(inventory);
        const exempt = new Set(config.exemptEndpointTypes.map(type => type.toUpperCase()));
        return inventory.ofKind("stage").map(stage => judge(inventory, stage, index, exempt));
    },
});

interface AssociationIndex {
    /** By `<api id>/<stage name>` parsed from the association's resource ARN. */
    readonly byStageArnKey: ReadonlyMap<string, WebAclAssociationEntity>;
    /** Associations whose target cannot be identified yet: any of them might be a given stage's. */
    readonly unresolved: readonly WebAclAssociationEntity[];
}

function indexAssociations(inventory: Inventory): AssociationIndex {
    const byStageArnKey = new Map<string, WebAclAssociationEntity>();
    const unresolved: WebAclAssociationEntity[] = [];
    for (const association of inventory.ofKind("web-acl-association")) {
        const arnKey = typeof association.resourceArn === "string" ? stageArnKey(association.resourceArn) : undefined;
        if (arnKey !== undefined) {
            byStageArnKey.set(arnKey, association);
        } else if (association.target.kind !== "entity" && isUnknown(association.resourceArn)) {
            unresolved.push(association);
        }
    }
    return { byStageArnKey, unresolved };
}

/** `<api id>/<stage name>` from `arn:aws:apigateway:<region>::/restapis/<api id>/stages/<stage name>`. */
function stageArnKey(arn: string): string | undefined {
    const match = /\/restapis\/([^/]+)\/stages\/([^/]+)$/.exec(arn);
    return match ? `${match[1]}/${match[2]}` : undefined;
}

function judge(inventory: Inventory, stage: StageEntity, index: AssociationIndex, exempt: ReadonlySet<string>): Outcome {
    const { ref } = stage;
    const label = describeStage(inventory, stage);
    if (stage.apiVersion === "v2") {
        return { ref, status: "not-applicable", message: `${label} belongs to an HTTP or WebSocket API, which AWS WAF cannot protect` };
    }
    if (typeof stage.webAclArn === "string" && stage.webAclArn.length > 0) {
        return { ref, status: "pass", message: `${label} is protected by web ACL ${stage.webAclArn}` };
    }
    const linked = inventory.referencing(ref, "web-acl-association", "target")[0] ?? associationByArn(inventory, stage, index);
    if (linked) {
        return { ref, status: "pass", message: `${label} is protected by AWS WAF (web ACL association '${linked.name}')` };
    }
    const endpointTypes = endpointTypesOf(inventory, stage.restApi);
    if (exempt.size > 0 && Array.isArray(endpointTypes) && endpointTypes.some(type => exempt.has(type.toUpperCase()))) {
        return { ref, status: "not-applicable", message: `${label} belongs to a ${endpointTypes.join("/")} API, exempt by exemptEndpointTypes` };
    }
    if (isUnknown(stage.webAclArn)) {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} has a web ACL: ${describeUnknown(stage.webAclArn)}` };
    }
    if (index.unresolved.length > 0) {
        return {
            ref,
            status: "unknown",
            message: `cannot tell yet whether ${label} has a web ACL: web ACL association '${index.unresolved[0].name}' names a resource that cannot be identified yet`,
        };
    }
    if (exempt.size > 0 && endpointTypes === "unknown") {
        return { ref, status: "unknown", message: `cannot tell yet whether ${label} is exempt: the endpoint type of its API is not known yet` };
    }
    return {
        ref,
        status: "fail",
        message: `${label} is not protected by AWS WAF: associate a regional web ACL with it (aws.wafv2.WebAclAssociation / aws_wafv2_web_acl_association, resourceArn = the stage ARN)`,
    };
}

function associationByArn(inventory: Inventory, stage: StageEntity, index: AssociationIndex): WebAclAssociationEntity | undefined {
    if (index.byStageArnKey.size === 0) {
        return undefined;
    }
    if (typeof stage.arn === "string") {
        const fromArn = stageArnKey(stage.arn);
        if (fromArn !== undefined) {
            return index.byStageArnKey.get(fromArn);
        }
    }
    // In a plan the stage ARN is often computed while the API id and stage name are known.
    const apiId = apiIdOf(inventory, stage.restApi);
    return apiId !== undefined && typeof stage.stageName === "string" ? index.byStageArnKey.get(`${apiId}/${stage.stageName}`) : undefined;
}

function apiIdOf(inventory: Inventory, link: Link): string | undefined {
    if (link.kind === "external") {
        return link.id;
    }
    const api = inventory.resolve(link, "rest-api");
    return api && typeof api.id === "string" ? api.id : undefined;
}

function endpointTypesOf(inventory: Inventory, link: Link): readonly string[] | "unknown" | undefined {
    const api = inventory.resolve(link, "rest-api");
    if (!api) {
        return undefined;
    }
    if (isUnknown(api.endpointTypes)) {
        return "unknown";
    }
    // API Gateway creates edge-optimized REST APIs when no endpoint type is given.
    return api.endpointTypes ?? ["EDGE"];
}

function describeStage(inventory: Inventory, stage: StageEntity): string {
    const name = typeof stage.stageName === "string" ? stage.stageName : stage.name;
    const api = inventory.resolve(stage.restApi, "rest-api") ?? inventory.resolve(stage.restApi, "v2-api");
    return api ? `stage '${name}' of API '${api.name}'` : `stage '${name}'`;
}
