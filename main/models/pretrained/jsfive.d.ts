/** The part of jsfive (a pure-JS HDF5 reader, no types of its own) the weight loader uses. */
declare module 'jsfive' {
  export class Group {
    readonly keys: string[];
    readonly attrs: Record<string, unknown>;
    get(path: string): Group | Dataset | undefined;
  }
  export class Dataset {
    readonly shape: number[];
    readonly dtype: string;
    readonly attrs: Record<string, unknown>;
    readonly value: ArrayLike<number>;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
}
