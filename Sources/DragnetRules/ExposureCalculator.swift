public import DragnetCore

/// Turns findings into exposure points. Per platform: for each data category the
/// platform receives, the heaviest channel that carries it counts once
/// (data weight × channel weight); the sum times the platform multiplier, capped at
/// 100, is the platform's score. Overall: 100 × (1 − Π(1 − platform/100)), so that
/// each platform adds to what is left and the total never passes 100.
public enum ExposureCalculator {
    public static func exposure(_ findings: [Finding], entities: [EntitySummary], scoring: Scoring, profiles: [String: PlatformProfile] = [:]) -> Exposure {
        var byPlatform: [String: [Finding]] = [:]
        for finding in findings { byPlatform[finding.platform, default: []].append(finding) }
        var names: [String: String] = [Evaluator.unattributed: "Unattributed third parties"]
        for entity in entities { names[entity.platform] = entity.platformName }

        var exposure = Exposure()
        for platform in byPlatform.keys.sorted() {
            let platformFindings = byPlatform[platform]!
            var best: [String: Contribution] = [:]
            for finding in platformFindings {
                let channelWeight = scoring.channels[finding.channel] ?? 0
                for data in finding.data {
                    let dataWeight = scoring.data[data] ?? 0
                    let points = round1(dataWeight * channelWeight)
                    let candidate = Contribution(
                        data: data, dataWeight: dataWeight, channel: finding.channel, channelWeight: channelWeight, points: points, finding: finding.id)
                    // Heaviest wins; ties go to the smaller finding id, so the choice is stable.
                    if let current = best[data] {
                        if candidate.points < current.points { continue }
                        if candidate.points == current.points && current.finding <= candidate.finding { continue }
                    }
                    best[data] = candidate
                }
            }
            let contributions = best.values.filter { $0.points > 0 }.sorted { ($1.points, $0.data) < ($0.points, $1.data) }
            let subtotal = round1(contributions.reduce(0) { $0 + $1.points })
            let (multiplier, terms) = scoring.multiplier(for: platform, profile: profiles[platform])
            let score = min(100, round1(subtotal * multiplier))
            var entry = PlatformExposure(
                platform: platform, name: names[platform] ?? platform, score: score, grade: scoring.grade(for: score), subtotal: subtotal,
                multiplier: multiplier, contributions: contributions, findings: platformFindings.map(\.id).sorted())
            entry.practices = terms.map { PracticeWeight(practice: $0.0, weight: $0.1) }
            exposure.platforms.append(entry)
        }
        let scored = exposure.platforms.filter { $0.score > 0 }
        var remaining = 1.0
        for platform in scored { remaining *= 1 - platform.score / 100 }
        exposure.score = round1(100 * (1 - remaining))
        exposure.grade = scoring.grade(for: exposure.score)
        exposure.formula = scored.isEmpty
            ? "0"
            : "100 × (1 − " + scored.map { "(1 − \(format($0.score / 100, places: 3)))" }.joined(separator: " × ") + ") = \(format(exposure.score, places: 1))"
        return exposure
    }

    static func round1(_ value: Double) -> Double { (value * 10).rounded() / 10 }

    /// Fixed-point text without Foundation's locale-dependent formatting.
    public static func format(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let sign = scaled < 0 ? "-" : ""
        let magnitude = abs(scaled)
        let whole = magnitude / Int(scale)
        guard places > 0 else { return sign + String(whole) }
        var fraction = String(magnitude % Int(scale))
        while fraction.count < places { fraction = "0" + fraction }
        return sign + String(whole) + "." + fraction
    }

    /// The arithmetic behind a page's score, for `audit --explain`.
    public static func explanation(_ evaluation: Evaluation, page: String) -> String {
        let exposure = evaluation.exposure
        var lines = ["\(page): exposure \(format(exposure.score, places: 1)) (\(exposure.grade))"]
        let findings = Dictionary(evaluation.findings.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for platform in exposure.platforms {
            lines.append("  \(platform.platform) — \(platform.name): \(format(platform.score, places: 1)) (\(platform.grade))")
            for item in platform.contributions {
                let finding = findings[item.finding]
                let evidence = finding?.evidence.first.map { evidence in
                    [evidence.url.map(URLParts.withoutQuery), evidence.snippet.map { "\"\($0.prefix(40))\"" }, evidence.line.map { "line \($0)" }]
                        .compactMap { $0 }.joined(separator: ", ")
                } ?? ""
                let data = item.data.padding(to: 18)
                lines.append(
                    "    \(data) \(format(item.dataWeight, places: 1)) × \(item.channel.rawValue) \(format(item.channelWeight, places: 1)) = \(format(item.points, places: 1))"
                        + "  ← \(item.finding) \(finding?.rule ?? "")\(finding?.accountID.map { " [\($0)]" } ?? "") (\(evidence))")
            }
            let notCounted = platform.findings.filter { id in !platform.contributions.contains { $0.finding == id } }
            if !notCounted.isEmpty {
                lines.append("    no extra points (their data is already counted): \(notCounted.map { "\($0) \(findings[$0]?.rule ?? "")" }.joined(separator: ", "))")
            }
            if !platform.practices.isEmpty {
                let terms = platform.practices.map { "\($0.practice) \(format($0.weight, places: 2))" }.joined(separator: " + ")
                lines.append("    multiplier \(format(platform.multiplier, places: 2)) = 1 + \(terms) (its privacy policy, rules/platforms/\(platform.platform).yml)")
            }
            lines.append(
                "    subtotal \(format(platform.subtotal, places: 1)) × multiplier \(format(platform.multiplier, places: 2)) = \(format(platform.subtotal * platform.multiplier, places: 1))"
                    + (platform.subtotal * platform.multiplier > 100 ? ", capped at 100" : ""))
        }
        lines.append("  overall = \(exposure.formula)")
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
