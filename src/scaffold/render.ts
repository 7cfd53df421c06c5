import Handlebars from 'handlebars';

/**
 * Handlebars with helpers that escape a value for the context it lands in. `{{x}}` HTML-escapes (right for
 * Markdown and HTML); `{{yaml x}}` writes a quoted YAML scalar; `{{sh x}}` a single-quoted shell
 * word; `{{json x}}` a JSON value.
 */
const engine = Handlebars.create();

/** Control characters (tab aside), line breaks and byte-order marks: only double quotes can escape them. */
const needsEscape = (character: string): boolean => {
  const code = character.codePointAt(0)!;
  return (code < 0x20 && code !== 0x09) || (code >= 0x7f && code <= 0x9f) || [0x2028, 0x2029, 0xfeff].includes(code);
};

/**
 * A quoted YAML scalar, quoted as Prettier (singleQuote) would leave it, so a rendered file is already
 * formatted: single quotes unless the text holds a single quote and no double one; JSON's double-quoted
 * form (a valid YAML scalar whose escapes cover every control character) where escapes are needed.
 */
export function yamlScalar(value: unknown): string {
  const text = String(value);
  if ([...text].some(needsEscape)) return JSON.stringify(text);
  if (text.includes('"') || !text.includes("'")) return `'${text.replaceAll("'", "''")}'`;
  return JSON.stringify(text);
}

export const shellWord = (value: unknown): string => `'${String(value).replaceAll("'", `'\\''`)}'`;

/** Strict mode does not reach helper arguments, so the escaping helpers refuse a missing value themselves. */
const defined = (helper: string, value: unknown): unknown => {
  if (value === undefined || value === null) throw new Error(`{{${helper}}} was given a missing value`);
  return value;
};
engine.registerHelper('yaml', (value: unknown) => new Handlebars.SafeString(yamlScalar(defined('yaml', value))));
engine.registerHelper('sh', (value: unknown) => new Handlebars.SafeString(shellWord(defined('sh', value))));
engine.registerHelper('json', (value: unknown) => new Handlebars.SafeString(JSON.stringify(defined('json', value))));
engine.registerHelper('eq', (a: unknown, b: unknown) => a === b);
engine.registerHelper('join', (list: unknown[], sep: unknown) =>
  Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : '',
);

/** Renders one template. Strict: a variable the context lacks is an error, never an empty string. */
export function renderTemplate(source: string, context: object, templateName = 'template'): string {
  try {
    return engine.compile(source, { strict: true, noEscape: false })(context);
  } catch (err) {
    throw new Error(`${templateName}: ${(err as Error).message.split('\n')[0]}`);
  }
}
