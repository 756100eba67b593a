/** Cookie and header names of sessions, free of imports (the proxy bundle loads only this). */
export const SESSION_COOKIE = "faasight_session";
export const CSRF_COOKIE = "faasight_csrf";
export const CSRF_HEADER = "x-csrf-token";
