/**
 * The HTTP API (§5): every deployed wiring route → its own Lambda, a JWT authorizer (Entra ID or
 * Cognito) on every route that needs a token, default-stage throttling and access logs.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpNoneAuthorizer, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteDef } from '../../shared/wiring.js';
import { definitionOf, deployedRoutes, functionId } from './deployed-functions.js';
import { type FunctionResources, OperationFunction } from './operation-function.js';

export interface ApiProps {
  resources: FunctionResources;
  /** the token issuer, e.g. https://login.microsoftonline.com/<tenant>/v2.0 or a Cognito user pool URL */
  jwtIssuer: string;
  /** accepted `aud` values (Entra ID: the app's client id or Application ID URI; Cognito: the app client id) */
  jwtAudience: string[];
  /**
   * OAuth scopes a token must carry on every authenticated route (any one of them); empty: none
   * required. API Gateway checks them against the token's `scope`/`scp` claim before the function runs.
   */
  jwtScopes: string[];
  throttle: { rateLimit: number; burstLimit: number };
  logRetention: RetentionDays;
  /** browser origins allowed to call the API (the hosted console); empty: no CORS */
  corsOrigins: string[];
  /** issue 19: the platform admins' user ids (PLATFORM_ADMINS of every API function) */
  platformAdmins: string[];
}

export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  /** by route key, e.g. `POST /tenants/{tenantId}/runs` */
  readonly routeFunctions: Record<string, OperationFunction> = {};

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    // The default stage is built below so it carries throttling and access logs.
    this.httpApi = new HttpApi(this, 'HttpApi', {
      createDefaultStage: false,
      description: 'Operation Runs API (SPEC §5)',
      // The console's live refresh sends If-None-Match and reads ETag and Location: expose them.
      corsPreflight: props.corsOrigins.length
        ? {
            allowOrigins: props.corsOrigins,
            allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE],
            allowHeaders: ['authorization', 'content-type', 'if-none-match', 'x-graph-delegated-token'],
            exposeHeaders: ['etag', 'location'],
            maxAge: Duration.hours(1),
          }
        : undefined,
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            // the token's subject, never the token itself (§9)
            sub: '$context.authorizer.claims.sub',
            sourceIp: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
          }),
        ),
      },
    });

    const jwt = new HttpJwtAuthorizer('Jwt', props.jwtIssuer, { jwtAudience: props.jwtAudience });
    const none = new HttpNoneAuthorizer();

    for (const route of deployedRoutes()) {
      const routeKey = `${route.method} ${route.path}`;
      const handler = new OperationFunction(this, functionId(route.entry), {
        definition: definitionOf(route.entry),
        resources: props.resources,
        purpose: routeKey,
        environment: { PLATFORM_ADMINS: props.platformAdmins.join(',') },
      });
      const [created] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${functionId(route.entry)}Integration`, handler.fn),
        authorizer: route.auth ? jwt : none,
        ...(route.auth && props.jwtScopes.length ? { authorizationScopes: props.jwtScopes } : {}),
      });
      if (!route.auth) acknowledgePublicRoute(created, route);
      this.routeFunctions[routeKey] = handler;
    }
  }
}

function acknowledgePublicRoute(route: Construct, def: RouteDef) {
  Validations.of(route).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason: `${def.method} ${def.path} is public by contract (SPEC §5: role "none"); it reads nothing tenant-scoped.`,
  });
}
