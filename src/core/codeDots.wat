;; Dot products of one query code vector with every cell's code vector, with WebAssembly SIMD.
;; The JavaScript reference is similarity.ts; codeDots.ts loads this module (compiled to codeDots.wasm.ts).
;;
;; dots(codes, query, out, cells, channels): out[j] = Σ_c codes[j·channels + c] · query[c]   (i32)
;;   codes: cells × channels bytes, query: channels bytes, out: cells × 4 bytes; channels % 16 = 0.
;; 16 byte pairs per step: u8 × u8 → u16 (≤ 65025, exact), then adjacent u16 pairs → u32 lanes. A lane sums
;; at most channels / 8 pairs of products, below 2³¹ for channels < 66,000.
;;
;; dots_signed(…): the same for signed codes (i8, −127 … 127, quantize.ts): i8 × i8 → i16 (|p| ≤ 16,129,
;; exact), adjacent pairs → i32 lanes with sign; |lane| ≤ channels / 8 · 2 · 16,129, below 2³¹ likewise.
(module
  (memory (export "memory") 1)
  (func (export "dots") (param $codes i32) (param $query i32) (param $out i32) (param $cells i32) (param $channels i32)
    (local $j i32) (local $k i32) (local $row i32) (local $acc v128) (local $a v128) (local $b v128)
    (local.set $row (local.get $codes))
    (block $done
      (loop $cell
        (br_if $done (i32.ge_u (local.get $j) (local.get $cells)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (loop $channel
          (local.set $a (v128.load (i32.add (local.get $row) (local.get $k))))
          (local.set $b (v128.load (i32.add (local.get $query) (local.get $k))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.extadd_pairwise_i16x8_u (i16x8.extmul_low_i8x16_u (local.get $a) (local.get $b)))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.extadd_pairwise_i16x8_u (i16x8.extmul_high_i8x16_u (local.get $a) (local.get $b)))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br_if $channel (i32.lt_u (local.get $k) (local.get $channels))))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $row (i32.add (local.get $row) (local.get $channels)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cell))))
  (func (export "dots_signed") (param $codes i32) (param $query i32) (param $out i32) (param $cells i32) (param $channels i32)
    (local $j i32) (local $k i32) (local $row i32) (local $acc v128) (local $a v128) (local $b v128)
    (local.set $row (local.get $codes))
    (block $done
      (loop $cell
        (br_if $done (i32.ge_u (local.get $j) (local.get $cells)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (loop $channel
          (local.set $a (v128.load (i32.add (local.get $row) (local.get $k))))
          (local.set $b (v128.load (i32.add (local.get $query) (local.get $k))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.extadd_pairwise_i16x8_s (i16x8.extmul_low_i8x16_s (local.get $a) (local.get $b)))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.extadd_pairwise_i16x8_s (i16x8.extmul_high_i8x16_s (local.get $a) (local.get $b)))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br_if $channel (i32.lt_u (local.get $k) (local.get $channels))))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $row (i32.add (local.get $row) (local.get $channels)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cell)))))
