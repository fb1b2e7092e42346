extension ClickHouseMetadataReader: HistoryReading {
}
