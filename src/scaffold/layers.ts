import type { InitOptions } from './options.js';

/**
 * The template layers a project is built from, in order: the base service, then one overlay per option
 * that changes files. A later layer's file replaces an earlier one's at the same path.
 */
export function selectLayers(options: Pick<InitOptions, 'ci' | 'target'>): string[] {
  const layers = ['service/base'];
  if (options.ci !== 'none') layers.push(`service/overlays/ci/${options.ci}`);
  return layers;
}

/** Where a template file lands in the project: `.hbs` is dropped, `_gitignore` becomes `.gitignore`. */
export function outputPath(templatePath: string): { path: string; render: boolean } {
  const render = templatePath.endsWith('.hbs');
  let path = render ? templatePath.slice(0, -'.hbs'.length) : templatePath;
  path = path.replace(/(^|\/)_gitignore$/, '$1.gitignore');
  return { path, render };
}
