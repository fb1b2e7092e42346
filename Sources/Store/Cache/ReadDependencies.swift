import Synchronization

/// The cached reads one API request used, so a rendered answer can be reused for as long as they are unchanged.
///
/// A response cache installs a collector as ``current`` (a task-local) around a handler; ``CachingMetadataReader``
/// records the key and version of every cached value it returns while one is installed. The answer rendered from those
/// values is current while ``CachingMetadataReader/isCurrent(_:)`` says every recorded version is still the one held.
package final class ReadDependencies: Sendable {
    /// One cached value a result was derived from.
    package struct Dependency: Sendable, Hashable {
        package var key: String
        package var version: UInt64
    }

    /// The collector of the running request, if a response cache installed one.
    @TaskLocal package static var current: ReadDependencies?

    private let recorded = Mutex<[Dependency]>([])

    package init() {}

    /// Notes that the result depends on `key` at `version` (version 0: uncached, so never current).
    package func record(key: String, version: UInt64) {
        recorded.withLock { $0.append(Dependency(key: key, version: version)) }
    }

    /// Everything recorded so far, without repeats.
    package var dependencies: [Dependency] {
        recorded.withLock { Array(Set($0)) }
    }
}
