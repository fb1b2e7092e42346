import Store

extension KeyScope {
    /// The raw value, computed in this module so that the hot path compares scopes without a cross-module call.
    @inline(__always)
    var tag: UInt8 {
        switch self {
        case .resource: 1
        case .attribute: 2
        case .event: 3
        case .link: 4
        }
    }
}
