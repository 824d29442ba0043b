import ArgumentParser
import DragnetCheck
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter dragnet.yml for `dragnet check`.",
        discussion: "Refuses to overwrite an existing file unless --force. Exit codes: 0 written, 2 the file exists or cannot be written."
    )

    @Option(help: "Where to write it.")
    var config: String = "dragnet.yml"

    @Option(help: "The page to check (repeatable; default: a placeholder to replace).")
    var target: [String] = []

    @Flag(help: "Overwrite an existing file.")
    var force = false

    func run() throws {
        if FileManager.default.fileExists(atPath: config) && !force {
            FileHandle.standardError.write(Data("dragnet init: \(config) already exists; pass --force to overwrite it\n".utf8))
            throw ExitCode(ExitStatus.usage)
        }
        let text = Self.starter(targets: target.isEmpty ? ["https://www.example.com/"] : target)
        do {
            try text.write(toFile: config, atomically: true, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("dragnet init: cannot write \(config): \(error.localizedDescription)\n".utf8))
            throw ExitCode(ExitStatus.usage)
        }
        print("wrote \(config): edit the targets, then run `dragnet check` (docs/ci.md)")
    }

    static func starter(targets: [String]) -> String {
        """
        # dragnet.yml: what `dragnet check` enforces on your pages (docs/ci.md).
        # Exit codes of `dragnet check`: 0 pass, 1 violations, 2 configuration error.

        # The pages to audit: URLs, or `- file: urls.txt` for a list (relative to this file).
        targets:
        \(targets.map { "  - \($0)" }.joined(separator: "\n"))

        # Flows that fail the check. Every field given must match a finding that sends data.
        deny:
          # Visitors' email addresses and phone numbers (typed into forms, or matched by a pixel)
          # must not reach ByteDance (TikTok) or X.
          - flow: {data: contact-data, to: tiktok}
            reason: No contact data to TikTok (ByteDance)
          - flow: {data: contact-data, to: x}
            reason: No contact data to X
          # No session-replay scripts that record what visitors type and click.
          - practice: session-replay
            reason: No session replay
            level: warn                     # warn reports without failing; error (the default) fails

        # Findings you have accepted, each with a justification and, best, an expiry date.
        # allow:
        #   - platform: google
        #     justification: Analytics approved by the DPO (ticket PRIV-42)
        #     expires: 2027-06-30

        # Ceilings per page.
        budgets:
          exposure: 60                      # overall exposure score, 0-100 (docs/scoring.md)
          thirdPartySites: 20
          trackers: 10

        # Response headers every page must send.
        headers:
          - {name: Referrer-Policy, level: warn}

        # The site's privacy policy must be found and read.
        policy:
          required: true

        # Baseline: accept what is there today and fail only on new findings:
        #   dragnet check --baseline .dragnet-baseline.json --update-baseline
        #   dragnet check --baseline .dragnet-baseline.json

        """
    }
}
