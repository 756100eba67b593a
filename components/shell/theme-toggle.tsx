"use client";

import { useEffect, useState } from "react";

import { THEME_COOKIE, type ThemeChoice } from "./theme";

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };
const LABEL: Record<ThemeChoice, string> = { system: "Theme: system", light: "Theme: light", dark: "Theme: dark" };
const ICON: Record<ThemeChoice, string> = { system: "◐", light: "☀", dark: "☾" };

/** Cycles system → light → dark; persisted in a cookie the server reads, so there is no flash. */
export function ThemeToggle({ initial }: { initial: ThemeChoice }) {
  const [choice, setChoice] = useState<ThemeChoice>(initial);
  useEffect(() => {
    const root = document.documentElement;
    if (choice === "system") root.removeAttribute("data-theme");
    else root.setAttribute("data-theme", choice);
    document.cookie = `${THEME_COOKIE}=${choice}; path=/; max-age=31536000; samesite=lax`;
  }, [choice]);
  return (
    <button type="button" className="btn" onClick={() => setChoice(NEXT[choice])} aria-label={`${LABEL[choice]}. Switch to ${NEXT[choice]}.`} title={LABEL[choice]} data-testid="theme-toggle">
      <span aria-hidden="true">{ICON[choice]}</span>
      <span className="hide-phone">{choice === "system" ? "System" : choice === "light" ? "Light" : "Dark"}</span>
    </button>
  );
}
