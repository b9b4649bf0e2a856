/**
 * data.py of an exported Keras project: the run's own split (split.json, the lab's file lists
 * per split — never a re-split) as tf.data pipelines, decoded, resized and normalised the way
 * the lab does it (`decode.ts`, `warp.ts`, `pipeline.ts`), with the run's augmentation as Keras
 * preprocessing layers (`augment.ts` settings mapped to their Keras equivalents).
 */
import type { AugmentSettings } from '../dataset/image/augment';
import { pyLiteral } from './python-literal';

export function dataPy(augment: AugmentSettings | null): string {
  return `"""The lab's split of the dataset as tf.data pipelines.

Every image goes through what the lab does to it:

1. decode with Pillow: EXIF orientation applied, the first frame of an animation, alpha
   flattened onto white, converted to 8-bit RGB;
2. resize to IMAGE_SIZE x IMAGE_SIZE, stretched (the aspect ratio is not kept, as in
   keras.utils.image_dataset_from_directory): larger images are shrunk with a Lanczos filter,
   smaller ones enlarged bilinearly with half-pixel centres, rounded to whole 0-255 values;
3. training images only: the augmentation layers below, then rounded and clipped to 0-255;
4. normalised to [-1, 1] (x / 127.5 - 1), Xception's preprocess_input.
"""

import json
import os

import keras
import numpy as np
import tensorflow as tf
from keras import layers
from PIL import Image, ImageOps

# The run's augmentation settings in the lab (None: no augmentation).
AUGMENT = ${pyLiteral(augment)}


def load_split(path):
    """The lab's split: class names and (relative path, label) lists for train, val, test."""
    with open(path, encoding="utf-8") as f:
        split = json.load(f)
    lists = {
        name: [(entry["path"], entry["label"]) for entry in split[name]]
        for name in ("train", "val", "test")
    }
    return split["classNames"], lists


def read_pixels(path, size):
    """The image at \`path\` as 8-bit RGB, at most size x size (shrunk here if larger)."""
    with Image.open(path) as image:
        image.seek(0)
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            image = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            image.alpha_composite(rgba)
        image = image.convert("RGB")
        if image.width > size or image.height > size:
            image = image.resize((size, size), Image.LANCZOS)
        return np.asarray(image, dtype=np.uint8)


def as_text(path):
    """A path handed over by tf.numpy_function: bytes in a pipeline, a 0-d array when eager."""
    if isinstance(path, np.ndarray):
        path = path.item()
    return path.decode("utf-8") if isinstance(path, bytes) else str(path)


def load_image(path, size):
    """A size x size x 3 float image with whole values 0-255."""
    pixels = tf.numpy_function(lambda p: read_pixels(as_text(p), size), [path], tf.uint8)
    pixels.set_shape([None, None, 3])
    image = tf.image.resize(tf.cast(pixels, tf.float32), (size, size), "bilinear")
    return tf.clip_by_value(tf.round(image), 0.0, 255.0)


def make_augmentation(settings, seed):
    """The lab's augmentation as Keras preprocessing layers (on 0-255 images)."""
    if not settings:
        return None
    steps = []
    if settings["flip"]:
        steps.append(layers.RandomFlip("horizontal", seed=seed))
    if settings["rotation"] > 0:
        # The lab rotates by up to +-rotation degrees; Keras takes a fraction of a full turn.
        steps.append(
            layers.RandomRotation(settings["rotation"] / 360, fill_mode="reflect", seed=seed)
        )
    if settings["zoom"] > 0:
        # The lab crops a square window of side 1 - zoom .. 1: zooming in only.
        steps.append(
            layers.RandomZoom((-settings["zoom"], 0.0), fill_mode="reflect", seed=seed)
        )
    if settings["brightness"] > 0:
        steps.append(
            layers.RandomBrightness(settings["brightness"], value_range=(0, 255), seed=seed)
        )
    if settings["contrast"] > 0:
        steps.append(layers.RandomContrast(settings["contrast"], seed=seed))
    if settings["noise"] > 0:
        steps.append(layers.GaussianNoise(settings["noise"] * 255, seed=seed))
    if not steps:
        return None
    return keras.Sequential(steps, name="augmentation")


def normalise(images):
    return images / 127.5 - 1.0


def make_dataset(
    entries, root, classes, size, batch_size, shuffle=False, seed=None, augmentation=None
):
    """Batches of (normalised images, one-hot labels) for a list of (path, label)."""
    paths = [os.path.join(root, path) for path, _ in entries]
    labels = [label for _, label in entries]
    dataset = tf.data.Dataset.from_tensor_slices((paths, labels))
    if shuffle:
        dataset = dataset.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.map(
        lambda path, label: (load_image(path, size), tf.one_hot(label, classes)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    dataset = dataset.batch(batch_size)
    if augmentation is not None:
        dataset = dataset.map(
            lambda x, y: (
                tf.clip_by_value(tf.round(augmentation(x, training=True)), 0.0, 255.0),
                y,
            ),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    dataset = dataset.map(lambda x, y: (normalise(x), y))
    return dataset.prefetch(tf.data.AUTOTUNE)
`;
}
