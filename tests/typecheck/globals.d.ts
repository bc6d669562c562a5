// What real apps get from @types/node and their bundler; the fixtures use process.env.
declare const process: { env: Record<string, string | undefined> };
