import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { createOrderflowApp } from '../../lib/app';
import { isJsonMap, resourcesOfType, type SynthesizedStack, type Template } from '../cfn/template';

export interface SynthOptions {
  /** CDK context on top of cdk.json's (e.g. `{ ordersMaxReceiveCount: 2 }`). @default none */
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * Bundle every function as `cdk synth` does and write the assembly, bundles included, into this
   * directory, which the caller owns and removes. @default bundling skipped; the assembly goes to a
   * temporary directory removed before this returns
   */
  readonly bundleInto?: string;
}

/** What the local runtime keeps from one synthesis: templates, construct paths and the file assets it reads. */
export interface SynthesizedApp {
  readonly stacks: readonly SynthesizedStack[];
  /** Text of file assets by S3 object key (state machine definitions given as `DefinitionS3Location`). */
  readonly assets: ReadonlyMap<string, string>;
  /** The kept assembly (SynthOptions.bundleInto): the templates' asset paths are relative to it. */
  readonly assemblyDirectory?: string;
}

interface AssetManifest {
  readonly files?: Record<
    string,
    {
      readonly source: { readonly path?: string; readonly packaging?: string };
      readonly destinations: Record<string, { readonly objectKey: string }>;
    }
  >;
}

const definitionAssetKeys = (stacks: readonly SynthesizedStack[]): Set<string> =>
  new Set(
    resourcesOfType(stacks, 'AWS::StepFunctions::StateMachine').flatMap(({ resource }) => {
      const location = resource.Properties?.DefinitionS3Location;
      return isJsonMap(location) && typeof location.Key === 'string' ? [location.Key] : [];
    }),
  );

const readAssets = (directory: string, wanted: Set<string>): Map<string, string> => {
  const assets = new Map<string, string>();
  if (wanted.size === 0) return assets;
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.assets.json'))) {
    const manifest = JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as AssetManifest;
    for (const asset of Object.values(manifest.files ?? {})) {
      const source = asset.source.path;
      if (source === undefined || asset.source.packaging === 'zip') continue;
      for (const { objectKey } of Object.values(asset.destinations)) {
        if (wanted.has(objectKey)) assets.set(objectKey, readFileSync(path.join(directory, source), 'utf8'));
      }
    }
  }
  return assets;
};

/**
 * Synthesizes the CDK app in-process, exactly as `cdk synth` builds it. By default bundling is
 * skipped (the local runtime then runs the TypeScript entries) and the assembly goes to a temporary
 * directory that is removed once the templates and the few assets the runtime needs are read. With
 * `bundleInto`, every function is bundled as a deploy bundles it (lib/bundling/bundle), and
 * asset metadata (`aws:asset:path`, which the CLI turns on and an in-process App must ask for)
 * tells each function's template resource where its bundle is.
 */
export const synthesizeApp = (options: SynthOptions = {}): SynthesizedApp => {
  const { bundleInto } = options;
  const outdir = bundleInto ?? mkdtempSync(path.join(tmpdir(), 'orderflow-synth-'));
  try {
    const { app } = createOrderflowApp({
      outdir,
      context: {
        ...options.context,
        ...(bundleInto === undefined
          ? { [cxapi.BUNDLING_STACKS]: [] }
          : { [cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true }),
      },
      // The CDK's CloudFormation validation costs seconds per synth; `cdk synth` and the infra tests
      // (cfn-lint) check the templates, the runtime only reads them.
      builtinCloudFormationValidation: false,
    });
    const assembly = app.synth();
    const stacks = assembly.stacks.map((artifact): SynthesizedStack => {
      const paths: Record<string, string> = {};
      for (const entry of artifact.findMetadataByType('aws:cdk:logicalId')) {
        if (typeof entry.data === 'string') paths[entry.data] = entry.path;
      }
      return { stackName: artifact.stackName, template: artifact.template as Template, paths };
    });
    const assets = readAssets(assembly.directory, definitionAssetKeys(stacks));
    return bundleInto === undefined
      ? { stacks, assets }
      : { stacks, assets, assemblyDirectory: assembly.directory };
  } finally {
    if (bundleInto === undefined) rmSync(outdir, { recursive: true, force: true });
  }
};
