import CCurl

/// Owns one libcurl header list (`struct curl_slist`) and frees it in `deinit`.
///
/// - Important: libcurl keeps only a pointer to the list while a transfer runs, so the list must outlive
///   `curl_easy_perform`; ``CurlEasy`` holds it for the duration of the transfer.
final class CurlHeaderList {
    private(set) var pointer: UnsafeMutablePointer<curl_slist>?

    /// Builds a list from `Name: value` lines.
    init(_ lines: [String]) {
        for line in lines {
            // curl_slist_append copies the string; on allocation failure it returns NULL and leaves the old list intact.
            if let appended = curl_slist_append(pointer, line) {
                pointer = appended
            }
        }
    }

    deinit {
        if let pointer { curl_slist_free_all(pointer) }
    }
}
