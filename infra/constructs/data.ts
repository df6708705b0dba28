/**
 * What the product keeps at rest: the single table (shape from shared/store) and the Secrets
 * Manager secret holding the Microsoft Graph app credentials (§9: credentials only there).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../shared/store/keys.js';

export interface DataProps {
  /** RETAIN (default) keeps runs, memberships and backups when the stack is deleted or replaced. */
  removalPolicy?: RemovalPolicy;
  /** a customer managed key; without it DynamoDB's AWS-managed key encrypts the table */
  encryptionKey?: IKey;
}

export class Data extends Construct {
  readonly table: Table;
  readonly graphSecret: Secret;
  /** the key that signs pagination cursors: generated at deploy, never in a template or a function's configuration */
  readonly cursorSecret: Secret;

  constructor(scope: Construct, id: string, props: DataProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Events are derived from committed writes (§6); the publisher needs both images to tell transitions.
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      encryption: props.encryptionKey ? TableEncryption.CUSTOMER_MANAGED : TableEncryption.AWS_MANAGED,
      encryptionKey: props.encryptionKey,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    // Every GSI key is a string and every projection comes from INDEXES, as in shared/store/table.ts's
    // CreateTable for DynamoDB Local.
    for (const [indexName, index] of Object.entries(INDEXES)) {
      const projection: { type: ProjectionType; nonKeyAttributes?: string[] } = index.projection.type === 'ALL'
        ? { type: ProjectionType.ALL }
        : { type: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection.attributes] };
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: projection.type,
        nonKeyAttributes: projection.nonKeyAttributes,
      });
    }

    this.graphSecret = new Secret(this, 'GraphCredentials', {
      description: 'Microsoft Graph app credentials per tenant (client id/secret); fill in after deploy, see docs/DEPLOY.md',
      removalPolicy,
    });
    Validations.of(this.graphSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The value is an Entra ID app client secret; it is rotated in Entra ID (its own expiry) and then written here — a Secrets Manager rotation Lambda cannot create Entra credentials.',
    });

    // Secrets Manager generates the value at deploy (generateSecretString → GetRandomPassword): it is in
    // no template, no stack output and no function configuration; functions get only its ARN
    // (CURSOR_SECRET_ARN) and read it once per cold start (shared/store/cursor-key.ts).
    this.cursorSecret = new Secret(this, 'CursorSigningKey', {
      description: 'The HMAC key that signs pagination cursors (generated; read by the functions that page through lists)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Cursors live for seconds to minutes and are re-issued on every page; replacing the key only invalidates cursors in flight. Rotation is a redeploy that replaces the secret (docs/DEPLOY.md), not a rotation Lambda.',
    });
  }
}
