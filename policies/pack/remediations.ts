/**
 * In-place fixes offered when a policy's enforcement level is `remediate`. They change only the
 * property the rule is about and return undefined when there is nothing to change.
 */
type Remediation = (props: Readonly<Record<string, unknown>>, config: Record<string, unknown>) => Record<string, unknown> | undefined;

const remediations: Readonly<Record<string, Remediation>> = {
    "apigateway-method-api-key-required": (props, config) => {
        const method = typeof props.httpMethod === "string" ? props.httpMethod.toUpperCase() : undefined;
        const exemptMethods = ((config.exemptMethods as string[] | undefined) ?? []).map(m => m.toUpperCase());
        if (props.apiKeyRequired === true || method === undefined || exemptMethods.includes(method)) {
            return undefined;
        }
        // A method's path is not among its own inputs, so with exempt paths configured a fix could
        // close a deliberately public route: leave it to the violation, which judges the path.
        if (((config.exemptPaths as string[] | undefined) ?? []).length > 0) {
            return undefined;
        }
        return { ...props, apiKeyRequired: true };
    },
    "apigateway-rest-api-key-source-header": (props, config) => {
        if (props.apiKeySource === undefined || props.apiKeySource === "HEADER" ||
            (props.apiKeySource === "AUTHORIZER" && config.allowAuthorizer === true)) {
            return undefined;
        }
        return { ...props, apiKeySource: "HEADER" };
    },
};

export function remediationFor(ruleId: string): Remediation | undefined {
    return remediations[ruleId];
}
