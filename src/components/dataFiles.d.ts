// Types of dataFiles.js, which observablehq.config.ts writes from datasets/*/dataset.json (gitignored).
import type {FileAttachment} from "observablehq:stdlib";

/** The datasets, in name order: name, title and model id. */
export const datasets: Array<{name: string; title: string; model: string}>;

/** Each dataset's image table and layer tables, as FileAttachments. */
export const dataFiles: Record<string, {images: FileAttachment; layers: Record<string, FileAttachment>}>;

/** Each model the datasets name, by id: its ONNX file and its description. */
export const modelFiles: Record<string, {onnx: FileAttachment; spec: FileAttachment}>;
