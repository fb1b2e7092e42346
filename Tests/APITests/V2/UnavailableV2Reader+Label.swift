import Store

extension UnavailableV2Reader {
}
