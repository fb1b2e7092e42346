import Hummingbird
import Store

extension V2Routes {
    /// The routes of the ExplorerReading capability.
    static let explorerRoutes: [V2Route] = []
}
