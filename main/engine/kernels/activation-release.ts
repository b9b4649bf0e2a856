import type { Tensor } from '@tensorflow/tfjs';
import type { Tf } from './cpu-backend';

/**
 * Frees each layer's output as soon as the last layer reading it has run, in training (issue
 * 17). tfjs-layers' executor frees intermediate outputs that way in inference only; in
 * training it holds every layer's output until the forward pass ends, although the tape keeps
 * its own reference to each tensor a gradient needs. The end of the forward pass is a step's
 * peak, so a tensor no gradient saved — a batch norm's output, once ReLU's gradient reads
 * ReLU's output (relu-grad.ts) — counted there for nothing: with that change, peak memory at
 * 299 px, batch 8, went from 3.4 to 2.9 GB. Disposing the layer's reference drops the tensor's
 * memory only where nothing else holds it; values never change.
 *
 * Counting is by tensor, across the whole layer graph: a layer's output is released after as
 * many applies read it as the layer has outbound nodes. A layer used in two graphs (a
 * fine-tuning tail re-applied to a new input) has a node for each and only one graph runs, so
 * its output is simply kept, as before. Model outputs have no outbound node and are kept, and
 * `apply` hands back a clone of any input a layer returns unchanged, so no output is ever an
 * input's own object. Inference, symbolic applies and other backends are left alone.
 */

type Apply = (this: LayerInternals, inputs: unknown, kwargs?: Record<string, unknown>) => unknown;

interface LayerInternals {
  apply: Apply;
  outboundNodes?: unknown[];
}

const patched = new WeakSet<Apply>();

/** The prototype that defines `apply` for every layer (tfjs-layers' Layer). */
function layerPrototype(tf: Tf): LayerInternals {
  let proto = Object.getPrototypeOf(tf.layers.activation({ activation: 'linear' })) as object | null;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'apply')) proto = Object.getPrototypeOf(proto);
  if (!proto) throw new Error('tfjs-layers: no Layer.prototype.apply found');
  return proto as LayerInternals;
}

/** Patches `tf`'s Layer.prototype.apply; returns a function putting the stock one back. */
export function patchActivationRelease(tf: Tf): () => void {
  const proto = layerPrototype(tf);
  const stock = proto.apply;
  if (patched.has(stock)) return () => {}; // patched through another handle on the same tfjs
  /** Concrete layer outputs → reads still to come. */
  const pending = new WeakMap<Tensor, number>();
  const tensorsOf = (value: unknown): Tensor[] =>
    (Array.isArray(value) ? value : [value]).filter((t): t is Tensor => t instanceof tf.Tensor);
  const apply: Apply = function (inputs, kwargs) {
    const output = stock.call(this, inputs, kwargs);
    if (kwargs?.['training'] !== true || tf.getBackend() !== 'cpu') return output;
    for (const input of new Set(tensorsOf(inputs))) {
      const reads = pending.get(input);
      if (reads === undefined) continue; // a fed input, or a layer output of another apply than ours
      if (reads > 1) pending.set(input, reads - 1);
      else {
        pending.delete(input);
        input.dispose();
      }
    }
    const outputs = tensorsOf(output);
    const readers = this.outboundNodes?.length ?? 0;
    // Which of several outputs a reader takes is not known here: keep those.
    if (outputs.length === 1 && readers > 0) pending.set(outputs[0]!, readers);
    return output;
  };
  patched.add(apply);
  proto.apply = apply;
  return () => {
    proto.apply = stock;
  };
}
