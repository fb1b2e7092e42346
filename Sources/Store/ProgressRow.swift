/// Decodes one stored progress row: partition, incarnation and segment start as text (`''` = 0), last offset.
enum ProgressRow {
    static func decode(_ decoder: inout RowBinaryDecoder) throws(StoreError) -> (partition: Int32, incarnation: UInt32, start: Int64, last: Int64) {
        let partitionText = try decoder.string()
        let incarnationText = try decoder.string()
        let startText = try decoder.string()
        let last = try decoder.int64()
        guard let partition = Int32(partitionText),
            let incarnation = incarnationText.isEmpty ? 0 : UInt32(incarnationText),
            let start = startText.isEmpty ? 0 : Int64(startText)
        else {
            throw StoreError(.malformedResponse, "progress row with a non-numeric partition, incarnation or segment start")
        }
        return (partition, incarnation, start, last)
    }
}
