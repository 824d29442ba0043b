import ArgumentParser
import DragnetBuiltInRules
import DragnetCore
import Foundation

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the tool version and the rule pack in use (with its digest)."
    )

    @OptionGroup var rules: RuleFlags

    func run() throws {
        print("\(Dragnet.name) \(Dragnet.version)")
        let directory = try rules.locate()
        if BuiltInPack.isBuiltIn(directory) {
            print("rules: built-in (\(BuiltInRules.fileCount) files, sha256 \(BuiltInRules.digest))")
        } else {
            let (digest, files) = BuiltInPack.digest(of: directory)
            let same = digest == BuiltInRules.digest ? ", the same as the built-in pack" : ""
            print("rules: \(directory) (\(files) files, sha256 \(digest)\(same))")
        }
    }
}
