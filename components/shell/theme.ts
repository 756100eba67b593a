/** The theme choice and its cookie, shared by the server layout and the client toggle. */
export type ThemeChoice = "system" | "light" | "dark";
export const THEME_COOKIE = "faasight-theme";
