import Hummingbird
import Store

extension V2Routes {
    /// The routes of the LabelReading capability.
    static let labelRoutes: [V2Route] = []
}
