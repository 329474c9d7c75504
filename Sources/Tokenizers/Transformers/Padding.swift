extension PreTrainedTokenizerFast {
    /// Pads already tokenized features (`tokenizer.pad(...)`, what data collators call): one
    /// example or a batch, in `BatchEncoding` form. Pads `input_ids`, `token_type_ids`,
    /// `special_tokens_mask` and `attention_mask` (made when missing) like transformers' `_pad`.
    public func pad(_ features: BatchEncoding, padding: PaddingStrategy = .longest, maxLength: Int? = nil,
                    padToMultipleOf: Int? = nil, paddingSide: String? = nil, returnAttentionMask: Bool? = nil,
                    returnTensors: ReturnTensors? = nil) throws -> BatchEncoding {
        let main = config.modelInputNames.first ?? "input_ids"
        guard let required = features[main] else {
            throw TransformersError.value("You should supply an encoding or a list of encodings to this method that includes \(main), but you provided \(pythonList(features.keys))")
        }
        var returnTensors = returnTensors
        if returnTensors == nil, case .tensor = required { returnTensors = .pytorch }
        var (strategy, _, maxLength) = try strategies(padding: padding, truncation: nil, maxLength: maxLength, padToMultipleOf: nil)
        let single: Bool
        switch required {
        case .ints: single = true
        case .tensor(let t): single = t.rank == 1
        default: single = false
        }
        var rowsByKey: [(String, [[Int]]?, EncodedValue)] = features.items.map { k, v in (k, v.intRows, v) }
        let mainRows = rowsByKey.first { $0.0 == main }?.1 ?? []
        if !single, strategy == .longest {
            maxLength = mainRows.map(\.count).max() ?? 0
            strategy = .maxLength
        }
        let attention = returnAttentionMask ?? config.modelInputNames.contains("attention_mask")
        if attention, !rowsByKey.contains(where: { $0.0 == "attention_mask" }) {
            let ones = mainRows.map { [Int](repeating: 1, count: $0.count) }
            rowsByKey.append(("attention_mask", ones, single ? .ints(ones.first ?? []) : .batch(ones)))
        }
        let side = paddingSide ?? config.paddingSide
        guard side == "left" || side == "right" else { throw TransformersError.value("Invalid padding strategy:\(side)") }
        let padId = specialTokenId("pad_token") ?? 0
        var out = BatchEncoding()
        for (key, rows, original) in rowsByKey {
            let fill: Int?
            switch key {
            case main: fill = padId
            case "attention_mask": fill = attention ? 0 : nil
            case "token_type_ids": fill = 0
            case "special_tokens_mask": fill = 1
            default: fill = nil
            }
            guard let fill, let rows else { out[key] = original; continue }
            let padded = rows.enumerated().map { i, row -> [Int] in
                var target = strategy == .longest ? mainRows[i].count : (maxLength ?? mainRows[i].count)
                if let m = padToMultipleOf, m > 0, target % m != 0 { target = (target / m + 1) * m }
                guard strategy != .doNotPad, mainRows[i].count != target else { return row }
                let extra = [Int](repeating: fill, count: max(0, target - mainRows[i].count))
                return side == "right" ? row + extra : extra + row
            }
            out[key] = single ? .ints(padded.first ?? []) : .batch(padded)
        }
        do { try out.convertToTensors(returnTensors) } catch let e as TokenizerError { throw TransformersError.value(e.description) }
        return out
    }
}

/// A list of strings as Python prints it: `['a', 'b']`.
func pythonList(_ items: [String]) -> String {
    "[" + items.map { "'" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }.joined(separator: ", ") + "]"
}
