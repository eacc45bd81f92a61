import { readFileSync } from 'node:fs';
import {
  buildSchema,
  GraphQLError,
  type GraphQLScalarType,
  type GraphQLSchema,
  Kind,
  type ValueNode,
} from 'graphql';

/** The SDL the emulator validates every request against (committed next to this file). */
const XLEDGER_SDL = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

const DECIMAL = /^-?\d{1,20}(\.\d{1,6})?$/;
const DATE = /^(\d{4}-\d{2}-\d{2})(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?$/;
const INT64 = /^-?\d{1,19}$/;

interface ScalarBehaviour {
  fromText(text: string): string | undefined;
  fromNumber?(value: number, literal: string): string | undefined;
  describe: string;
}

// Amounts: the help centre sends decimal strings ("101.00"), onecore sends JSON/GraphQL numbers
// (`invoiceAmount: ${amount}`): both are accepted and kept as exact decimal text.
const scalars: Record<string, ScalarBehaviour> = {
  Decimal: {
    fromText: (t) => (DECIMAL.test(t) ? t : undefined),
    fromNumber: (_v, literal) => (DECIMAL.test(literal) ? literal : undefined),
    describe: 'a decimal number',
  },
  Date: {
    fromText: (t) => {
      const m = DATE.exec(t);
      if (!m?.[1]) return undefined;
      const day = new Date(`${m[1]}T00:00:00Z`);
      return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(m[1]) ? m[1] : undefined;
    },
    describe: 'a date (YYYY-MM-DD)',
  },
  DateTime: { fromText: (t) => (Number.isNaN(Date.parse(t)) ? undefined : t), describe: 'a date-time' },
  Int64: {
    fromText: (t) => (INT64.test(t) ? t : undefined),
    fromNumber: (v) => (Number.isSafeInteger(v) ? String(v) : undefined),
    describe: 'a 64-bit integer',
  },
};

function configure(type: GraphQLScalarType, behaviour: ScalarBehaviour): void {
  const refuse = (shown: string) =>
    new GraphQLError(`${type.name} cannot represent ${shown}: expected ${behaviour.describe}`);
  const fromJson = (value: unknown): string => {
    if (typeof value === 'string') {
      const parsed = behaviour.fromText(value);
      if (parsed !== undefined) return parsed;
    } else if (typeof value === 'number' && behaviour.fromNumber) {
      const parsed = behaviour.fromNumber(value, String(value));
      if (parsed !== undefined) return parsed;
    }
    throw refuse(JSON.stringify(value) ?? String(value));
  };
  const fromLiteral = (node: ValueNode): string => {
    if (node.kind === Kind.STRING) {
      const parsed = behaviour.fromText(node.value);
      if (parsed !== undefined) return parsed;
      throw refuse(JSON.stringify(node.value));
    }
    if ((node.kind === Kind.INT || node.kind === Kind.FLOAT) && behaviour.fromNumber) {
      const parsed = behaviour.fromNumber(Number(node.value), node.value);
      if (parsed !== undefined) return parsed;
      throw refuse(node.value);
    }
    throw refuse(`a ${node.kind} value`);
  };
  Object.assign(type, {
    serialize: (value: unknown) => (typeof value === 'number' ? String(value) : value),
    parseValue: fromJson,
    parseLiteral: fromLiteral,
  });
}

/** The executable schema: the SDL with its custom scalars' coercion. */
export function buildXledgerSchema(): GraphQLSchema {
  const schema = buildSchema(XLEDGER_SDL);
  for (const [name, behaviour] of Object.entries(scalars)) {
    configure(schema.getType(name) as GraphQLScalarType, behaviour);
  }
  return schema;
}
