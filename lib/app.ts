import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type AppProps, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadStageConfig, type StageConfig } from './config';
import { stackNames } from './contract';
import { Guardrails } from './guardrails';
import { PROJECT_ROOT } from './project-root';
import { PipelineStack } from './stacks/pipeline-stack';
import { StatefulStack } from './stacks/stateful-stack';

const cdkJsonContext = (): Record<string, unknown> => {
  const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
};

export interface OrderflowApp {
  readonly app: App;
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  readonly pipeline: PipelineStack;
}

/**
 * Builds the whole CDK app: the stage config from context, both stacks, the guardrails and cdk-nag.
 * bin/app.ts, the infra tests and the local runtime all build the app through this one function.
 */
export const createOrderflowApp = (props: AppProps = {}): OrderflowApp => {
  // cdk.json's context (feature flags, default stage) as defaults, so an in-process synth (tests, the
  // local runtime) builds the same app as `cdk synth`; the CLI's own context still overrides it.
  const app = new App({ ...props, context: { ...cdkJsonContext(), ...props.context } });
  const config = loadStageConfig((key) => app.node.tryGetContext(key));
  const names = stackNames(config.stage);
  const tags = { project: 'orderflow', stage: config.stage };

  const stateful = new StatefulStack(app, names.stateful, {
    config,
    description: `orderflow ${config.stage}: ingest bucket and tables (retained)`,
    tags,
  });
  const pipeline = new PipelineStack(app, names.pipeline, {
    config,
    description: `orderflow ${config.stage}: ingest, queues, processing and the order saga`,
    tags,
  });
  // Deploy order only: the pipeline reads the stateful stack's SSM parameters, not its exports.
  pipeline.addStackDependency(stateful, 'reads the names the stateful stack publishes in SSM');

  Aspects.of(app).add(new Guardrails());
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, config, stateful, pipeline };
};
