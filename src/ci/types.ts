/** One file of a generated pipeline: a project-relative path (forward slashes) and its text. */
export interface PipelineFile {
  path: string;
  content: string;
}
