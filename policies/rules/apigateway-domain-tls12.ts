import { DomainNameEntity, isUnknown } from "../model";
import { example } from "../model/examples";
import { defineRule, Outcome } from "./types";
import { describeUnknown } from "./util";

export interface DomainTls12Config {
    /** Lowest TLS version a custom domain's security policy may accept. */
    minimumTlsVersion: "1.2" | "1.3";
    /** Fail (instead of reporting "cannot tell") when a domain leaves securityPolicy unset. */
    requireExplicitPolicy: boolean;
}

export default defineRule<DomainTls12Config>({
    id: "apigateway-domain-tls12",
    title: "API Gateway custom domains refuse TLS older than 1.2",
    description: "Every API Gateway custom domain name (REST, and HTTP/WebSocket v2 domains) uses a security policy whose minimum TLS version is 1.2 or later: the legacy TLS_1_2 policy or an enhanced SecurityPolicy_TLS12_* / SecurityPolicy_TLS13_1_2_* / SecurityPolicy_TLS13_1_3_* policy. TLS_1_0 also accepts TLS 1.0 and 1.1, which clients can be downgraded to.",
    severity: "high",
    enforcementLevel: "mandatory",
    scope: "resource",
    appliesTo: ["domain-name"],
    controls: { awsSecurityHub: [], nist80053: ["SC-8", "SC-13"], pciDssV4: ["4.2.1"] },
    remediation: "Set securityPolicy: \"TLS_1_2\" on the domain name (Terraform: security_policy = \"TLS_1_2\"; for an HTTP/WebSocket domain, aws.apigatewayv2.DomainName domainNameConfiguration.securityPolicy / aws_apigatewayv2_domain_name domain_name_configuration { security_policy }), or an enhanced policy such as SecurityPolicy_TLS13_1_2_2021_06. Set it explicitly even where it is the default: Terraform only detects drift on the attribute when it is configured.",
    configSchema: {
        type: "object",
        properties: {
            minimumTlsVersion: {
                type: "string", enum: ["1.2", "1.3"], default: "1.2",
                description: "Lowest TLS version the domain's security policy may accept. \"1.3\" requires a SecurityPolicy_TLS13_1_3_* policy (REST API domains only).",
            },
            requireExplicitPolicy: {
                type: "boolean", default: false,
                description: "Fail when securityPolicy is not set. Off by default: API Gateway picks the policy when the domain is created, and which one it picked is not visible until state or a live audit shows it.",
            },
        },
    },
    examples: {
        compliant: {
            description: "The custom domain accepts TLS 1.2 and later only.",
            entities: [example.domainName("api", { securityPolicy: "TLS_1_2" })],
        },
        nonCompliant: {
            description: "The custom domain also accepts TLS 1.0 and 1.1.",
            entities: [example.domainName("api", { securityPolicy: "TLS_1_0" })],
        },
    },
    evaluate(inventory, config) {
        return inventory.ofKind("domain-name").map(domain => judge(domain, config));
    },
});

/**
 * The lowest TLS version (as tenths: 10, 11, 12, 13) a security policy accepts, read from its
 * name; undefined when the name does not say. Enhanced policy names put the maximum first and the
 * minimum second (`SecurityPolicy_TLS13_1_2_...`: TLS 1.3 preferred, 1.2 minimum).
 */
export function minimumTlsOf(policy: string): number | undefined {
    const name = policy.toUpperCase();
    const legacy = /^TLS_1_([0-3])$/.exec(name);
    if (legacy) {
        return 10 + Number(legacy[1]);
    }
    const maxThenMin = /TLS1[23]_1_([0-3])(?:_|$)/.exec(name);
    if (maxThenMin) {
        return 10 + Number(maxThenMin[1]);
    }
    // `SecurityPolicy_TLS12_2018_EDGE`, `SecurityPolicy_TLS12_PFS_2025_EDGE`: a single version is the minimum.
    const single = /TLS_?1_?([0-3])(?:_|$)/.exec(name);
    if (single) {
        return 10 + Number(single[1]);
    }
    return undefined;
}

function judge(domain: DomainNameEntity, config: DomainTls12Config): Outcome {
    const { ref, securityPolicy } = domain;
    const label = `custom domain '${typeof domain.domainName === "string" ? domain.domainName : domain.name}'`;
    const required = config.minimumTlsVersion === "1.3" ? 13 : 12;
    const requiredText = `TLS ${config.minimumTlsVersion}`;
    if (isUnknown(securityPolicy)) {
        return { ref, status: "unknown", message: `cannot tell yet which TLS versions ${label} accepts: ${describeUnknown(securityPolicy)}` };
    }
    if (securityPolicy === undefined) {
        // Older AWS docs and CloudFormation gave new domains TLS_1_0; current docs give TLS_1_2. A domain
        // created without a policy may hold either, and its IaC inputs do not say which.
        const why = `securityPolicy is not set, so API Gateway chose the policy when the domain was created (TLS_1_2 for domains created now, TLS_1_0 for many created earlier)`;
        return config.requireExplicitPolicy
            ? { ref, status: "fail", field: "securityPolicy", message: `${label} does not set a security policy: ${why}. Set securityPolicy: "TLS_1_2" (Terraform: security_policy = "TLS_1_2")` }
            : { ref, status: "unknown", message: `cannot tell yet whether ${label} refuses TLS older than ${config.minimumTlsVersion}: ${why}. Set securityPolicy: "TLS_1_2" explicitly to be sure` };
    }
    const minimum = minimumTlsOf(securityPolicy);
    if (minimum === undefined) {
        return { ref, status: "unknown", message: `cannot tell which TLS versions ${label} accepts: security policy '${securityPolicy}' is not one this rule recognises. Use TLS_1_2 or a SecurityPolicy_TLS13_1_2_* policy` };
    }
    if (minimum >= required) {
        return { ref, status: "pass", message: `${label} uses security policy '${securityPolicy}', which refuses TLS older than ${requiredText}` };
    }
    return {
        ref,
        status: "fail",
        field: "securityPolicy",
        message: `${label} uses security policy '${securityPolicy}', which accepts TLS ${Math.floor(minimum / 10)}.${minimum % 10}. Set securityPolicy to ${required === 13 ? "a SecurityPolicy_TLS13_1_3_* policy" : "\"TLS_1_2\" (or a SecurityPolicy_TLS13_1_2_* policy)"} so clients need ${requiredText} or later`,
    };
}
