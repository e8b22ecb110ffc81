import { z } from 'zod';
import { PROPERTY_SCOPES, PROPERTY_TYPES } from './property-spec.js';

// The rules a property declaration must follow, as a zod schema. Applied to the whole table by
// test/conf/property-keys.test.ts rather than at startup: importing zod costs ~200 ms, which every
// CLI invocation would pay for a table that only changes with the code.

export const KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export const PROPERTY_SPEC_SCHEMA = z
  .object({
    name: z.string().regex(KEY_PATTERN),
    type: z.enum(PROPERTY_TYPES),
    default: z.string().optional(),
    dynamicDefault: z.literal('cwd').optional(),
    description: z.string().min(10),
    scope: z.enum(PROPERTY_SCOPES),
    values: z.array(z.string().regex(/^[A-Z][A-Z0-9_]*$/)).min(2).optional(),
    secret: z.boolean().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    aliases: z.array(z.string().regex(KEY_PATTERN)).optional(),
  })
  .strict()
  .refine((s) => (s.type === 'enum') === (s.values !== undefined), {
    message: 'an enum property needs `values`, and only an enum property may have them',
  })
  .refine((s) => (s.min === undefined && s.max === undefined) || ['int', 'size', 'sizeList', 'duration'].includes(s.type), {
    message: '`min`/`max` apply only to int, size, sizeList and duration properties',
  })
  .refine((s) => !(s.default !== undefined && s.dynamicDefault !== undefined), {
    message: 'a property has either `default` or `dynamicDefault`, not both',
  });

