export type JsonObject = { [key: string]: unknown };

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Replaces `${Key}` placeholders the way CloudFormation's `DefinitionSubstitutions` does (plain
 * text). A placeholder without a value is a wiring mistake: fail at registration, not mid-execution.
 */
export const applySubstitutions = (
  definition: string,
  substitutions: Readonly<Record<string, string>>,
): string => {
  const missing = new Set<string>();
  const substituted = definition.replace(/\$\{([^}]+)\}/g, (placeholder, key: string) => {
    const value = substitutions[key];
    if (value === undefined) missing.add(key);
    return value ?? placeholder;
  });
  if (missing.size > 0) {
    throw new Error(`the definition uses substitutions without a value: ${[...missing].join(', ')}`);
  }
  return substituted;
};

export const parseDefinition = (text: string): JsonObject => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`the definition is not valid JSON: ${(error as Error).message}`);
  }
  if (!isJsonObject(parsed) || !isJsonObject(parsed.States)) {
    throw new Error('the definition is not a state machine (no "States" object)');
  }
  return parsed;
};

/** The nested state machines of a Parallel (Branches) or Map (ItemProcessor / Iterator) state. */
const childMachines = (state: JsonObject): JsonObject[] => {
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) return state.Branches.filter(isJsonObject);
  if (state.Type === 'Map') {
    const processor = state.ItemProcessor ?? state.Iterator;
    return isJsonObject(processor) ? [processor] : [];
  }
  return [];
};

/**
 * Visits every state, including those inside Parallel branches and Map processors. The
 * interpreter keys its overrides by state name across nesting levels, so names must be unique.
 */
export const forEachState = (machine: JsonObject, visit: (name: string, state: JsonObject) => void): void => {
  const seen = new Set<string>();
  const walk = (current: JsonObject): void => {
    const states = isJsonObject(current.States) ? current.States : {};
    for (const [name, state] of Object.entries(states)) {
      if (!isJsonObject(state)) continue;
      if (seen.has(name)) throw new Error(`state name "${name}" is used more than once`);
      seen.add(name);
      visit(name, state);
      for (const child of childMachines(state)) walk(child);
    }
  };
  walk(machine);
};
