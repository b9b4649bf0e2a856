"""Keras' own Xception (weights=None) with fixed, non-trivial weights, saved in both HDF5 layouts,
with a few inputs and Keras' outputs for them, for the lab's weight-loading tests.

    python make_keras_xception.py OUT_DIR

Writes OUT_DIR/notop_legacy.h5 (the layout of Keras' ImageNet files), notop.weights.h5 (Keras 3),
top5_legacy.h5 (a 5-class classifier on top) and expected.json: inputs already scaled to [-1, 1]
(Keras' xception.preprocess_input), the pooled features of the notop model and the
probabilities of the 5-class model. Every weight, batch-norm statistics included, is drawn
from a fixed seed, so a weight put in the wrong place changes the outputs.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.src.legacy.saving import legacy_h5_format  # noqa: E402

SIZE = 71  # Keras' smallest Xception input
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)


def randomise(model):
    """Every weight random, so the test cannot pass with weights swapped or left at init."""
    for layer in model.layers:
        values = []
        for w in layer.weights:
            shape = tuple(w.shape)
            name = w.path.split("/")[-1]
            if name in ("gamma", "moving_variance"):
                values.append(rng.uniform(0.5, 1.5, shape))
            elif name in ("beta", "moving_mean", "bias"):
                values.append(rng.normal(0.0, 0.1, shape))
            else:
                fan_in = int(np.prod(shape[:-1])) or 1
                values.append(rng.normal(0.0, 1.0 / np.sqrt(fan_in), shape))
        if values:
            layer.set_weights([v.astype("float32") for v in values])


def save_legacy(model, path):
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)


keras.utils.set_random_seed(7)
notop = keras.applications.Xception(weights=None, include_top=False, input_shape=(SIZE, SIZE, 3), pooling="avg")
randomise(notop)
save_legacy(notop, os.path.join(out, "notop_legacy.h5"))
notop.save_weights(os.path.join(out, "notop.weights.h5"))

top = keras.applications.Xception(weights=None, include_top=True, input_shape=(SIZE, SIZE, 3), classes=5)
randomise(top)
save_legacy(top, os.path.join(out, "top5_legacy.h5"))

pixels = rng.integers(0, 256, size=(3, SIZE, SIZE, 3)).astype("float32")
inputs = keras.applications.xception.preprocess_input(pixels.copy())
features = notop.predict(inputs, verbose=0)
probs = top.predict(inputs, verbose=0)
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(
        {
            "size": SIZE,
            "inputs": inputs.reshape(-1).tolist(),
            "features": features.reshape(-1).tolist(),
            "featureCount": int(features.shape[-1]),
            "probs": probs.reshape(-1).tolist(),
            "keras": keras.__version__,
        },
        f,
    )
print("ok", out)
