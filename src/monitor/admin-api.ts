/** What reading an environment's admin API gives, over HTTP (admin.ts) or from a stopped one's store (stopped.ts). */

/** A running environment's admin API, with the admin key the kit generated for it (none for cloud ones). */
export interface AdminApi {
  env: string;
  url: string;
  get<T>(path: string): Promise<T>;
}

/** The service's error body: `{"error": {"code", "message"}}`. */
export interface ServiceErrorBody {
  error?: { code?: string; message?: string };
}

export class AdminHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
