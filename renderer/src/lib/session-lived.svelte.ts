import type { AppState } from './app-state.svelte';

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

/**
 * `xStateFor(app)`: the app session's one `T`, made session-lived on first use, e.g.
 * `export const compareStateFor = onePerSession((app) => new CompareState(app.lab));`.
 */
export function onePerSession<T>(create: (app: AppState) => T): (app: AppState) => T {
  const made = new WeakMap<AppState, T>();
  return (app) => {
    let state = made.get(app);
    if (!state) {
      state = sessionLived(() => create(app));
      made.set(app, state);
    }
    return state;
  };
}
