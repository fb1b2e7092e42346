#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Logging

/// The process's open-file limit (`RLIMIT_NOFILE`): every API connection is a descriptor, and distributions start
/// services with a soft limit of 1,024, so a thousand idle clients would make `accept` fail for everyone else.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard limit and logs both (once, at start). Failure is logged, never fatal.
    static func raiseToHard(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            logger.warning("cannot read the open-file limit", metadata: ["errno": "\(errno)"])
            return
        }
        let before = limit.rlim_cur
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 {
                logger.warning("cannot raise the open-file limit", metadata: ["soft": "\(before)", "hard": "\(limit.rlim_max)", "errno": "\(errno)"])
                return
            }
        }
        logger.info("open-file limit", metadata: ["soft": "\(limit.rlim_cur)", "was": "\(before)", "hard": "\(limit.rlim_max)"])
    }
}
