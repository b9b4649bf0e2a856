/**
 * A small typed event emitter: `on` returns the unsubscribe. One per engine instance, and one
 * per transport in the renderer (it has no Node imports). A listener that throws is reported
 * and the others still run.
 */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (listener as (payload: Events[E]) => void)(payload);
      } catch (error) {
        console.error(`A listener for "${String(event)}" failed:`, error);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
