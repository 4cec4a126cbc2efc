// The core parts of issue 13 (bad input, round two) on their own: names with bidirectional controls,
// cutting on whole characters, AVIF/HEIF sizes from the header, onnxruntime failures told apart, thin
// crops, and non-finite layer values. The pages' behaviour is tested in tests/e2e/faultsUploads.test.ts
// and tests/e2e/yourModel.test.ts; here each rule's edge cases.
import assert from "node:assert/strict";
import {describe, test} from "node:test";
import sharp from "sharp";
import {checkUploadBytes, cutName, isolateName, quoteName, readImageHeader} from "../../src/core/imageFile.js";
import {explainRuntimeFailure, withoutBuildPaths} from "../../src/core/ortRuntime.js";
import {cropWarning, planInput} from "../../src/core/sizePolicy.js";
import {firstNonFinite, nonFiniteMessage} from "../../src/core/userModel.js";

describe("faults, round two: the core rules", () => {
  test("bidi controls are written out in quoted and shown names; right-to-left names are isolated", () => {
    assert.equal(quoteName("photo\u202Egnp.txt"), `"photo\\u202Egnp.txt"`);
    assert.equal(isolateName("photo\u202Egnp.txt"), "photo\\u202Egnp.txt");
    assert.equal(isolateName("a\u2066b\u2069\u200F"), "a\\u2066b\\u2069\\u200F");
    assert.equal(isolateName("חתול.png"), "\u2068חתול.png\u2069");
    assert.equal(isolateName("my cat.png"), "my cat.png");
  });

  test("names are cut on whole graphemes", () => {
    const family = "👩‍👩‍👧‍👦";
    assert.equal(cutName(`abc${family}def`, 5), `abc${family}…`);
    assert.equal(cutName("short", 40), "short");
  });

  test("AVIF: the size of the largest ispe; none, or unknown bytes, are refused before decoding", async () => {
    const avif = await sharp({create: {width: 40, height: 30, channels: 3, background: {r: 1, g: 2, b: 3}}}).avif().toBuffer();
    assert.deepEqual(readImageHeader(avif, "avif"), {format: "avif", width: 40, height: 30, complete: true});
    const bomb = Buffer.from(avif);
    const at = bomb.indexOf("ispe");
    bomb.writeUInt32BE(16000, at + 8), bomb.writeUInt32BE(16000, at + 12);
    assert.throws(() => checkUploadBytes("b.avif", "image/avif", bomb), /16000×16000 is 256 megapixels/);
    const sizeless = Buffer.from(avif);
    sizeless.write("free", at, "latin1");
    assert.throws(() => checkUploadBytes("s.avif", "image/avif", sizeless), /whose header gives no pixel size/);
    assert.deepEqual(readImageHeader(avif.subarray(0, 100), "avif").complete, false);
    assert.throws(() => checkUploadBytes("x", "", Uint8Array.from([9, 8, 7, 6, 5])), /not in a format this page recognises/);
  });

  test("onnxruntime failures: kinds, both numbers, no build paths", () => {
    const path = "/mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/graph/model.cc:202 onnxruntime::Model::Model(onnx::ModelProto&&, const onnxruntime::PathString&) ";
    const ir = explainRuntimeFailure(`${path}Unsupported model IR version: 99, max supported IR version: 11`, `"m.onnx"`, "load");
    assert.deepEqual([ir.kind, ir.message], ["ir-version", `"m.onnx" is ONNX IR version 99, newer than this page's onnxruntime reads (IR version 11 at most): export it again with an older exporter, or set its ir_version to 11`]);
    assert.equal(explainRuntimeFailure("Module.MountedFiles is not available", `"m"`, "load").kind, "external-data");
    assert.equal(explainRuntimeFailure("Integer overflow", `"m"`, "run", [1, 3, 1024, 1024]).kind, "memory");
    assert.equal(explainRuntimeFailure("Aborted(OOM)", `"m"`, "run", [1, 3, 1024, 1024]).message, `onnxruntime ran out of memory running "m" at an input of 1×3×1024×1024: choose a smaller input size (e.g. 224), or close other tabs`);
    assert.match(explainRuntimeFailure("Fatal error: ai.custom:Foo(-1) is not a registered function/op", `"m"`, "load").message, /custom operator Foo \(domain ai\.custom\)/);
    const other = explainRuntimeFailure(`${path}Something odd happened`, `"m"`, "load");
    assert.deepEqual([other.kind, other.message], ["other", `onnxruntime could not load "m": Something odd happened`]);
    assert.equal(withoutBuildPaths("see /a/b/c/d.txt here"), "see … here");
  });

  test("a crop keeping less than half the picture is warned about", () => {
    const plan = planInput({kind: "square", size: 299}, 1, 5000);
    assert.equal(cropWarning(`"t.png"`, 1, 5000, plan), `"t.png" is 1×5000: the model sees only its centre 1×1 (0.02% of the picture), resized to 299×299. It was added; crop it nearer to a square to compare all of it.`);
    assert.equal(cropWarning(`"p.png"`, 1600, 900, planInput({kind: "square", size: 299}, 1600, 900)), null, "16:9 keeps 56%");
    assert.match(cropWarning(`"w.png"`, 3000, 1000, planInput({kind: "square", size: 299}, 3000, 1000)) ?? "", /\(33% of the picture\)/);
  });

  test("NaN and ±Infinity are found and named as such", () => {
    assert.equal(firstNonFinite(new Float32Array([0, 1, -2]), 3), null, "negative but finite");
    const nan = firstNonFinite(new Float32Array([0, 1, NaN, 2]), 2)!;
    assert.deepEqual({cell: nan.cell, channel: nan.channel}, {cell: 1, channel: 0});
    assert.match(nonFiniteMessage("x", {image: 0, channel: 0, value: NaN}), /has NaN \("not a number"\) activations/);
    assert.match(nonFiniteMessage("x", {image: 2, channel: 4, value: -Infinity}), /infinite activations \(−Infinity in channel 4 of image 3\)/);
  });
});
