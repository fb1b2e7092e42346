import CMalloc
import Foundation

/// glibc's allocator, set once at start for how census uses memory.
///
/// glibc maps a block of at least its *mmap threshold* on its own and unmaps it when freed; smaller blocks come from the
/// threads' arenas, which keep freed memory for reuse. The threshold starts at 128 KiB and, by default, rises to the size
/// of every mapped block freed, up to 32 MiB. census frees large blocks on every flush — a 20–30 MB INSERT body and the
/// encoder's buffers growing to it, the writer's set filter, a window's largest tables — so after the first flush all of
/// them came from the arenas, and what they freed stayed resident. A fixed 16 MiB keeps those out of the arenas, while
/// librdkafka's per-fetch buffers (a few MiB) stay there: at 1 MiB every fetch of the `sum` benchmark mapped fresh pages
/// (10× the page faults, ~15 % more CPU); at 16 MiB peak RSS fell 386–409 → ~300 MiB on the spread shape and 306–316 →
/// ~200 MiB on the sum shape with the CPU unchanged (docs/OPERATIONS.md, "Memory bound").
enum AllocatorTuning {
    /// Blocks of at least this many bytes are mapped on their own and returned to the system when freed.
    static let mmapThreshold = 16 << 20

    /// What census does about the threshold, given its environment.
    enum Decision: Equatable {
        /// Fix the threshold at this many bytes.
        case fix(Int)
        /// The environment sets it (`GLIBC_TUNABLES` with `glibc.malloc.mmap_threshold`, or `MALLOC_MMAP_THRESHOLD_`):
        /// glibc has applied that already, and census leaves it.
        case leave(String)
    }

    static func decision(environment: [String: String]) -> Decision {
        if let tunables = environment["GLIBC_TUNABLES"],
            let setting = tunables.split(separator: ":").first(where: { $0.hasPrefix("glibc.malloc.mmap_threshold=") })
        {
            return .leave("GLIBC_TUNABLES \(setting)")
        }
        if let legacy = environment["MALLOC_MMAP_THRESHOLD_"] { return .leave("MALLOC_MMAP_THRESHOLD_=\(legacy)") }
        return .fix(mmapThreshold)
    }

    /// Applies ``decision(environment:)``, before any command runs (every command that ingests gets it). glibc refusing the
    /// setting (it does not, on any supported glibc) is reported on stderr, never fatal.
    static func apply(environment: [String: String]) {
        guard case .fix(let bytes) = decision(environment: environment) else { return }
        if mallopt(M_MMAP_THRESHOLD, Int32(bytes)) != 1 {
            FileHandle.standardError.write(Data("census: warning: glibc refused mmap threshold \(bytes); large blocks stay in its arenas\n".utf8))
        }
    }

    /// How the threshold is set, for the start-up log line.
    static func describe(environment: [String: String]) -> String {
        switch decision(environment: environment) {
        case .fix(let bytes): "mmap_threshold=\(bytes)"
        case .leave(let source): "mmap_threshold from \(source)"
        }
    }
}
