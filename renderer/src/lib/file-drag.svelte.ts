/** Whether a drag carries files (not text or a link dragged within the page). */
export const carriesFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes('Files') ?? false;

/**
 * Files dragged over a drop zone (or the window). dragenter and dragleave come in pairs for every
 * child element the pointer crosses, so their count tells whether the files are over it. The
 * handlers are fields, to be passed as they are (`ondragenter={drag.enter}`); drags that carry no
 * files are left alone.
 */
export class FileDrag {
  depth = $state(0);
  /** Files are being dragged over. */
  over = $derived(this.depth > 0);

  enter = (event: DragEvent): void => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    this.depth += 1;
  };

  leave = (event: DragEvent): void => {
    if (carriesFiles(event)) this.depth = Math.max(0, this.depth - 1);
  };

  /** dragover: lets the files be dropped here (else the window would open a dropped file itself), showing `effect`. */
  allow = (event: DragEvent, effect?: DataTransfer['dropEffect']): void => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    if (effect && event.dataTransfer) event.dataTransfer.dropEffect = effect;
  };

  /** drop: the drag is over; what was dropped, or `null` when it carries no files (and is left alone). */
  drop = (event: DragEvent): DataTransfer | null => {
    if (!carriesFiles(event) || !event.dataTransfer) return null;
    event.preventDefault();
    this.depth = 0;
    return event.dataTransfer;
  };
}
