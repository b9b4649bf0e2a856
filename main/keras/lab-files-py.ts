/**
 * lab_files.py of an exported Keras project: the files the lab reads back, written the way the
 * lab writes them — metrics.jsonl lines (`runs/metrics-log.ts`: appended and synced, one JSON
 * object per line) and checkpoints in tfjs Layers format (`training/checkpoint-io.ts`:
 * model.json with the topology of the lab's own plan + weights.bin), replaced whole like
 * `runs/checkpoint-dir.ts` does, so a crash leaves the old checkpoint or the new one — with
 * epoch.json beside the weights, the lab's commit record of an epoch (`runs/epoch-commit.ts`),
 * and after a crash the lab's recovery (`runs/reconcile-run.ts`) in `recover`.
 */
export function labFilesPy(): string {
  return `"""Files Xception Lab reads: the metrics log and checkpoints in its (tfjs Layers) format.

No converter is needed: a tfjs Layers checkpoint is a model.json (the network's topology and
a manifest naming every weight with its shape) plus the weights as one little-endian float32
file. The topology comes from the lab's own model plan (tfjs_topology.json, written by the
export), and Keras 3 names its weights exactly as the lab does ("block1_conv1/kernel").
"""

import datetime
import json
import os
import secrets
import shutil

import keras
import numpy as np


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def append_metrics(path, lines):
    """Appends lines to metrics.jsonl and syncs them: the file only ever grows."""
    if not lines:
        return
    with open(path, "a", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line) + "\\n")
        f.flush()
        os.fsync(f.fileno())


def write_text(path, text):
    """Writes a file atomically (a reader sees the old file or the new one)."""
    fresh = f"{path}.new-{secrets.token_hex(4)}"
    with open(fresh, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(fresh, path)


def write_json(path, value):
    write_text(path, json.dumps(value, indent=2))


def lab_weights(model):
    """(name, float32 array) for every weight of the network, in the lab's naming."""
    weights = []
    for variable in model.weights:
        if "seed_generator" in variable.path:
            continue  # Dropout's random state, not a weight of the network
        array = np.asarray(keras.ops.convert_to_numpy(variable), dtype="<f4")
        weights.append((variable.path, array))
    return weights


def replace_folder(target, write):
    """Replaces the folder \`target\` whole: \`write(folder)\` fills a fresh sibling first."""
    parent, name = os.path.split(os.path.abspath(target))
    os.makedirs(parent, exist_ok=True)
    tag = secrets.token_hex(4)
    fresh = os.path.join(parent, f".{name}.new-{tag}")
    old = os.path.join(parent, f".{name}.old-{tag}")
    os.makedirs(fresh)
    try:
        write(fresh)
        for file in os.listdir(fresh):
            with open(os.path.join(fresh, file), "rb") as f:
                os.fsync(f.fileno())
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    had_old = os.path.exists(target)
    if had_old:
        os.rename(target, old)
    os.rename(fresh, target)
    if had_old:
        shutil.rmtree(old, ignore_errors=True)


def save_checkpoint(model, folder, topology, metadata, committed=None):
    """Writes model.json + weights.bin (the lab's format), model.keras (Keras' own) and, when
    given, epoch.json: the epochs these weights have done and their metrics lines."""

    def write(fresh):
        if committed is not None:
            with open(os.path.join(fresh, COMMITTED), "w", encoding="utf-8") as f:
                f.write(json.dumps(committed) + "\\n")
        specs = []
        with open(os.path.join(fresh, "weights.bin"), "wb") as f:
            for name, array in lab_weights(model):
                specs.append({"name": name, "shape": list(array.shape), "dtype": "float32"})
                f.write(array.tobytes())
        model_json = {
            "format": "layers-model",
            "generatedBy": f"keras v{keras.__version__}",
            "convertedBy": "Xception Lab train.py",
            "modelTopology": topology,
            "weightsManifest": [{"paths": ["weights.bin"], "weights": specs}],
            "userDefinedMetadata": metadata,
        }
        with open(os.path.join(fresh, "model.json"), "w", encoding="utf-8") as f:
            json.dump(model_json, f)
        model.save(os.path.join(fresh, "model.keras"))

    replace_folder(folder, write)


COMMITTED = "epoch.json"


def read_committed(folder):
    """A checkpoint's epoch.json, or None when it has none."""
    try:
        with open(os.path.join(folder, COMMITTED), encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def recover_folder(target):
    """After a kill inside replace_folder: puts back a folder left moved aside, drops half-written ones."""
    parent, name = os.path.split(os.path.abspath(target))
    if not os.path.isdir(parent):
        return
    entries = sorted(os.listdir(parent))
    olds = [e for e in entries if e.startswith(f".{name}.old-")]
    news = [e for e in entries if e.startswith(f".{name}.new-")]
    if not os.path.exists(target) and olds:
        os.rename(os.path.join(parent, olds.pop(0)), target)
    for leftover in news + olds:
        shutil.rmtree(os.path.join(parent, leftover), ignore_errors=True)


def recover(out):
    """Brings an output folder back to its last committed epoch after a crash or kill, as the
    lab does: checkpoints/last (weights + epoch.json, replaced whole) is the truth; a best
    checkpoint the kill cut short is copied from it, and metrics.jsonl is rewritten to hold
    exactly the committed epochs (no torn line, no line of an unfinished epoch). Returns
    epoch.json, or None when no epoch was committed (or the checkpoint predates epoch.json)."""
    checkpoints = os.path.join(out, "checkpoints")
    last, best = os.path.join(checkpoints, "last"), os.path.join(checkpoints, "best")
    recover_folder(last)
    recover_folder(best)
    committed = read_committed(last)
    if committed is None and os.path.exists(last):
        return None  # written before epoch.json: nothing to check it against
    history = committed["history"] if committed else []
    best_epoch = (committed.get("best") or {}).get("epoch") if committed else None
    if best_epoch is not None and best_epoch == len(history) - 1:
        saved = read_committed(best)
        if saved is None or saved["epochsDone"] != len(history):
            replace_folder(
                best,
                lambda fresh: [shutil.copy(os.path.join(last, f), fresh) for f in os.listdir(last)],
            )
    rewrite_metrics(os.path.join(out, "metrics.jsonl"), history)
    return committed


def rewrite_metrics(path, history):
    """metrics.jsonl with each committed epoch's batch lines as written, then its epoch line."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    rows = []
    for row in text.split("\\n"):
        try:
            line = json.loads(row)
        except ValueError:
            continue  # empty, or torn by a kill
        if isinstance(line, dict) and isinstance(line.get("epoch"), int):
            rows.append((row, line))
    kept = []
    for committed in history:
        epoch = committed["epoch"]
        kept += [row for row, line in rows if line.get("type") == "batch" and line["epoch"] == epoch]
        written = [row for row, line in rows if line.get("type") == "epoch" and line == committed]
        kept.append(written[0] if written else json.dumps(committed))
    wanted = "".join(row + "\\n" for row in kept)
    if wanted != text:
        write_text(path, wanted)


def load_lab_weights(model, folder):
    """Sets the model's weights from a checkpoint in the lab's format (model.json + weights.bin)."""
    with open(os.path.join(folder, "model.json"), encoding="utf-8") as f:
        manifest = json.load(f)["weightsManifest"]
    data = np.fromfile(os.path.join(folder, "weights.bin"), dtype="<f4")
    arrays, offset = {}, 0
    for group in manifest:
        for spec in group["weights"]:
            count = int(np.prod(spec["shape"]))
            arrays[spec["name"]] = data[offset : offset + count].reshape(spec["shape"])
            offset += count
    for variable in model.weights:
        if variable.path in arrays:
            variable.assign(arrays[variable.path])
`;
}
