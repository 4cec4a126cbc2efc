// Types for the parts of Framework's standard library that our typed components touch. Framework supplies
// the module at run time; TypeScript only needs its shape.
declare module "observablehq:stdlib" {
  /** A file published with the site (see docs/design.md, "How pages find data files"). */
  export interface FileAttachment {
    readonly name: string;
    readonly mimeType: string;
    /** Size in bytes as known at build time (NaN when unknown). */
    readonly size: number;
    url(): Promise<string>;
    arrayBuffer(): Promise<ArrayBuffer>;
    blob(): Promise<Blob>;
    text(): Promise<string>;
    json(): Promise<unknown>;
  }
  export function FileAttachment(name: string): FileAttachment;
}

// @observablehq/inputs ships no types; these cover what our components call.
declare module "@observablehq/inputs" {
  /** An input element whose value is the current choice. */
  export type Input<T> = HTMLElement & {value: T};
  export interface ChoiceOptions<T> {
    label?: string;
    value?: T;
    format?: (value: T) => string;
    disabled?: boolean;
  }
  export function select<T>(data: readonly T[], options?: ChoiceOptions<T>): Input<T>;
  export function radio<T>(data: readonly T[], options?: ChoiceOptions<T>): Input<T>;
  export function checkbox<T>(data: readonly T[], options?: Omit<ChoiceOptions<T>, "value"> & {value?: readonly T[]}): Input<T[]>;
  export interface RangeOptions {
    label?: string;
    value?: number;
    step?: number;
    format?: (value: number) => string;
  }
  export function range(extent: [number, number], options?: RangeOptions): Input<number>;
  export function toggle(options?: {label?: string; value?: boolean}): Input<boolean>;
  /** Combines inputs into one whose value is an object of their values. */
  export function form<T extends object>(inputs: {[K in keyof T]: Input<T[K]>}, options?: {template?: (inputs: {[K in keyof T]: Input<T[K]>}) => HTMLElement}): Input<T>;
}
