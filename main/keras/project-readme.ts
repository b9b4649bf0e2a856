/** README.md of an exported Keras project: what is in it, how to run it here, on GPUs, on several machines. */
import type { KerasExperiment } from './keras-experiment';

export function projectReadme(experiment: KerasExperiment): string {
  const { model, training, dataset } = experiment;
  return `# ${experiment.name} — Keras project

Exported by Xception Lab from ${experiment.source}: the same network (${model.blockStyle} blocks,
${model.inputSize} px, α ${model.widthMultiplier}, ${model.classes} classes), the same
${dataset.split.train.length}/${dataset.split.val.length}/${dataset.split.test.length} train/val/test
split of \`${dataset.path}\` and the same training settings (${training.optimizer}, learning rate
${training.learningRate}, ${training.schedule} schedule, batch ${training.batchSize}, ${training.epochs} epochs,
seed ${training.seed}).

| file | what it is |
|---|---|
| \`model.py\` | \`make_model()\`: the network, layer for layer the lab's (names, shapes, parameters) |
| \`data.py\` | the split as \`tf.data\` pipelines: the lab's decoding, resizing, normalisation; augmentation as Keras layers |
| \`train.py\` | training: optimizer, schedule, label smoothing, class weights, early stopping, checkpoints, resume |
| \`lab_files.py\` | writes metrics.jsonl and checkpoints in the lab's format (no converter needed) |
| \`split.json\` | the lab's split: every image's path (relative to the dataset folder) and label |
| \`lab.json\` | what the lab needs to import the results (config, dataset fingerprint) |
| \`tfjs_topology.json\` | the lab's model topology, written into every checkpoint's model.json |

## Run it

\`\`\`sh
python3 -m venv .venv && . .venv/bin/activate
pip install -r requirements.txt
python train.py                       # --data DIR if the dataset is somewhere else on this machine
\`\`\`

Results go to \`output/\`: \`metrics.jsonl\` (grows as it trains), \`checkpoints/last\` and
\`checkpoints/best\` (\`model.json\` + \`weights.bin\` for the lab, \`model.keras\` for Keras), and
\`state.json\`. An epoch counts once \`checkpoints/last\` holds it (with \`epoch.json\`); after a crash
the next start brings the other files back to it. Ctrl+C stops after the current batch and keeps
the last finished epoch (the unfinished one is redone); the same command resumes.
\`--fresh\` starts over (the old \`output/\` is renamed, not deleted).

Bring the results back into the lab, on the machine that has the dataset:

\`\`\`sh
xlab import-keras path/to/this/folder
\`\`\`

The lab checks that the dataset is the one exported (its fingerprint) and that the weights fit
its model, naming the first layer that does not.

## Several GPUs on one machine

\`\`\`sh
python train.py --distribute mirrored
\`\`\`

\`batchSize\` in train.py is the global batch, split between the GPUs.

## Several machines

Each machine runs the same folder (and has the dataset, \`--data\` if its path differs) with
\`TF_CONFIG\` naming every worker; worker 0 is the chief and writes \`output/\`. \`model.fit\` fails
under MultiWorkerMirroredStrategy with Keras 3 (keras-team/keras#20585), so \`--distribute
multiworker\` uses a custom training step. Ctrl+C on any worker stops them all after the
same batch (the request travels with the step's reductions), keeping the last finished epoch.

\`\`\`sh
# on 10.0.0.1
TF_CONFIG='{"cluster": {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]}, "task": {"type": "worker", "index": 0}}' \\
  python train.py --distribute multiworker
# on 10.0.0.2
TF_CONFIG='{"cluster": {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]}, "task": {"type": "worker", "index": 1}}' \\
  python train.py --distribute multiworker --out /tmp/xlab-worker-output
\`\`\`

On a Slurm cluster, one task per node builds its TF_CONFIG from Slurm's variables:

\`\`\`sh
#!/bin/bash
#SBATCH --job-name=xception
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=1
#SBATCH --gres=gpu:1
#SBATCH --time=02:00:00

srun bash -c '
  HOSTS=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | sed "s/$/:12345/" | paste -sd, -)
  export TF_CONFIG=$(python3 -c "import json,sys; print(json.dumps({\\"cluster\\": {\\"worker\\": sys.argv[1].split(\\",\\")}, \\"task\\": {\\"type\\": \\"worker\\", \\"index\\": int(sys.argv[2])}}))" "$HOSTS" "$SLURM_PROCID")
  OUT=output; [ "$SLURM_PROCID" = 0 ] || OUT=/tmp/xlab-worker-$SLURM_PROCID
  python train.py --distribute multiworker --out "$OUT"
'
\`\`\`

Only the chief's \`output/\` is imported. Resuming a multi-worker run restores the weights of
the last checkpoint (the optimizer state starts fresh).

## Differences from the lab's own engines

- The order of images in each epoch and the augmentation draws come from TensorFlow's random
  generators, not the lab's: the same seed repeats a Keras run, not a lab run.
- Shrinking large images uses Pillow's Lanczos filter (the lab uses libvips'): pixel values may
  differ by a level or two; enlarging small images is the same bilinear resize.
- Augmentation uses Keras' layers: the zoom is centred (the lab also moves the crop window).
- The lab ramps batch-norm momentum up over the first steps; Keras uses the configured
  momentum from the start, so validation in the very first epochs may differ.
`;
}
