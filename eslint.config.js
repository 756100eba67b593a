import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", "lib/generated/", "prisma/.derived/", "test-results/", "data/", "next-env.d.ts"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "no-restricted-properties": ["error", { object: "Math", property: "random", message: "Use a seeded generator (lib/sandbox/random.ts) or crypto for ids." }],
      eqeqeq: ["error", "smart"],
    },
  },
);
