import type { Tensor } from '@tensorflow/tfjs';
import type { Tf } from './cpu-backend';

/**
 * Frees memory during backpropagation (issue 17). tfjs' engine keeps every gradient it computes
 * (each op output's dy) and every tensor an op saved for its gradient until the whole backward
 * pass ends, so a step peaks at about twice the activations: at 299 px, batch 8, ~5 GB of
 * tensors on top of ~2.5 GB of activations. The tape walks its ops once, last to first, and an
 * op's dy and saved tensors serve that op only; so each op's are disposed as soon as the tape
 * moves on to the next op (skipping any dy the op handed back as one of its own input gradients).
 * Values do not change, only when memory is freed. Nested gradients (gradients of gradients)
 * are left alone.
 */

type Gradient = (dys: (Tensor | null)[]) => Record<string, () => Tensor>;

interface TapeNode {
  gradient?: Gradient;
  saved?: Tensor[];
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  addTapeNode(...args: unknown[]): void;
  gradients(...args: unknown[]): unknown;
}

/** Patches `tf`'s engine; returns a function putting its own methods back. */
export function patchTapeRelease(tf: Tf): () => void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (Object.prototype.hasOwnProperty.call(engine, 'addTapeNode')) return () => {}; // patched already
  const proto = Object.getPrototypeOf(engine) as EngineInternals;
  /** The op whose gradient ran last: its dys and saved tensors, and the input gradients it returned. */
  let pending: { dys: Tensor[]; saved: Tensor[]; returned: Set<Tensor> } | undefined;
  const release = (): void => {
    if (!pending) return;
    for (const t of pending.saved) t.dispose();
    for (const dy of pending.dys) if (!pending.returned.has(dy)) dy.dispose();
    pending = undefined;
  };
  engine.addTapeNode = function (this: EngineInternals, ...args: unknown[]) {
    proto.addTapeNode.apply(this, args);
    const tape = this.state.activeTape;
    const node = tape?.[tape.length - 1];
    const gradient = node?.gradient;
    if (!node || !gradient || tf.getBackend() !== 'cpu') return;
    node.gradient = (dys) => {
      const nested = this.state.gradientDepth !== 0;
      if (nested) pending = undefined;
      else release();
      const grads = gradient(dys);
      if (nested) return grads;
      const returned = new Set<Tensor>();
      const wrapped: Record<string, () => Tensor> = {};
      for (const [name, dx] of Object.entries(grads)) {
        wrapped[name] = () => {
          const t = dx();
          returned.add(t);
          return t;
        };
      }
      pending = { dys: dys.filter((dy): dy is Tensor => dy !== null), saved: node.saved ?? [], returned };
      return wrapped;
    };
  };
  engine.gradients = function (this: EngineInternals, ...args: unknown[]) {
    pending = undefined;
    try {
      return proto.gradients.apply(this, args);
    } finally {
      pending = undefined; // the last op's are the engine's to dispose with the rest
    }
  };
  return () => {
    delete (engine as Partial<EngineInternals>).addTapeNode;
    delete (engine as Partial<EngineInternals>).gradients;
    pending = undefined;
  };
}
