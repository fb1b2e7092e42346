import Store

extension MetadataWindow {
    /// Applies one `Metric`: name, description, unit, type, temporality, monotonicity, bounds, scales, and the
    /// attributes of every data point (counted once per point carrying them).
    /// - Returns: The number of data points.
    mutating func applyMetric(_ metric: WireReader, scope: ScopeIDs) throws(WireError) -> Int {
        typealias F = MetricsRequestFields.Metric
        // Pass 1: the metric's own fields (the name may follow the data on the wire).
        var name: WireReader?
        var description: WireReader?
        var unit: WireReader?
        var dataField: UInt32 = 0
        var data: WireReader?
        var reader = metric
        while let field = try reader.nextField() {
            guard field.type == .lengthDelimited else {
                try reader.skip(field.type)
                continue
            }
            switch field.number {
            case F.name: name = try reader.readLengthDelimited()
            case F.description: description = try reader.readLengthDelimited()
            case F.unit: unit = try reader.readLengthDelimited()
            case F.gauge, F.sum, F.histogram, F.exponentialHistogram, F.summary:
                dataField = field.number
                data = try reader.readLengthDelimited()
            default: try reader.skip(field.type)
            }
        }
        let nameID = name.map { strings.intern($0.bytes) } ?? WellKnown.empty
        let slot = signalSlot(.metric, nameID: nameID)
        let s = Int(slot)
        // Intern before calling `larger`: a non-mutating call captures `self` before its arguments run.
        if let description {
            let id = strings.intern(description.bytes)
            signals[s].descriptionID = Self.larger(signals[s].descriptionID, id, in: strings)
        }
        if let unit {
            let id = strings.intern(unit.bytes)
            signals[s].unitID = Self.larger(signals[s].unitID, id, in: strings)
        }
        let type: MetricType
        switch dataField {
        case F.gauge: type = .gauge
        case F.sum: type = .sum
        case F.histogram: type = .histogram
        case F.exponentialHistogram: type = .exponentialHistogram
        case F.summary: type = .summary
        default: type = .unknown
        }
        if type.rawValue > signals[s].metricType.rawValue { signals[s].metricType = type }

        // Pass 2: the data points.
        var points = 0
        if var reader = data {
            typealias D = MetricsRequestFields.Data
            while let field = try reader.nextField() {
                switch (field.number, field.type) {
                case (D.dataPoints, .lengthDelimited):
                    let point = try reader.readLengthDelimited()
                    points &+= 1
                    switch type {
                    case .histogram: try applyHistogramPoint(point, slot: slot)
                    case .exponentialHistogram: try applyExponentialHistogramPoint(point, slot: slot)
                    default: try applyNumberPoint(point, slot: slot)
                    }
                case (D.aggregationTemporality, .varint) where type == .sum || type == .histogram || type == .exponentialHistogram:
                    let temporality = try reader.readVarint()
                    if temporality <= 2, UInt8(temporality) > signals[s].temporality { signals[s].temporality = UInt8(temporality) }
                case (D.isMonotonic, .varint) where type == .sum:
                    if try reader.readVarint() != 0 { signals[s].flags.insert(.monotonic) }
                default:
                    try reader.skip(field.type)
                }
            }
        }
        count(slot, items: UInt64(points), scope: scope)
        return points
    }

    /// `NumberDataPoint` (gauge, sum) and `SummaryDataPoint`: attributes are field 7 in both.
    @inline(__always)
    private mutating func applyNumberPoint(_ point: WireReader, slot: Int32) throws(WireError) {
        let item = nextItem()
        var index = 0
        var fingerprint = seriesBase()
        var reader = point
        while let field = try reader.nextField() {
            if field.number == MetricsRequestFields.numberAttributes, field.type == .lengthDelimited {
                let attribute = try addAttribute(
                    reader.readLengthDelimited(), signal: slot, scope: .attribute, item: item,
                    position: Self.cachePosition(index, .attribute))
                fingerprint &+= seriesPair(attribute)
                index &+= 1
            } else {
                try reader.skip(field.type)
            }
        }
        addSeries(slot, fingerprint)
    }

    private mutating func applyHistogramPoint(_ point: WireReader, slot: Int32) throws(WireError) {
        typealias P = MetricsRequestFields.HistogramDataPoint
        let item = nextItem()
        var index = 0
        var fingerprint = seriesBase()
        defer { addSeries(slot, fingerprint) }
        var reader = point
        while let field = try reader.nextField() {
            switch (field.number, field.type) {
            case (P.attributes, .lengthDelimited):
                let attribute = try addAttribute(
                    reader.readLengthDelimited(), signal: slot, scope: .attribute, item: item,
                    position: Self.cachePosition(index, .attribute))
                fingerprint &+= seriesPair(attribute)
                index &+= 1
            case (P.explicitBounds, .lengthDelimited):
                var packed = try reader.readLengthDelimited()
                let hash = ValueHash.hash(packed.bytes, tag: .double)
                guard hash != signals[Int(slot)].lastBoundsHash else { continue }
                signals[Int(slot)].lastBoundsHash = hash
                while packed.remainingCount >= 8 { addBound(try packed.readFixed64(), slot: slot) }
            case (P.explicitBounds, .fixed64):
                addBound(try reader.readFixed64(), slot: slot)
            default:
                try reader.skip(field.type)
            }
        }
    }

    @inline(__always)
    private mutating func addBound(_ bits: UInt64, slot: Int32) {
        var bound = Double(bitPattern: bits)
        guard !bound.isNaN else { return }
        if bound == 0 { bound = 0 }  // -0.0 and 0.0 are one bound
        if signals[Int(slot)].explicitBounds.insert(bound).inserted { extraBytes &+= 16 }
    }

    private mutating func applyExponentialHistogramPoint(_ point: WireReader, slot: Int32) throws(WireError) {
        typealias P = MetricsRequestFields.ExponentialHistogramDataPoint
        let item = nextItem()
        var scale: Int32 = 0  // proto3 omits the default
        var index = 0
        var fingerprint = seriesBase()
        var reader = point
        while let field = try reader.nextField() {
            switch (field.number, field.type) {
            case (P.attributes, .lengthDelimited):
                let attribute = try addAttribute(
                    reader.readLengthDelimited(), signal: slot, scope: .attribute, item: item,
                    position: Self.cachePosition(index, .attribute))
                fingerprint &+= seriesPair(attribute)
                index &+= 1
            case (P.scale, .varint):
                let raw = UInt32(truncatingIfNeeded: try reader.readVarint())
                scale = Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
            default:
                try reader.skip(field.type)
            }
        }
        addSeries(slot, fingerprint)
        let s = Int(slot)
        if scale != signals[s].lastScale {
            signals[s].lastScale = scale
            if signals[s].scales.insert(scale).inserted { extraBytes &+= 8 }
        }
    }

    /// Counts a data point's series (``SeriesFingerprint``) for metric aggregate `slot`; a window whose series set reaches
    /// ``WindowLimits/maxDistinctValuesPerKey`` is full, as for a key's values.
    @inline(__always)
    mutating func addSeries(_ slot: Int32, _ fingerprint: UInt64) {
        let i = Int(slot)
        if signals[i].series.insert(fingerprint) {
            let members = signals[i].series.count
            seriesTableBytes &+= HashSet64.bytesAdded(reaching: members)
            if members >= limits.maxDistinctValuesPerKey { keyAtValueLimit = true }
        }
    }
}
