/**
 * Values as a form or a file gives them, before the engine checks them: the fields of `T`, any
 * values (the engine's checks name each bad field and quote its value).
 */
export type Unchecked<T> = { [K in keyof T]?: unknown };
