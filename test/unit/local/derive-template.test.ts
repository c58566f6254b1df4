import type { SynthesizedStack, Template } from '../../../local/cfn/template';
import { deriveTopology, type SynthesizedApp, TopologyError } from '../../../local/topology';

const scope = {
  region: 'eu-west-1',
  accountId: '111111111111',
  queueUrl: (name: string) => `http://q/${name}`,
};

const stack = (stackName: string, template: Template): SynthesizedStack => ({
  stackName,
  template,
  paths: {},
});

/** Two stacks wired the ways CDK apps may be: an export, a bucket's own notification, an asset definition. */
const app = (assets: Map<string, string>): SynthesizedApp => ({
  assets,
  stacks: [
    stack('shared', {
      Resources: {
        Jobs: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs', VisibilityTimeout: 45 } },
      },
      Outputs: { JobsArn: { Value: { 'Fn::GetAtt': ['Jobs', 'Arn'] }, Export: { Name: 'shared-jobs-arn' } } },
    }),
    stack('app', {
      Resources: {
        Worker: {
          Type: 'AWS::Lambda::Function',
          Metadata: { 'orderflow:entry': 'functions/worker/handler.ts', 'aws:asset:path': 'asset.0123abcd' },
          Properties: {
            Handler: 'index.main',
            Environment: {
              Variables: {
                JOBS_ARN: { 'Fn::ImportValue': 'shared-jobs-arn' },
                // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax, not a JS template
                WHERE: { 'Fn::Sub': '${AWS::Region}/${Uploads}/${Worker.Arn}' },
                JOINED: { 'Fn::Join': ['-', ['a', { Ref: 'AWS::AccountId' }]] },
                // The shape CDK apps use for a name unique per stack creation.
                CREATION: {
                  'Fn::Join': [
                    '-',
                    [
                      { Ref: 'AWS::StackName' },
                      { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] },
                    ],
                  ],
                },
              },
            },
          },
        },
        WorkerAsync: {
          Type: 'AWS::Lambda::EventInvokeConfig',
          Properties: { FunctionName: { Ref: 'Worker' }, Qualifier: '$LATEST', MaximumRetryAttempts: 0 },
        },
        Uploads: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            NotificationConfiguration: {
              LambdaConfigurations: [
                {
                  Event: 's3:ObjectCreated:Put',
                  Filter: { S3Key: { Rules: [{ Name: 'suffix', Value: '.csv' }] } },
                  Function: { 'Fn::GetAtt': ['Worker', 'Arn'] },
                },
              ],
            },
          },
        },
        Flow: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            DefinitionS3Location: { Bucket: 'cdk-assets', Key: 'abc.json' },
            DefinitionSubstitutions: { WorkerArn: { 'Fn::GetAtt': ['Worker', 'Arn'] } },
          },
        },
      },
    }),
  ],
});

describe('deriveTopology on hand-written templates', () => {
  it('resolves exports, Fn::Sub, Fn::Join and pseudo parameters in a function environment', () => {
    // Act
    const topology = deriveTopology(app(new Map([['abc.json', '{"StartAt":"A","States":{}}']])), scope);

    // Assert
    const [worker] = topology.functions;
    expect(worker).toMatchObject({
      name: 'app-Worker',
      handlerExport: 'main',
      timeoutSeconds: 3,
      environment: {
        JOBS_ARN: 'arn:aws:sqs:eu-west-1:111111111111:jobs',
        WHERE: 'eu-west-1/app-uploads/arn:aws:lambda:eu-west-1:111111111111:function:app-Worker',
        JOINED: 'a-111111111111',
        CREATION: 'app-00000000-0000-0000-0000-000000000000',
      },
      asyncInvoke: { maximumRetryAttempts: 0 },
    });
  });

  it('gives a function its bundle from the asset path, when the assembly was kept with its bundles', () => {
    // Arrange
    const assets = new Map([['abc.json', '{}']]);

    // Act
    const bundled = deriveTopology({ ...app(assets), assemblyDirectory: '/tmp/assembly' }, scope);
    const unbundled = deriveTopology(app(assets), scope);

    // Assert
    expect(bundled.functions[0]?.bundle).toBe('/tmp/assembly/asset.0123abcd');
    expect(unbundled.functions[0]?.bundle).toBeUndefined();
  });

  it("reads a bucket's own notification with its suffix filter", () => {
    // Act
    const topology = deriveTopology(app(new Map([['abc.json', '{}']])), scope);

    // Assert
    expect(topology.buckets[0]?.notifications).toEqual([
      expect.objectContaining({
        events: ['s3:ObjectCreated:Put'],
        suffix: '.csv',
        target: { kind: 'function', arn: topology.functions[0]?.arn },
      }),
    ]);
  });

  it('takes a DefinitionS3Location definition from the assembly asset with the same object key', () => {
    // Act
    const topology = deriveTopology(app(new Map([['abc.json', '{"StartAt":"A"}']])), scope);

    // Assert
    expect(topology.stateMachines[0]).toMatchObject({
      definition: '{"StartAt":"A"}',
      definitionSource: 'asset abc.json',
      substitutions: { WorkerArn: topology.functions[0]?.arn },
    });
  });

  it('names what it cannot resolve instead of guessing', () => {
    // Act / Assert
    expect(() => deriveTopology(app(new Map()), scope)).toThrow(TopologyError);
    expect(() => deriveTopology(app(new Map()), scope)).toThrow(/asset abc\.json is not in the assembly/);
  });
});
