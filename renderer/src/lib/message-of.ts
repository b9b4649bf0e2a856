/** The words of anything thrown: an Error's message (the engine's LabError messages are for users), else its text. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
