/** The parts of a synthesized CloudFormation template the local runtime reads. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonMap = { [key: string]: Json };

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: JsonMap;
  readonly Metadata?: JsonMap;
}

export interface TemplateParameter {
  readonly Type: string;
  readonly Default?: Json;
}

export interface TemplateOutput {
  readonly Value: Json;
  readonly Export?: { readonly Name: Json };
}

export interface Template {
  readonly Resources?: Readonly<Record<string, TemplateResource>>;
  readonly Parameters?: Readonly<Record<string, TemplateParameter>>;
  readonly Outputs?: Readonly<Record<string, TemplateOutput>>;
}

/** One synthesized stack: its template plus the construct path of each logical id. */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly template: Template;
  /** logical id → construct path (from the assembly's `aws:cdk:logicalId` metadata). */
  readonly paths: Readonly<Record<string, string>>;
}

export const isJsonMap = (value: unknown): value is JsonMap =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A resource reference within the assembly: stack plus logical id. */
export interface ResourceRef {
  readonly stack: SynthesizedStack;
  readonly logicalId: string;
  readonly resource: TemplateResource;
}

export const resourcesOfType = (stacks: readonly SynthesizedStack[], type: string): ResourceRef[] =>
  stacks.flatMap((stack) =>
    Object.entries(stack.template.Resources ?? {})
      .filter(([, resource]) => resource.Type === type)
      .map(([logicalId, resource]) => ({ stack, logicalId, resource })),
  );
