#if FUZZING
import Foundation

/// The target fuzzed: `DRAGNET_FUZZ_TARGET` (scripts/fuzz.sh sets it).
nonisolated(unsafe) let fuzzTarget: String = ProcessInfo.processInfo.environment["DRAGNET_FUZZ_TARGET"] ?? "html"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if !FuzzTargets.run(fuzzTarget, bytes) { fatalError("unknown DRAGNET_FUZZ_TARGET \(fuzzTarget); one of \(FuzzTargets.names)") }
    return 0
}

/// libFuzzer's driver, from libclang_rt.fuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// SwiftPM links an executable's `main` to `<Module>_main`; here it starts libFuzzer's driver.
@_cdecl("DragnetFuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
#else
import Foundation

/// `dragnet-fuzz TARGET FILE…`: runs saved inputs (seed corpora, crash reproducers) through a
/// fuzz target without the fuzzer; exit 0 when every input ran.
@main
enum Replay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let target = arguments.first, FuzzTargets.names.contains(target) else {
            FileHandle.standardError.write(Data("usage: dragnet-fuzz TARGET FILE…  (targets: \(FuzzTargets.names.joined(separator: ", ")))\n".utf8))
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("dragnet-fuzz: cannot read \(path)\n".utf8))
                exit(2)
            }
            _ = FuzzTargets.run(target, [UInt8](data))
            count += 1
        }
        print("\(target): \(count) input(s) ran")
    }
}
#endif
