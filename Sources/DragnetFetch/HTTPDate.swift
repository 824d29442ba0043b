import DragnetCore

/// Parses the dates found in `Expires`, `Date` and `Retry-After`, with the lenient
/// algorithm of RFC 6265 §5.1.1 (it accepts RFC 1123, RFC 850 and asctime forms
/// and the usual variations servers send).
enum HTTPDate {
    /// Seconds since 1970-01-01T00:00:00Z, or nil when the text is not a date.
    static func parse(_ text: String) -> Double? {
        var hour: Int?, minute = 0, second = 0
        var day: Int?, month: Int?, year: Int?

        for token in tokens(text) {
            if hour == nil, let time = parseTime(token) {
                (hour, minute, second) = time
            } else if day == nil, let value = leadingDigits(token, min: 1, max: 2) {
                day = value
            } else if month == nil, let value = parseMonth(token) {
                month = value
            } else if year == nil, let value = leadingDigits(token, min: 2, max: 4) {
                year = value
            }
        }
        guard let hour, let day, let month, var year else { return nil }
        if (70...99).contains(year) { year += 1900 } else if (0...69).contains(year) { year += 2000 }
        guard (1...31).contains(day), year >= 1601, hour <= 23, minute <= 59, second <= 59 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3_600 + minute * 60 + second)
    }

    /// `Retry-After`: either delay-seconds or an HTTP-date; returns seconds from `now`.
    static func retryAfter(_ text: String, now: Double) -> Double? {
        let trimmed = text.trimmingASCIIWhitespace()
        if let seconds = Int(trimmed), seconds >= 0 { return Double(seconds) }
        guard let date = parse(trimmed) else { return nil }
        return max(0, date - now)
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        byte == 0x09 || (0x20...0x2F).contains(byte) || (0x3B...0x40).contains(byte)
            || (0x5B...0x60).contains(byte) || (0x7B...0x7E).contains(byte)
    }

    private static func tokens(_ text: String) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in text.utf8 {
            if isDelimiter(byte) {
                if !current.isEmpty { result.append(current); current = [] }
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    /// 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT, optionally followed by non-digits.
    private static func parseTime(_ token: [UInt8]) -> (Int, Int, Int)? {
        var parts: [Int] = []
        var index = 0
        for position in 0..<3 {
            var value = 0, digits = 0
            while index < token.count, isDigit(token[index]), digits < 2 {
                value = value * 10 + Int(token[index] - 0x30)
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            parts.append(value)
            if position < 2 {
                guard index < token.count, token[index] == 0x3A else { return nil }
                index += 1
            }
        }
        if index < token.count, isDigit(token[index]) { return nil }
        return (parts[0], parts[1], parts[2])
    }

    private static func leadingDigits(_ token: [UInt8], min: Int, max: Int) -> Int? {
        var value = 0, count = 0
        while count < token.count, isDigit(token[count]) {
            // More digits than allowed: not a date field, and 20 of them would overflow Int
            // (found by fuzzing: `Expires=Wexat 1016666666666666666666666666666667 07:28:00` trapped).
            if count >= max { return nil }
            value = value * 10 + Int(token[count] - 0x30)
            count += 1
        }
        guard count >= min, count <= max else { return nil }
        return value
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func parseMonth(_ token: [UInt8]) -> Int? {
        guard token.count >= 3 else { return nil }
        let prefix = String(decoding: token.prefix(3), as: UTF8.self).lowercased()
        return months.firstIndex(of: prefix).map { $0 + 1 }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
