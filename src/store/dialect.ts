/** The SQL databases the store runs on. */
export type Dialect = 'sqlite' | 'postgres';
