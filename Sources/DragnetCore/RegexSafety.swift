/// Refuses regular expressions that a backtracking engine (Swift's `Regex`, ICU's
/// `NSRegularExpression`) can take exponential time on: a group that repeats without bound and
/// itself contains something that repeats without bound, such as `(a+)+b`, `(\w*)*` or
/// `(?:x+y?)*`. Neither engine offers a step or time limit per match, so rules and filter
/// lists with such a pattern are rejected when they load, with this reason, instead of
/// hanging an audit on a page that happens to hold the right string (`(a+)+b` against 20
/// `a`s took 47 s).
public enum RegexSafety {
    /// Why `pattern` is unsafe, or nil.
    public static func problem(_ pattern: String) -> String? {
        let chars = Array(pattern.unicodeScalars)
        /// Per open group: whether it holds an unbounded repetition.
        var stack: [Bool] = [false]
        var index = 0

        /// Reads a quantifier at `index`, if any: whether it is unbounded; moves past it and a lazy/possessive suffix.
        func quantifier() -> Bool? {
            guard index < chars.count else { return nil }
            var unbounded: Bool
            switch chars[index] {
            case "*", "+":
                unbounded = true
                index += 1
            case "?":
                unbounded = false
                index += 1
            case "{":
                var end = index + 1
                var text = ""
                while end < chars.count, chars[end] != "}" {
                    text.unicodeScalars.append(chars[end])
                    end += 1
                }
                let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                guard end < chars.count, !text.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isNumber) }), !parts[0].isEmpty else {
                    return nil  // a literal brace
                }
                unbounded = parts.count == 2 && parts[1].isEmpty
                index = end + 1
            default:
                return nil
            }
            if index < chars.count, chars[index] == "?" || chars[index] == "+" { index += 1 }
            return unbounded
        }

        while index < chars.count {
            let char = chars[index]
            switch char {
            case "\\":
                index += 2
                if quantifier() == true { stack[stack.count - 1] = true }
            case "[":
                // A character class: up to the first unescaped `]` that is not its first member.
                index += 1
                if index < chars.count, chars[index] == "^" { index += 1 }
                if index < chars.count, chars[index] == "]" { index += 1 }
                while index < chars.count, chars[index] != "]" {
                    index += chars[index] == "\\" ? 2 : 1
                }
                index += 1
                if quantifier() == true { stack[stack.count - 1] = true }
            case "(":
                stack.append(false)
                index += 1
            case ")":
                index += 1
                guard stack.count > 1 else { continue }
                let inner = stack.removeLast()
                let repeated = quantifier()
                if repeated == true && inner {
                    return "nested unbounded repetition (a group like (a+)+ or (\\w*)*): a backtracking match can take exponential time; rewrite it without the outer repetition or bound the inner one"
                }
                if inner || repeated == true { stack[stack.count - 1] = true }
            default:
                index += 1
                if quantifier() == true { stack[stack.count - 1] = true }
            }
        }
        return nil
    }
}
