/// Finds every occurrence of many literals in one pass over a text (Aho–Corasick
/// with a dense byte transition table). The inline-script signatures' `contains`
/// literals are all looked for at once instead of one memmem pass per literal.
public struct LiteralScanner: Sendable {
    /// `transitions[state * 256 + byte]` → next state.
    private var transitions: [Int32] = []
    /// Literal indexes that end in each state (its own and, through failure links, shorter ones).
    private var outputs: [[Int32]] = []
    /// 1 where `outputs` is not empty: the hot loop reads only flat byte arrays.
    private var hasOutput: [UInt8] = []
    private(set) var lengths: [Int] = []

    public init(_ literals: [String]) {
        var goto: [[UInt8: Int32]] = [[:]]
        var ends: [[Int32]] = [[]]
        for (index, literal) in literals.enumerated() {
            var state: Int32 = 0
            for byte in literal.utf8 {
                if let next = goto[Int(state)][byte] {
                    state = next
                } else {
                    goto.append([:])
                    ends.append([])
                    let next = Int32(goto.count - 1)
                    goto[Int(state)][byte] = next
                    state = next
                }
            }
            ends[Int(state)].append(Int32(index))
            lengths.append(literal.utf8.count)
        }
        // Breadth-first: failure links, then the full transition table.
        let count = goto.count
        var fail = [Int32](repeating: 0, count: count)
        transitions = [Int32](repeating: 0, count: count * 256)
        var queue: [Int32] = []
        for byte in 0..<256 {
            if let next = goto[0][UInt8(byte)] {
                transitions[byte] = next
                queue.append(next)
            }
        }
        var head = 0
        while head < queue.count {
            let state = Int(queue[head])
            head += 1
            ends[state] += ends[Int(fail[state])]
            for byte in 0..<256 {
                if let next = goto[state][UInt8(byte)] {
                    fail[Int(next)] = transitions[Int(fail[state]) * 256 + byte]
                    transitions[state * 256 + byte] = next
                    queue.append(next)
                } else {
                    transitions[state * 256 + byte] = transitions[Int(fail[state]) * 256 + byte]
                }
            }
        }
        outputs = ends
        hasOutput = ends.map { $0.isEmpty ? 0 : 1 }
    }

    /// Every (literal index, start offset) in `text`, in order of end offset.
    public func scan(_ text: String) -> [(literal: Int, start: Int)] {
        var hits: [(Int, Int)] = []
        var text = text
        text.withUTF8 { bytes in
            transitions.withUnsafeBufferPointer { table in
                hasOutput.withUnsafeBufferPointer { flags in
                    var state = 0
                    for offset in 0..<bytes.count {
                        state = Int(table[state &* 256 &+ Int(bytes[offset])])
                        if flags[state] != 0 {
                            for literal in outputs[state] {
                                hits.append((Int(literal), offset + 1 - lengths[Int(literal)]))
                            }
                        }
                    }
                }
            }
        }
        return hits
    }
}
