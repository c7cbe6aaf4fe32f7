/**
 * API Gateway management ARNs. They carry no account id (`arn:aws:apigateway:<region>::/<path>`):
 * the path is the REST path of the control-plane resource, which is also what IAM policies match
 * (see docs/audit.md).
 */

/** An AWS account id: twelve digits. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** A region name as AWS writes them (`eu-west-1`, `us-gov-west-1`, `ap-southeast-5`). */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The partition of a region: China and GovCloud regions live outside `aws`. */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) {
        return "aws-cn";
    }
    if (region.startsWith("us-gov-")) {
        return "aws-us-gov";
    }
    if (region.startsWith("us-iso-")) {
        return "aws-iso";
    }
    if (region.startsWith("us-isob-")) {
        return "aws-iso-b";
    }
    return "aws";
}

export class ApiGatewayArns {
    private readonly prefix: string;

    constructor(readonly region: string) {
        this.prefix = `arn:${partitionOf(region)}:apigateway:${region}::`;
    }

    of(path: string): string {
        return `${this.prefix}${path}`;
    }

    restApi(apiId: string): string {
        return this.of(`/restapis/${apiId}`);
    }

    resource(apiId: string, resourceId: string): string {
        return this.of(`/restapis/${apiId}/resources/${resourceId}`);
    }

    method(apiId: string, resourceId: string, httpMethod: string): string {
        return this.of(`/restapis/${apiId}/resources/${resourceId}/methods/${httpMethod}`);
    }

    stage(apiId: string, stageName: string): string {
        return this.of(`/restapis/${apiId}/stages/${stageName}`);
    }

    apiKey(keyId: string): string {
        return this.of(`/apikeys/${keyId}`);
    }

    usagePlan(planId: string): string {
        return this.of(`/usageplans/${planId}`);
    }

    usagePlanKey(planId: string, keyId: string): string {
        return this.of(`/usageplans/${planId}/keys/${keyId}`);
    }

    account(): string {
        return this.of("/account");
    }

    domainName(domainName: string): string {
        return this.of(`/domainnames/${domainName}`);
    }

    /** API Gateway v2 (HTTP and WebSocket APIs): its paths have no `/v2` prefix in ARNs. */
    v2Api(apiId: string): string {
        return this.of(`/apis/${apiId}`);
    }

    v2Route(apiId: string, routeId: string): string {
        return this.of(`/apis/${apiId}/routes/${routeId}`);
    }

    v2Stage(apiId: string, stageName: string): string {
        return this.of(`/apis/${apiId}/stages/${stageName}`);
    }
}
