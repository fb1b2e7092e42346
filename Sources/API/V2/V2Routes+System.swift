import Hummingbird
import Store

extension V2Routes {
    /// The routes of the SystemReading capability.
    static let systemRoutes: [V2Route] = []
}
