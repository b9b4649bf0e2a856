/**
 * Creates a session-lived state object in its own effect root. Its `$derived` fields would
 * otherwise belong to the component that first asked for it, and go stale ("derived_inert")
 * once the user leaves that page.
 */
export function sessionLived<T>(create: () => T): T {
  let made: T | undefined;
  $effect.root(() => {
    made = create();
  });
  return made as T;
}
