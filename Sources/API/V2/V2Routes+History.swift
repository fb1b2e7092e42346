import Hummingbird
import Store

extension V2Routes {
    /// The routes of the HistoryReading capability.
    static let historyRoutes: [V2Route] = []
}
